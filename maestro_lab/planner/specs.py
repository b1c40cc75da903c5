"""Per-role MusicSpec parts (drums, bass, harmony, melody) from constraints and style.

Drum layers take their hits-per-bar ranges from the patterns of the style's
groove (:func:`~storpheus.backends.embedded.grooves.layer_targets`: the same
groove, and so the same drum kit, the renderer plays), widened by the drum
density; velocities come from the constraints' floor and ceiling, offset per
layer. The bass takes its
note density and lengths from the style's bass style and the rest density.
Everything scales with the bar length for meters other than 4/4.
"""

from __future__ import annotations

from typing import Final

from storpheus.backends.embedded.grooves import layer_targets
from storpheus.spec import (
    BassDensityTarget,
    BassNoteLength,
    BassSpec,
    ChordScheduleEntry,
    DensityTarget,
    DrumConstraints,
    DrumLayerSpec,
    DrumSpec,
    GenerationConstraints,
    HarmonicSpec,
    MelodySpec,
)
from storpheus.styles import StyleProfile
from storpheus.theory import Key

# layer -> (min hits per 4/4 bar, max hits at density 0, extra max hits at density 1)
Layers = dict[str, tuple[float, float, float]]

EXTRA_LAYERS: Final[Layers] = {
    "percussion": (0, 2, 6),
    "cymbals": (0, 1, 2),
    "toms": (0, 1, 3),
}
"""Layers added when the prompt names them (``Role: [kick, congas]``)."""

_LAYER_VELOCITY: Final = {
    "kick": (10, 0),
    "snare": (5, 0),
    "hats": (-12, -15),
    "cymbals": (-5, -10),
    "percussion": (-15, -20),
    "toms": (0, -5),
}

BASS_STYLES: Final[dict[str, tuple[float, float, float, float]]] = {
    "root": (1, 2, 1.0, 4.0),
    "root_fifth": (2, 4, 0.5, 2.0),
    "root_eighths": (4, 8, 0.25, 0.5),
    "walking": (4, 4, 0.75, 1.0),
    "syncopated": (3, 6, 0.25, 1.5),
    "offbeat": (4, 8, 0.25, 0.5),
    "pulse": (8, 16, 0.25, 0.5),
    "sub": (1, 4, 1.0, 4.0),
    "funk": (6, 12, 0.125, 0.5),
    "bossa": (3, 4, 0.5, 1.5),
    "pedal": (1, 1, 2.0, 4.0),
    "octave": (8, 8, 0.25, 0.5),
}
"""Bass styles: (min notes, max notes per 4/4 bar, min length, max length in beats)."""

LOCKED_BASS_STYLES: Final = frozenset({"sub", "syncopated", "funk", "root_fifth"})
"""Bass styles that follow the kick drum."""


def drum_spec(
    style: StyleProfile,
    constraints: GenerationConstraints,
    beats_per_bar: float,
    parts: tuple[str, ...] = (),
) -> DrumSpec:
    """Drum layers, kit constraints and groove family for one section."""
    table: Layers = {
        name: (low, high, extra) for name, low, high, extra in layer_targets(style.groove)
    }
    if constraints.drum_density > 0.7 and "percussion" not in table:
        table["percussion"] = EXTRA_LAYERS["percussion"]
    if parts:
        table = {
            part: table.get(part, EXTRA_LAYERS.get(part, (0, 2, 4)))
            for part in ("kick", "snare", "hats", "cymbals", "toms", "percussion")
            if part in parts
        }
    scale = beats_per_bar / 4.0
    d = constraints.drum_density
    layers = []
    for name, (low, high, extra) in table.items():
        hi = round((high + extra * d) * scale * 2) / 2
        lo = min(round(low * scale * 2) / 2, hi)
        layers.append(
            (name, DrumLayerSpec(name, DensityTarget(lo, hi), _velocity(name, constraints)))
        )
    simultaneous = 4 if d > 0.7 else 3
    # layers sorted by name: DrumSpec.to_dict stores them as a JSON object, so
    # a key-sorted dump (canonical JSON, plan hashes) must not reorder them
    layers.sort(key=lambda item: item[0])
    return DrumSpec(tuple(layers), DrumConstraints(simultaneous), style.groove)


