"""The plan's scoring targets, and reference corpora cached in the database."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

from maestro_lab import analysis
from maestro_lab.planner import plan
from maestro_lab.planner.targets import generation_targets, plan_targets, scoring_params
from muse_duckdb.telemetry.references import load_reference_corpus
from storpheus.scoring import Scorer

PROMPT = """MAESTRO PROMPT
Mode: compose
Style: {style}
Key: Am
Role: [drums, bass, chords, melody]
Constraints: {{sections: {{intro: 4, verse: 8, chorus: 8}}}}
"""


@pytest.fixture(scope="module")
def lofi():
    return plan(PROMPT.format(style="lofi"), seed=3)


def test_every_generation_gets_a_target_for_every_dimension(lofi):
    table = plan_targets(lofi)
    assert len(table) == len(lofi.generations) * len(Scorer().dimensions)
    assert set(table["dimension"]) == {d.name for d in Scorer().dimensions}
    missing = table[table["target"].isna()]
    assert set(missing["role"]) == {"drums"}
    assert set(missing["dimension"]) == {"key_compliance", "register_fit"}
    for step in lofi.generations:
        params = scoring_params(lofi, step, lofi.request_for(step))
        for name, target in params.targets().items():
            assert (target is None) == (step.role == "drums" and name.startswith(("key", "reg")))


def test_density_follows_section_kind_and_role(lofi):
    def density(section: str, role: str) -> float:
        return generation_targets(lofi, f"{section}/{role}").density

    for role in ("drums", "bass", "melody"):
        assert density("intro", role) < density("verse", role) < density("chorus", role)
    assert density("verse", "drums") > density("verse", "melody") > density("verse", "bass") / 2


def test_velocity_target_lies_in_the_range_and_rises_with_energy(lofi):
    for step in lofi.generations:
        t = generation_targets(lofi, step)
        assert t.velocity_floor <= t.velocity <= t.velocity_ceiling
    calm = dataclasses.replace(lofi.section("verse"), emotion=_energy(lofi, "verse", 0.1))
    loud = dataclasses.replace(lofi.section("verse"), emotion=_energy(lofi, "verse", 0.9))
    quiet_plan = dataclasses.replace(lofi, sections=_swap(lofi, calm))
    loud_plan = dataclasses.replace(lofi, sections=_swap(lofi, loud))
    quiet = generation_targets(quiet_plan, "verse/bass")
    strong = generation_targets(loud_plan, "verse/bass")
    assert strong.velocity > quiet.velocity
    assert strong.density > quiet.density


def _energy(p, name, energy):
    return dataclasses.replace(p.section(name).emotion, energy=energy)


def _swap(p, section):
    return tuple(section if s.name == section.name else s for s in p.sections)


def test_register_comes_from_the_role_and_the_style():
    house = plan(PROMPT.format(style="house"), seed=3)
    lofi = plan(PROMPT.format(style="lofi"), seed=3)
    for p in (house, lofi):
        bass = generation_targets(p, "verse/bass")
        melody = generation_targets(p, "verse/melody")
        assert bass.register_center < melody.register_center
        assert bass.register_center == p.step("verse/bass").constraints.register_center
    assert (
        generation_targets(house, "verse/drums").density
        != generation_targets(lofi, "verse/drums").density
    )


def test_targets_are_a_pure_function_of_the_plan(lofi):
    again = plan(PROMPT.format(style="lofi"), seed=3)
    assert plan_targets(again).equals(plan_targets(lofi))


def test_reference_corpus_is_cached_with_its_provenance(tmp_path: Path):
    db = tmp_path / "refs.duckdb"
    built = analysis.reference_set("bach-chorales", limit=3, db=db)
    cached = load_reference_corpus(db, "bach-chorales", 3)
    assert cached is not None
    assert cached.provenance == built.provenance
    assert cached.provenance["package"] == "music21"
    assert [p.name for p in cached.pieces] == [p.name for p in built.pieces]
    assert [p.sha256 for p in cached.pieces] == [p.sha256 for p in built.pieces]
    for a, b in zip(built.pieces, cached.pieces, strict=True):
        assert a.score.time_signature == b.score.time_signature
        assert len(a.score.tracks) == len(b.score.tracks)
        for ta, tb in zip(a.score.tracks, b.score.tracks, strict=True):
            np.testing.assert_array_equal(ta.notes.pitch, tb.notes.pitch)
            np.testing.assert_array_equal(ta.notes.start_beat, tb.notes.start_beat)
            np.testing.assert_array_equal(ta.notes.duration_beats, tb.notes.duration_beats)
    again = analysis.reference_set("bach-chorales", limit=3, db=db)
    assert [p.sha256 for p in again.pieces] == [p.sha256 for p in built.pieces]
    assert load_reference_corpus(db, "bach-chorales", 4) is None
