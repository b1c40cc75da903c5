"""Planner properties: any reasonable prompt gives a valid, lossless, deterministic plan."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

from hypothesis import given, settings
from hypothesis import strategies as st

from maestro_lab.errors import PlanningError
from maestro_lab.planner import CompositionPlan, plan, validate_plan
from storpheus.styles import STYLES

try:
    import maestro_lab.tools.validation as CATALOGUE  # noqa: N812 - a module used as a value
except ImportError:  # pragma: no cover - the runtime's tool catalogue is optional here
    CATALOGUE = None

STYLE_WORDS = [*STYLES, "lo-fi hip hop", "deep house", "latin trap", "polka", "neo soul"]
KEYS = ["C", "F#m", "Eb major", "A dorian", "Bbm", "D mixolydian", "G# minor", "Cb"]
ROLE_WORDS = [
    "drums", "kick", "hats", "bass", "sub bass", "piano", "keys", "rhodes", "strings", "synth",
    "pad", "sax", "flute", "lead", "arp", "fx", "choir", "kazoo", "808", "organ",
]  # fmt: skip
SECTIONS = ["intro", "verse", "chorus", "bridge", "drop", "outro", "pre-chorus fill", "coda"]
VIBES = ["dusty", "warm", "dark", "euphoric", "laid back", "tense", "zorp", "dreamy"]
PROJECT = {
    "tempo": 100,
    "sections": [
        {"name": "intro", "startBeat": 0, "lengthBeats": 16},
        {"name": "verse", "startBeat": 16, "lengthBeats": 32},
        {"name": "chorus", "startBeat": 64, "lengthBeats": 32},
    ],
}


@st.composite
def prompts(draw: st.DrawFn) -> str:
    lines = ["MAESTRO PROMPT", f"Mode: {draw(st.sampled_from(['compose'] * 4 + ['edit', 'ask']))}"]
    if draw(st.booleans()):
        lines.append(f"Style: {draw(st.sampled_from(STYLE_WORDS))}")
    if draw(st.booleans()):
        lines.append(f"Key: {draw(st.sampled_from(KEYS))}")
    if draw(st.booleans()):
        lines.append(f"Tempo: {draw(st.integers(20, 300))}")
    roles = draw(st.lists(st.sampled_from(ROLE_WORDS), max_size=6, unique=True))
    if roles:
        lines.append(f"Role: {json.dumps(roles)}")
    if draw(st.booleans()):
        lines.append(f"Section: {draw(st.sampled_from(SECTIONS))}")
    if draw(st.booleans()):
        position = draw(
            st.sampled_from(
                ["after intro", "before chorus - 4", "between verse chorus", "last", "bar 5",
                 "alongside verse + 2", "within verse bar 2", "after nowhere"]
            )
        )  # fmt: skip
        lines.append(f"Position: {position}")
    constraints = {}
    if draw(st.booleans()):
        constraints["bars"] = draw(st.integers(1, 130))
    if draw(st.booleans()):
        constraints["density"] = draw(st.sampled_from(["sparse", "dense", "medium", 0.7]))
    if draw(st.booleans()):
        constraints["meter"] = draw(st.sampled_from(["3/4", "6/8", "4/4", "7/8"]))
    if draw(st.booleans()):
        constraints["sections"] = draw(
            st.lists(st.sampled_from(SECTIONS[:6]), min_size=1, max_size=5)
        )
    if draw(st.booleans()):
        constraints["candidates"] = draw(st.integers(1, 6))
    if draw(st.booleans()):
        constraints["no_effects"] = True
    if constraints:
        lines.append(f"Constraints: {json.dumps(constraints)}")
    vibes = draw(st.lists(st.sampled_from(VIBES), max_size=3, unique=True))
    if vibes:
        weights = draw(st.lists(st.integers(1, 4), min_size=len(vibes), max_size=len(vibes)))
        lines.append(
            f"Vibe: {json.dumps([f'{v} x{w}' for v, w in zip(vibes, weights, strict=True)])}"
        )
    lines.append("Request: do it")
    return "\n".join(lines)


@settings(max_examples=80, deadline=None)
@given(prompts(), st.one_of(st.none(), st.integers(0, 2**63 - 1)), st.booleans())
def test_any_prompt_gives_a_valid_lossless_deterministic_plan(
    text: str, seed: int | None, with_project: bool
) -> None:
    project = PROJECT if with_project else None
    try:
        result = plan(text, project=project, seed=seed)
    except PlanningError as exc:  # a position naming a section the project does not have
        message = str(exc)
        assert "is not in the project; known sections:" in message
        assert "Position: " in text
        return
    report = validate_plan(result)
    assert report.valid, (text, report.errors)
    again = CompositionPlan.from_dict(json.loads(result.to_json()))
    assert again == result
    assert again.plan_hash == result.plan_hash
    assert plan(text, project=project, seed=seed).plan_hash == result.plan_hash
    for step in result.generations:
        request = result.request_for(step)
        assert request.candidate_seed(0) == step.candidate_seeds[0]
    if CATALOGUE is not None:
        for call in result.tool_calls:
            checked = CATALOGUE.check_tool_call(CATALOGUE.ToolCall(call.tool, call.params))
            assert checked.valid, (call.tool, [str(e) for e in checked.errors])


CROSS_PROCESS = [
    "MAESTRO PROMPT\nMode: compose\nStyle: lofi hip hop\nKey: Cm\nTempo: 75\n"
    "Role: [drums, bass, piano, melody]\nVibe: [dusty x3, warm]\nConstraints: {bars: 32}",
    "MAESTRO PROMPT\nMode: compose\nStyle: house\nRole: [kick, hats, sub bass, strings, arp]\n"
    "Constraints: {bars: 96, form: long}",
    "make a dark techno track at 130 bpm with an intro, a drop and an outro",
    "MAESTRO PROMPT\nMode: compose\nSection: bridge\nPosition: between verse chorus\n"
    "Style: jazz\nKey: Bb\nEffects: {bass: {eq: cut lows}}",
]


def _hashes_in_subprocess(hash_seed: str) -> dict[str, str]:
    script = textwrap.dedent(
        """
        import json, sys
        from maestro_lab.planner import plan
        prompts, project = json.loads(sys.stdin.read())
        out = {}
        for i, text in enumerate(prompts):
            out[str(i)] = plan(text, project=project).plan_hash
            out[f"{i}s"] = plan(text, project=project, seed=7).plan_hash
        print(json.dumps(out))
        """
    )
    env = dict(os.environ, PYTHONHASHSEED=hash_seed)
    done = subprocess.run(
        [sys.executable, "-c", script],
        input=json.dumps([CROSS_PROCESS, PROJECT]),
        capture_output=True,
        text=True,
        env=env,
        check=True,
        timeout=120,
    )
    result: dict[str, str] = json.loads(done.stdout)
    return result


def test_plan_hash_is_identical_across_processes_with_different_hash_seeds() -> None:
    here = {}
    for i, text in enumerate(CROSS_PROCESS):
        here[str(i)] = plan(text, project=PROJECT).plan_hash
        here[f"{i}s"] = plan(text, project=PROJECT, seed=7).plan_hash
    first = _hashes_in_subprocess("0")
    second = _hashes_in_subprocess("2718281")
    assert first == second == here
    assert len(set(here.values())) == len(here)
