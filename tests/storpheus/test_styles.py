"""The one style table: profiles, name resolution, drum layers read from the groove."""

from __future__ import annotations

import doctest
import importlib

import pytest

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


def test_drum_layer_targets_come_from_the_groove_patterns() -> None:
    jazz = {name: (low, high, extra) for name, low, high, extra in layer_targets("jazz_swing")}
    # ride 4 + pedal hi-hat 2 sure hits a bar in the sparsest variants: both are "hats"
    assert jazz["hats"][0] == 6
    assert "cymbals" not in jazz
    floor = {
        name: (low, high, extra) for name, low, high, extra in layer_targets("four_on_the_floor")
    }
    assert floor["kick"] == (4, 4, 0)  # the planner's old name of the groove still resolves


@pytest.mark.parametrize(
    "module", ["storpheus.styles", "storpheus.styles.profile", "storpheus.styles.resolve"]
)
def test_docstring_examples_run(module: str) -> None:
    result = doctest.testmod(importlib.import_module(module))
    assert result.failed == 0
    assert result.attempted > 0
