"""Emotion vector blending and the constraints derived from it."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from maestro_lab.emotion import (
    AXES,
    ENERGY_LEVELS,
    SECTION_PRESETS,
    VIBES,
    emotion_to_constraints,
    emotion_vector,
    explain_emotion,
    section_preset_name,
    vibe_axes,
)
from maestro_lab.prompts import VibeWeight, parse_prompt
from storpheus.spec import EmotionVector, GenerationConstraints
from storpheus.styles import STYLES


def test_no_source_gives_the_neutral_vector() -> None:
    assert emotion_vector() == EmotionVector()


def test_chorus_is_more_energetic_than_verse_and_drop_most() -> None:
    verse = emotion_vector(section="verse")
    chorus = emotion_vector(section="chorus")
    drop = emotion_vector(section="drop")
    assert verse.energy < chorus.energy < drop.energy
    assert emotion_vector(section="breakdown").motion < verse.motion


@pytest.mark.parametrize(
    ("name", "preset"),
    [
        ("verse 2", "verse"),
        ("chorus_3", "chorus"),
        ("Pre-Chorus", "buildup"),
        ("pre-chorus fill", "buildup"),
        ("hook", "chorus"),
        ("coda", "outro"),
        ("big drop", "drop"),
        ("something else", None),
        (None, None),
    ],
)
def test_section_names_map_to_presets(name: str | None, preset: str | None) -> None:
    assert section_preset_name(name) == preset


def test_vibe_weight_counts_like_repetition() -> None:
    tripled = emotion_vector(section="verse", vibes=[VibeWeight("dusty", 3)])
    repeated = emotion_vector(section="verse", vibes=[VibeWeight("dusty")] * 3)
    assert tripled == repeated


def test_higher_vibe_weight_pulls_harder() -> None:
    once = emotion_vector(section="chorus", vibes=[VibeWeight("melancholic")])
    thrice = emotion_vector(section="chorus", vibes=[VibeWeight("melancholic", 3)])
    chorus = emotion_vector(section="chorus")
    assert chorus.valence > once.valence > thrice.valence


def test_dark_lowers_and_bright_raises_valence() -> None:
    assert emotion_vector(vibes=[VibeWeight("dark")]).valence < 0.5
    assert emotion_vector(vibes=[VibeWeight("bright")]).valence > 0.5


def test_vibe_only_moves_its_own_axes() -> None:
    v = emotion_vector(vibes=[VibeWeight("tense")])
    assert v.tension == pytest.approx(0.75)
    assert (v.energy, v.valence, v.intimacy, v.motion) == (0.5, 0.5, 0.5, 0.5)


def test_energy_field_sets_energy_and_motion() -> None:
    low = emotion_vector(section="chorus", energy="very low")
    high = emotion_vector(section="chorus", energy="very high")
    assert low.energy < 0.5 < high.energy
    assert low.motion < high.motion
    assert low.valence == high.valence


def test_style_preset_colours_the_vector_lightly() -> None:
    ambient = emotion_vector(section="verse", style="ambient")
    techno = emotion_vector(section="verse", style="melodic techno")
    assert ambient.energy < techno.energy
    plain = emotion_vector(section="verse")
    assert abs(ambient.energy - plain.energy) < abs(ambient.energy - 0.15)


def test_unknown_style_and_vibes_are_ignored_but_reported() -> None:
    breakdown = explain_emotion(section="verse", style="polka", vibes=[VibeWeight("zorp", 5)])
    assert breakdown.unknown_vibes == ("zorp",)
    assert breakdown.vector == emotion_vector(section="verse")
    assert [s.label for s in breakdown.sources] == ["section verse"]


def test_vibe_spellings() -> None:
    assert vibe_axes("Laid-Back") == vibe_axes("laid back") == vibe_axes("laidback")
    assert vibe_axes("melancholy") == VIBES["melancholic"]
    assert vibe_axes("glorp") is None


def test_prompt_fields_feed_the_vector() -> None:
    prompt = parse_prompt(
        "MAESTRO PROMPT\nMode: compose\nSection: chorus\nStyle: house\n"
        "Vibe: [euphoric x2, driving]\nEnergy: very high"
    )
    assert prompt is not None
    vector = emotion_vector(prompt)
    assert vector.energy >= 0.85
    assert vector.motion > 0.8
    assert emotion_vector(prompt, section="breakdown").energy < vector.energy


# ------------------------------------------------------------ constraints
def test_energy_raises_density_and_velocities() -> None:
    calm = emotion_to_constraints(EmotionVector(energy=0.1, motion=0.1))
    wild = emotion_to_constraints(EmotionVector(energy=0.95, motion=0.95))
    assert calm.drum_density < wild.drum_density
    assert calm.velocity_floor < wild.velocity_floor
    assert calm.velocity_ceiling < wild.velocity_ceiling
    assert calm.rest_density > wild.rest_density
    assert calm.subdivision == 2
    assert wild.subdivision == 4


def test_tension_raises_leaps_and_extensions() -> None:
    relaxed = emotion_to_constraints(EmotionVector(tension=0.1))
    tense = emotion_to_constraints(EmotionVector(tension=0.9))
    assert relaxed.leap_probability < tense.leap_probability
    assert not relaxed.chord_extensions
    assert tense.chord_extensions
    assert relaxed.register_spread < tense.register_spread


def test_registers_follow_roles_and_valence() -> None:
    v = EmotionVector()
    assert emotion_to_constraints(v, role="bass").register_center < 48
    assert emotion_to_constraints(v, role="melody").register_center >= 70
    dark = emotion_to_constraints(EmotionVector(valence=0.0), role="melody")
    bright = emotion_to_constraints(EmotionVector(valence=1.0), role="melody")
    assert dark.register_center < bright.register_center


def test_swing_comes_from_the_style() -> None:
    v = EmotionVector()
    assert emotion_to_constraints(v, style="techno").swing == 0.5
    assert emotion_to_constraints(v, style="jazz").swing > 0.6
    assert emotion_to_constraints(v, style="lofi").swing > 0.55
    assert emotion_to_constraints(v, style="jazz").subdivision == 3


def test_extended_harmony_styles_always_allow_extensions() -> None:
    assert emotion_to_constraints(EmotionVector(tension=0.0), style="jazz").chord_extensions


def test_harmonic_rhythm_follows_motion() -> None:
    base = STYLES["pop"].harmonic_rhythm
    assert emotion_to_constraints(EmotionVector(motion=0.5), style="pop").harmonic_rhythm == base
    assert (
        emotion_to_constraints(EmotionVector(motion=0.9), style="pop").harmonic_rhythm == base * 2
    )
    assert (
        emotion_to_constraints(EmotionVector(motion=0.1), style="pop").harmonic_rhythm == base / 2
    )


def test_prompt_constraints_override_fields() -> None:
    v = EmotionVector(energy=0.9)
    sparse = emotion_to_constraints(v, overrides={"density": "sparse"})
    assert sparse.drum_density == 0.25
    assert sparse.rest_density > emotion_to_constraints(v).rest_density
    exact = emotion_to_constraints(v, overrides={"swing": 0.6, "leap_probability": 0.05})
    assert exact.swing == 0.6
    assert exact.leap_probability == 0.05


def test_floor_override_above_ceiling_lifts_the_ceiling() -> None:
    c = emotion_to_constraints(EmotionVector(energy=0.0), overrides={"velocity_floor": 120})
    assert c.velocity_floor == 120
    assert c.velocity_ceiling >= 120


axis_values = st.floats(0.0, 1.0)


@given(
    st.lists(st.sampled_from(sorted(VIBES)), max_size=6),
    st.lists(st.integers(1, 10), min_size=6, max_size=6),
    st.sampled_from([None, *SECTION_PRESETS, "verse 2", "weird"]),
    st.sampled_from([None, *STYLES]),
    st.sampled_from([None, *ENERGY_LEVELS]),
    st.sampled_from(["drums", "bass", "chords", "pads", "melody", "lead", "arp", "fx"]),
)
def test_any_blend_stays_in_range_and_gives_valid_constraints(
    vibes: list[str],
    weights: list[int],
    section: str | None,
    style: str | None,
    energy: str | None,
    role: str,
) -> None:
    weighted = [VibeWeight(v, w) for v, w in zip(vibes, weights, strict=False)]
    vector = emotion_vector(section=section, style=style, vibes=weighted, energy=energy)
    assert all(0.0 <= getattr(vector, a) <= 1.0 for a in AXES)
    constraints = emotion_to_constraints(vector, style=style, role=role)
    assert isinstance(constraints, GenerationConstraints)
    assert constraints.velocity_floor < constraints.velocity_ceiling


@given(axis_values, axis_values, axis_values, axis_values, axis_values)
def test_constraints_valid_for_every_vector(
    e: float, v: float, t: float, i: float, m: float
) -> None:
    vector = EmotionVector(energy=e, valence=v, tension=t, intimacy=i, motion=m)
    for style in (None, "jazz", "techno"):
        c = emotion_to_constraints(vector, style=style, role="bass")
        assert 0 <= c.register_low <= c.register_center <= c.register_high <= 127