def _velocity(layer: str, constraints: GenerationConstraints) -> tuple[int, int]:
    low_shift, high_shift = _LAYER_VELOCITY.get(layer, (0, 0))
    high = max(1, min(127, constraints.velocity_ceiling + high_shift))
    low = max(1, min(high, constraints.velocity_floor + low_shift))
    return low, high


BUSIER_BASS: Final[dict[str, str]] = {
    "pedal": "root",
    "root": "root_fifth",
    "sub": "root_eighths",
    "root_fifth": "root_eighths",
    "bossa": "root_eighths",
    "syncopated": "root_eighths",
    "walking": "root_eighths",
    "root_eighths": "pulse",
    "offbeat": "pulse",
    "octave": "pulse",
    "funk": "pulse",
}
"""The next busier bass pattern, for a prompt that asks for a busier part (``density`` >= 0.8)."""

BUSY_DENSITY: Final = 0.8
"""``Constraints: density`` from which the bass steps up to a busier pattern."""


def bass_spec(
    style: StyleProfile,
    constraints: GenerationConstraints,
    beats_per_bar: float,
    *,
    busier: bool = False,
) -> BassSpec:
    """Bass density, note lengths, style and kick lock for one section.

    ``busier`` (the prompt asked for a dense part) moves the style's bass
    pattern up one step of :data:`BUSIER_BASS` and frees it from the kick.
    """
    bass_style = style.bass_style
    if busier:
        bass_style = BUSIER_BASS.get(bass_style, bass_style)
    low, high, short, long = BASS_STYLES.get(bass_style, BASS_STYLES["root_fifth"])
    scale = beats_per_bar / 4.0
    busy = 0.75 + 0.5 * (1.0 - constraints.rest_density)
    max_notes = max(low, round(high * busy * 2) / 2) * scale
    return BassSpec(
        density=BassDensityTarget(low * scale, max_notes),
        note_length=BassNoteLength(short, min(long, beats_per_bar)),
        style=bass_style,
        lock_to_kick=bass_style in LOCKED_BASS_STYLES and not busier,
    )


def harmonic_spec(
    style: StyleProfile,
    constraints: GenerationConstraints,
    schedule: tuple[ChordScheduleEntry, ...],
) -> HarmonicSpec:
    """The chord schedule with the style's voicing (rootless needs extensions)."""
    voicing = style.voicing
    if voicing == "rootless" and not constraints.chord_extensions:
        voicing = "close"
    return HarmonicSpec(schedule, voicing)


def melody_spec(style: StyleProfile, key: Key, melody: GenerationConstraints) -> MelodySpec:
    """Melody style hint, the key's mode as scale, and the register band."""
    centre = melody.register_center
    register = "low" if centre < 60 else "mid" if centre <= 74 else "high"
    return MelodySpec(style_hint=style.melody, scale=key.mode, register=register)


def schedule_entries(
    bar_changes: tuple[tuple[tuple[float, str], ...], ...], first_bar: int, beats_per_bar: float
) -> tuple[ChordScheduleEntry, ...]:
    """Chord schedule entries for bars starting at ``first_bar`` (one or more per bar)."""
    entries = []
    for offset, changes in enumerate(bar_changes):
        for i, (fraction, chord) in enumerate(changes):
            end = changes[i + 1][0] if i + 1 < len(changes) else 1.0
            entries.append(
                ChordScheduleEntry(
                    bar=first_bar + offset,
                    chord=chord,
                    beat=fraction * beats_per_bar,
                    duration_beats=(end - fraction) * beats_per_bar,
                )
            )
    return tuple(entries)
