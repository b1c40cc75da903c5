"""One style table and one key vocabulary for every path: planner, tools, backends, gallery."""

from __future__ import annotations

import ast
import doctest
import importlib
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
from storpheus.backends.embedded.grooves import GROOVES, groove_for, layer_targets
from storpheus.styles import (
    DEFAULT_STYLE,
    STYLES,
    find_style,
    get_style,
    normalise_style,
    resolve_style,
    style_names,
)
from storpheus.theory import KEY_MODES, parse_key

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


@pytest.mark.parametrize(
    ("text", "style_id", "match"),
    [
        ("funky house", "house", "substring"),
        ("Funky House", "house", "substring"),
        ("funk", "funk", "exact"),
        ("funky", "funk", "alias"),
        ("jazz funk", "funk", "alias"),
        ("dark minimal techno", "techno", "substring"),
        ("Lo-Fi Hip Hop", "lofi", "alias"),
        ("drum & bass", "drum_and_bass", "exact"),
        ("latin trap", "reggaeton", "alias"),
        ("garage rock", "rock", "alias"),
        ("one drop", "reggae", "alias"),
        ("techn", "techno", "substring"),
        ("polka", DEFAULT_STYLE, "fallback"),
        ("", DEFAULT_STYLE, "fallback"),
    ],
)
def test_resolve_style_takes_the_genre_noun_and_reports_how(
    text: str, style_id: str, match: str
) -> None:
    resolved = resolve_style(text)
    assert (resolved.id, resolved.match) == (style_id, match)
    assert resolved.matched == (match != "fallback")
    if match == "fallback":
        assert resolved.warning is not None
        assert repr(text) in resolved.warning
        assert "jazz" in resolved.warning  # the message lists the known styles


def test_no_alias_names_two_styles() -> None:
    owners: dict[str, set[str]] = {}
    for profile in STYLES.values():
        for alias in (profile.id, profile.name, *profile.aliases):
            owners.setdefault(normalise_style(alias), set()).add(profile.id)
    assert {alias: ids for alias, ids in owners.items() if len(ids) > 1} == {}


def test_every_style_resolves_to_itself_and_reads_its_own_key_and_groove() -> None:
    assert style_names() == tuple(sorted(STYLES))
    for profile in STYLES.values():
        assert resolve_style(profile.id).match == "exact"
        assert resolve_style(profile.name).profile is profile
        assert parse_key(profile.default_key, modes=KEY_MODES).name == profile.default_key
        low, high = profile.tempo_range
        assert low <= profile.default_tempo <= high, profile.id
        assert groove_for(profile.groove) is GROOVES[profile.groove]
        assert profile.default_roles
        assert profile.major_progressions
        assert profile.minor_progressions
        assert get_style(profile.id) is profile


def test_find_style_picks_the_first_style_named_in_prose() -> None:
    assert find_style("a jazz ballad with a funky bass line").id == "jazz"
    assert find_style("compose a jazz ballad in Bb major").alias == "jazz ballad"
    assert not find_style("something nice").matched
    found = find_style("write a funky house track")  # adjacent style words: the noun decides
    assert (found.id, found.alias) == ("house", "funky house")


def test_a_request_in_prose_reads_the_one_key_and_style_vocabulary() -> None:
    from maestro_lab.intent.slots import extract_slots

    slots = extract_slots("write a funky house track in C harmonic minor at 124 bpm")
    assert (slots.style, slots.key, slots.tempo) == ("funky house", "C harmonic minor", 124)
    assert resolve_style(slots.style).id == "house"
    assert extract_slots("a waltz in Bb mixo").key == "Bb mixolydian"


def test_drum_layer_targets_come_from_the_groove_patterns() -> None:
    jazz = {name: (low, high, extra) for name, low, high, extra in layer_targets("jazz_swing")}
    # ride 4 + pedal hi-hat 2 sure hits a bar in the sparsest variants: both are "hats"
    assert jazz["hats"][0] == 6
    assert "cymbals" not in jazz
    floor = {
        name: (low, high, extra) for name, low, high, extra in layer_targets("four_on_the_floor")
    }
    assert floor["kick"] == (4, 4, 0)  # the planner's old name of the groove still resolves


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


@pytest.mark.parametrize(
    "module", ["storpheus.styles", "storpheus.styles.profile", "storpheus.styles.resolve"]
)
def test_docstring_examples_run(module: str) -> None:
    result = doctest.testmod(importlib.import_module(module))
    assert result.failed == 0
    assert result.attempted > 0


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
