"""Plans round-trip through JSON, carry a stable hash, validate, and preview for people."""

from __future__ import annotations

import dataclasses
import json

import jsonschema
import pytest

from maestro_lab.errors import InvalidPlanError
from maestro_lab.planner import CompositionPlan, plan, plan_schema, plan_wire_schema, validate_plan

PROMPT = """MAESTRO PROMPT
Mode: compose
Style: bossa nova
Key: D minor
Tempo: 128
Role: [drums, upright bass, nylon guitar, flute]
Vibe: [warm x2, nostalgic]
Constraints: {bars: 24, candidates: 3}
"""


@pytest.fixture(scope="module")
def bossa() -> CompositionPlan:
    return plan(PROMPT, project={"tempo": 100}, seed=11)


def test_to_dict_from_dict_is_lossless(bossa: CompositionPlan) -> None:
    data = json.loads(json.dumps(bossa.to_dict()))
    again = CompositionPlan.from_dict(data)
    assert again == bossa
    assert again.plan_hash == bossa.plan_hash
    assert again.to_dict() == bossa.to_dict()


def test_to_json_from_json(bossa: CompositionPlan) -> None:
    assert CompositionPlan.from_json(bossa.to_json()) == bossa
    assert CompositionPlan.from_json(bossa.to_json(indent=None)).plan_hash == bossa.plan_hash


def test_plan_hash_is_sha256_of_canonical_json(bossa: CompositionPlan) -> None:
    import hashlib

    canonical = json.dumps(bossa.to_dict(include_hash=False), sort_keys=True, separators=(",", ":"))
    assert bossa.plan_hash == hashlib.sha256(canonical.encode()).hexdigest()
    assert bossa.to_dict()["planHash"] == bossa.plan_hash


def test_same_inputs_same_hash_and_any_change_changes_it(bossa: CompositionPlan) -> None:
    assert plan(PROMPT, project={"tempo": 100}, seed=11).plan_hash == bossa.plan_hash
    assert plan(PROMPT, project={"tempo": 128}, seed=11).plan_hash != bossa.plan_hash
    assert plan(PROMPT, project={"tempo": 100}, seed=12).plan_hash != bossa.plan_hash


def test_edited_json_with_stale_hash_is_rejected(bossa: CompositionPlan) -> None:
    data = bossa.to_dict()
    data["tempo"] = 90
    with pytest.raises(InvalidPlanError, match="planHash"):
        CompositionPlan.from_dict(data)
    del data["planHash"]
    assert CompositionPlan.from_dict(data).tempo == 90


@pytest.mark.parametrize(
    ("mutate", "fragment"),
    [
        (lambda d: d.pop("roles"), "roles: Field required"),
        (lambda d: d.__setitem__("tempo", 900), "tempo: Input should be less than or equal to 300"),
        (lambda d: d["roles"][0].__setitem__("channel", 16), "roles.0.channel"),
        (lambda d: d["generations"][0].__setitem__("bars", 0), "generations.0.bars"),
        (lambda d: d["prompt"].__setitem__("mode", "sing"), "prompt.mode"),
        (lambda d: d["sections"][0]["spec"].__setitem__("global_spec", {"bpm": 5}), "bpm"),
    ],
)
def test_malformed_plan_json_names_the_problem(
    bossa: CompositionPlan, mutate, fragment: str
) -> None:
    data = json.loads(json.dumps(bossa.to_dict()))
    data.pop("planHash")
    mutate(data)
    with pytest.raises(InvalidPlanError) as info:
        CompositionPlan.from_dict(data)
    assert fragment in "\n".join(info.value.details)


def test_not_json_is_an_invalid_plan() -> None:
    with pytest.raises(InvalidPlanError, match="not JSON"):
        CompositionPlan.from_json("{nope")


def test_plan_json_matches_its_schema(bossa: CompositionPlan) -> None:
    schema = plan_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(json.loads(bossa.to_json()), schema)
    wire = plan_wire_schema()
    jsonschema.validate(json.loads(json.dumps(bossa.wire())), wire)


# -------------------------------------------------------------- validation
def test_planner_output_is_valid(bossa: CompositionPlan) -> None:
    report = validate_plan(bossa)
    assert report.valid
    assert report.to_dict()["errors"] == []


def _corrupt(p: CompositionPlan, **changes: object) -> CompositionPlan:
    return dataclasses.replace(p, **changes)  # type: ignore[arg-type]


def test_validate_catches_a_seed_not_derived_by_hashing(bossa: CompositionPlan) -> None:
    first = dataclasses.replace(bossa.generations[0], seed=123)
    report = validate_plan(_corrupt(bossa, generations=(first, *bossa.generations[1:])))
    assert any("seed is not derived" in e for e in report.errors)


def test_validate_catches_missing_generations_and_bad_order(bossa: CompositionPlan) -> None:
    report = validate_plan(_corrupt(bossa, generations=bossa.generations[1:]))
    assert any("missing generations" in e for e in report.errors)
    calls = list(bossa.tool_calls)
    calls[0], calls[-1] = calls[-1], calls[0]
    report = validate_plan(_corrupt(bossa, tool_calls=tuple(calls)))
    assert any("id should be" in e for e in report.errors)
    assert any("after a later phase" in e for e in report.errors)


def test_validate_catches_send_before_bus_and_generation_before_region(
    bossa: CompositionPlan,
) -> None:
    calls = [
        c for c in bossa.tool_calls if c.tool not in ("stori_ensure_bus", "stori_add_midi_region")
    ]
    renumbered = tuple(dataclasses.replace(c, id=f"{i:03d}") for i, c in enumerate(calls, 1))
    report = validate_plan(_corrupt(bossa, tool_calls=renumbered))
    assert any("before it exists" in e for e in report.errors)
    assert any("generation before its region" in e for e in report.errors)


def test_validate_catches_overlapping_sections_and_bad_channels(bossa: CompositionPlan) -> None:
    shifted = dataclasses.replace(bossa.sections[1], start_bar=0)
    report = validate_plan(
        _corrupt(bossa, sections=(bossa.sections[0], shifted, *bossa.sections[2:]))
    )
    assert any("starts at bar 0" in e for e in report.errors)
    bass = dataclasses.replace(bossa.roles[1], channel=9)
    report = validate_plan(_corrupt(bossa, roles=(bossa.roles[0], bass, *bossa.roles[2:])))
    assert any("drum channel" in e for e in report.errors)


def test_validate_warns_about_single_candidates() -> None:
    report = validate_plan(plan(PROMPT, seed=1, num_candidates=1))
    assert report.valid
    assert any("one candidate" in w for w in report.warnings)


# ----------------------------------------------------------------- preview
def test_preview_shows_what_a_person_needs(bossa: CompositionPlan) -> None:
    text = bossa.preview()
    for fragment in (
        bossa.plan_hash[:12],
        "bossa_nova | 128 BPM | D minor | 4/4 | 24 bars",
        "Sections",
        "Upright Bass",
        "32 Acoustic Bass",
        "Nylon Guitar",
        "kit jazz_brushes",
        "Generations (",
        "Execution (",
        "setup       Set tempo to 128 BPM",
        "buses Reverb",
        "sends from Nylon Guitar, Flute",
    ):
        assert fragment in text
    assert all(len(line) <= 120 for line in text.splitlines())
    assert all(len(line) <= 80 for line in bossa.preview(width=80).splitlines())


def test_preview_of_an_empty_plan() -> None:
    text = plan("MAESTRO PROMPT\nMode: ask\nRequest: why?").preview()
    assert "(nothing to execute)" in text
    assert "REASONING" in text
