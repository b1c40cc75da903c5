"""One style table and one key vocabulary on every path: planner, tools, backends, gallery."""

from __future__ import annotations

import ast
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from maestro_lab.gallery import gallery_score
from maestro_lab.planner import plan, validate_plan
from muse_duckdb import Repository
from storpheus.backends.base import GenerationRequest
from storpheus.backends.embedded import build_context
from storpheus.backends.embedded.bass import bass_family
from storpheus.backends.embedded.grooves import groove_for, layer_targets
from storpheus.styles import (
    STYLES,
    resolve_style,
)

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("storpheus", "muse_duckdb", "maestro_lab")
CRASH, RIDE, PEDAL_HAT = 49, 51, 44


def _definitions() -> Counter[str]:
    """Module-level classes, functions and assignments of every package, by name."""
    names: Counter[str] = Counter()
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in tree.body:
                if isinstance(node, ast.ClassDef | ast.FunctionDef):
                    names[node.name] += 1
                elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
                    names[node.target.id] += 1
                elif isinstance(node, ast.Assign):
                    for target in node.targets:
                        if isinstance(target, ast.Name):
                            names[target.id] += 1
    return names


def test_key_style_profile_and_style_table_are_defined_exactly_once() -> None:
    defined = _definitions()
    assert defined["Key"] == 1
    assert defined["StyleProfile"] == 1
    assert defined["STYLES"] == 1
    assert defined["resolve_style"] == 1
    assert defined["StyleResolution"] == 1


def test_a_request_in_prose_reads_the_one_key_and_style_vocabulary() -> None:
    from maestro_lab.intent.slots import extract_slots

    slots = extract_slots("write a funky house track in C harmonic minor at 124 bpm")
    assert (slots.style, slots.key, slots.tempo) == ("funky house", "C harmonic minor", 124)
    assert resolve_style(slots.style).id == "house"
    assert extract_slots("a waltz in Bb mixo").key == "Bb mixolydian"


@pytest.mark.parametrize("style_id", sorted(STYLES))
def test_the_planner_asks_the_backend_for_the_style_it_would_play_itself(style_id: str) -> None:
    """Planner path and direct path agree: groove (drum kit), bass family, melody vocabulary."""
    profile = STYLES[style_id]
    direct = build_context(GenerationRequest(role="bass", bars=2, seed=1, style=style_id))
    planned = plan(
        f"MAESTRO PROMPT\nMode: compose\nStyle: {style_id}\nRole: [drums, bass, melody]\n"
        "Constraints: {sections: {verse: 2}, candidates: 1}\n",
        seed=1,
    )
    for step in planned.generations:
        request = planned.request_for(step, num_candidates=1)
        assert request.style is not None
        assert resolve_style(request.style).profile is profile
        spec = request.spec
        assert spec is not None
        assert groove_for(spec.drum_spec.groove) is groove_for(profile.groove)
        assert spec.melody_spec.style_hint == profile.melody
        if step.role == "bass":
            assert bass_family(build_context(request)) == bass_family(direct) == profile.bass
        layers = {name for name, _ in spec.drum_spec.layers}
        kit = {name for name, _, _, _ in layer_targets(profile.groove)}
        assert layers <= kit | {"percussion"}, (layers, kit)


JAZZ_TRIO = """MAESTRO PROMPT
Mode: compose
Style: jazz
Key: Bb major
Role: [drums, bass, chords]
Constraints: {sections: {verse: 4}, candidates: 2}
"""


def test_a_composed_jazz_prompt_plays_ride_and_pedal_hat_like_the_gallery(tmp_path: Path) -> None:
    import maestro_lab

    planned = plan(JAZZ_TRIO, seed=7)
    assert validate_plan(planned).valid
    drum_layers = {
        name
        for step in planned.generations
        if step.role == "drums"
        for name, _ in planned.request_for(step).spec.drum_spec.layers  # type: ignore[union-attr]
    }
    assert "cymbals" not in drum_layers  # the plan asks for no crash layer to be filled in

    db = tmp_path / "jazz.duckdb"
    maestro_lab.compose(JAZZ_TRIO, db=db, out=None, seed=7)
    committed = Repository.open(db, "default").score("HEAD")
    drums = [t for t in committed.tracks if t.is_drum]
    assert len(drums) == 1
    kit = Counter(drums[0].notes.pitch.tolist())
    bars = 4
    assert kit[RIDE] >= 3 * bars  # the ride carries the time
    assert kit[PEDAL_HAT] >= bars  # the foot hi-hat on 2 and 4
    assert kit[CRASH] <= 2  # a crash at most marks the section, it never plays the ride pattern
    assert kit[RIDE] > 4 * kit[CRASH]

    gallery = Counter(
        np.concatenate([t.notes.pitch for t in gallery_score("jazz", bars=4).tracks if t.is_drum])
        .astype(int)
        .tolist()
    )
    assert gallery[RIDE] >= 3 * bars
    assert gallery[PEDAL_HAT] >= bars
    assert {RIDE, PEDAL_HAT} <= set(kit) & set(gallery)
