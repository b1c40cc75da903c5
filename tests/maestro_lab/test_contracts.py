"""Contract lineage: hashes chain composition -> instrument -> section; tampering is caught."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import replace

import pytest

from maestro_lab.errors import ProtocolViolationError
from maestro_lab.runtime.contracts import (
    CompositionContract,
    InstrumentContract,
    SectionContract,
    SectionSpec,
    verify_lineage,
)
from storpheus.seeding import derive_seed
from storpheus.spec import ChordScheduleEntry


def song(**changes: object) -> CompositionContract:
    base = CompositionContract(
        project_id="demo",
        run_id="run-1",
        sections=(
            SectionSpec("intro", "intro", bars=4, start_bar=0),
            SectionSpec("verse", "verse", bars=8, start_bar=4, description="groove"),
        ),
        bpm=92,
        style="lofi hip hop",
        roles=("drums", "bass", "chords"),
        seed=42,
        key="A minor",
        plan_hash="ab" * 32,
    )
    return replace(base, hash="", contract_id="", **changes) if changes else base  # type: ignore[arg-type]


def test_a_full_lineage_verifies() -> None:
    composition = song()
    bass = composition.instrument(
        "bass", chord_schedule=[ChordScheduleEntry(bar=0, chord="Am7")], program=33
    )
    verse = bass.section("verse")
    verify_lineage(verse, bass, composition)
    assert bass.composition_hash == composition.hash
    assert verse.instrument_hash == bass.hash
    assert composition.bars == 12
    assert bass.seed == derive_seed(42, "role", "bass")
    assert verse.seed == derive_seed(bass.seed, "section", "verse")
    assert composition.contract_id.startswith("composition:")
    assert verse.contract_id.startswith("section:bass/verse:")


def test_hashes_are_stable_across_processes() -> None:
    code = (
        "from tests.maestro_lab.test_contracts import song;"
        "c = song(); print(c.hash, c.instrument('drums').section('intro').hash)"
    )
    outputs = set()
    for seed in ("0", "99"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        out = subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
        )
        outputs.add(out.stdout.strip())
    composition = song()
    intro = composition.instrument("drums").section("intro")
    assert outputs == {f"{composition.hash} {intro.hash}"}


def test_any_upstream_change_changes_every_hash_below() -> None:
    a, b = song(), song(bpm=93)
    assert a.hash != b.hash
    assert a.instrument("drums").hash != b.instrument("drums").hash
    assert (
        a.instrument("drums").section("intro").hash != b.instrument("drums").section("intro").hash
    )
    assert song().hash == a.hash


def test_a_contract_edited_after_issue_fails_verification() -> None:
    composition = song()
    object.__setattr__(composition, "bpm", 140)
    with pytest.raises(ProtocolViolationError, match="hash") as info:
        composition.verify()
    assert info.value.field == "hash"
    with pytest.raises(ProtocolViolationError):
        composition.instrument("bass")


def test_rebuilding_with_a_stale_hash_is_refused() -> None:
    composition = song()
    with pytest.raises(ProtocolViolationError, match="changed after it was issued"):
        replace(composition, bpm=100)


def test_an_instrument_paired_with_another_composition_is_a_violation() -> None:
    bass = song().instrument("bass")
    other = song(seed=43)
    with pytest.raises(ProtocolViolationError) as info:
        bass.verify(other)
    assert info.value.field == "composition_hash"
    with pytest.raises(ProtocolViolationError) as info:
        verify_lineage(bass.section("verse"), bass, other)
    assert info.value.field == "composition_hash"


def test_a_section_paired_with_another_instrument_is_a_violation() -> None:
    composition = song()
    verse = composition.instrument("bass").section("verse")
    drums = composition.instrument("drums")
    with pytest.raises(ProtocolViolationError) as info:
        verse.verify(drums)
    assert info.value.field == "instrument_hash"


def test_to_dict_round_trips_and_from_dict_detects_tampered_json() -> None:
    composition = song()
    bass = composition.instrument("bass", chord_schedule=[ChordScheduleEntry(0, "Am7", 0.0, 4.0)])
    verse = bass.section("verse")
    for contract in (composition, bass, verse):
        text = json.dumps(contract.to_dict())
        again = type(contract).from_dict(json.loads(text))
        assert again == contract
        assert again.hash == contract.hash
    tampered = composition.to_dict()
    tampered["bpm"] = 150
    with pytest.raises(ProtocolViolationError):
        CompositionContract.from_dict(tampered)
    tampered_section = verse.to_dict()
    tampered_section["seed"] = 1
    with pytest.raises(ProtocolViolationError):
        SectionContract.from_dict(tampered_section)
    tampered_bass = bass.to_dict()
    tampered_bass["program"] = 34
    with pytest.raises(ProtocolViolationError):
        InstrumentContract.from_dict(tampered_bass)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"roles": ()}, "roles"),
        ({"roles": ("bass", "bass")}, "unique"),
        ({"bpm": 10}, "bpm=10"),
        ({"seed": -1}, "seed=-1"),
        ({"sections": ()}, "at least one section"),
        ({"run_id": " "}, "run_id"),
    ],
)
def test_invalid_composition_contracts_are_refused(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        song(**kwargs)


def test_unknown_roles_and_sections_are_refused() -> None:
    composition = song()
    with pytest.raises(ValueError, match="role 'flute' is not in"):
        composition.instrument("flute")
    with pytest.raises(KeyError, match="no section 'bridge'"):
        composition.instrument("bass", sections=["bridge"])
    with pytest.raises(KeyError, match="has no section 'intro'"):
        composition.instrument("bass", sections=["verse"]).section("intro")
    with pytest.raises(ValueError, match="bars=0"):
        SectionSpec("x", "x", bars=0, start_bar=0)
