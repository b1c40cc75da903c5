"""The MusicSpec IR serialises losslessly, also through key-sorted JSON."""

from __future__ import annotations

import json

import pytest

from storpheus.spec import (
    ChordScheduleEntry,
    DensityTarget,
    DrumLayerSpec,
    DrumSpec,
    EmotionVector,
    GenerationConstraints,
    GlobalSpec,
    HarmonicSpec,
    MusicSpec,
    SectionMapEntry,
)


def _spec() -> MusicSpec:
    layers = (
        ("snare", DrumLayerSpec("snare", DensityTarget(2, 4), (80, 110))),
        ("kick", DrumLayerSpec("kick", DensityTarget(4, 8))),
        ("hats", DrumLayerSpec("hats", DensityTarget(8, 16), (50, 90))),
    )
    return MusicSpec(
        global_spec=GlobalSpec(bpm=90, bars=8, key="A minor"),
        drum_spec=DrumSpec(layers=layers, groove="boom_bap"),
        harmonic_spec=HarmonicSpec((ChordScheduleEntry(0, "Am7"), ChordScheduleEntry(4, "Dm9"))),
        section_map=(SectionMapEntry("intro", 0, 4), SectionMapEntry("verse", 4, 4)),
        style="boom_bap",
    )


def test_spec_survives_key_sorted_json_with_layer_order_kept() -> None:
    spec = _spec()
    text = json.dumps(spec.to_dict(), sort_keys=True)
    back = MusicSpec.from_dict(json.loads(text))
    assert back == spec
    assert [name for name, _ in back.drum_spec.layers] == ["snare", "kick", "hats"]


def test_drum_layers_given_as_a_mapping_are_accepted() -> None:
    data = {"layers": {"kick": {"role": "kick", "density": {"min_hits_per_bar": 1,
                                                         "max_hits_per_bar": 2}}}}  # fmt: skip
    assert DrumSpec.from_dict(data).layer("kick").density.max_hits_per_bar == 2


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: GlobalSpec(bpm=301), "bpm=301"),
        (lambda: GlobalSpec(bars=0), "bars=0"),
        (lambda: SectionMapEntry("verse", -1, 4), "start_bar=-1"),
        (lambda: EmotionVector(energy=1.5), "energy=1.5"),
        (lambda: GenerationConstraints(swing=0.9), "swing=0.9"),
        (lambda: GenerationConstraints(velocity_floor=100, velocity_ceiling=90), "exceeds"),
        (lambda: DensityTarget(4, 2), "min <= max"),
        (lambda: DrumLayerSpec("kick", DensityTarget(1, 2), (120, 60)), "reversed"),
        (lambda: MusicSpec(section_map=(SectionMapEntry("verse", 4, 8),)), "ends at bar 12"),
        (lambda: MusicSpec.from_dict({"section_map": "verse"}), "section_map must be a list"),
        (lambda: GlobalSpec.from_dict({"tempo": 90}), "unknown fields"),
    ],
)
def test_invalid_specs_raise_value_errors_naming_the_field(build, message: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match=message):
        build()


def test_harmonic_spec_chord_at() -> None:
    harmony = _spec().harmonic_spec
    assert [harmony.chord_at(b) for b in (0, 3, 4, 7)] == ["Am7", "Am7", "Dm9", "Dm9"]
    assert HarmonicSpec().chord_at(0) is None
