"""Defaults derived from a style and key when the request carries no spec or constraints.

The planner normally supplies a full :class:`~storpheus.spec.MusicSpec` and
per-role :class:`~storpheus.spec.GenerationConstraints`; without them the
embedded backend derives both from the style profile (and the emotion
vector, when given) with the functions here. :func:`default_spec` is public
so a caller can start from the same spec the backend would assume.

Example
-------
>>> spec = default_spec("jazz", "Bb major", bars=4)
>>> [e.chord for e in spec.harmonic_spec.chord_schedule]
['Cm9', 'F9', 'Bbmaj9', 'Bbmaj9']
"""

from __future__ import annotations

from storpheus.backends.embedded.harmony import diatonic_chord, parse_key
from storpheus.spec import (
    BassSpec,
    ChordScheduleEntry,
    DrumConstraints,
    DrumSpec,
    EmotionVector,
    GenerationConstraints,
    GlobalSpec,
    HarmonicSpec,
    MelodySpec,
    MusicSpec,
    SectionMapEntry,
)
from storpheus.styles import StyleProfile, resolve_style
from storpheus.theory import Key


def _clip(x: float, low: float, high: float) -> float:
    return min(high, max(low, x))


def default_constraints(
    style: StyleProfile, role: str, emotion: EmotionVector | None = None
) -> GenerationConstraints:
    """Constraints for ``role`` in ``style``, nudged by ``emotion`` when given.

    Energy raises drum density and velocities, motion lowers the rest density,
    tension raises the leap probability and turns on chord extensions.
    """
    e = emotion or EmotionVector()
    if role == "drums":
        low, high = 35, 81
    else:
        low, high = style.register(role)
    centre, spread = (low + high) // 2, max(1, (high - low) // 2)
    subdivision = style.arp_subdivision if role == "arp" else 4
    floor, ceiling = style.velocity
    shift = round((e.energy - 0.5) * 20 - (e.intimacy - 0.5) * 10)
    floor, ceiling = int(_clip(floor + shift, 1, 120)), int(_clip(ceiling + shift, 40, 127))
    return GenerationConstraints(
        drum_density=_clip(style.drum_density + (e.energy - 0.5) * 0.5, 0.0, 1.0),
        subdivision=subdivision,
        swing=_clip(style.swing, 0.5, 0.75),
        register_center=centre,
        register_spread=spread,
        rest_density=_clip(style.rest_density + (0.5 - e.motion) * 0.2, 0.0, 0.9),
        leap_probability=_clip(style.leap_probability + (e.tension - 0.5) * 0.2, 0.0, 1.0),
        chord_extensions=style.sevenths or e.tension > 0.65,
        harmonic_rhythm=style.harmonic_rhythm,
        velocity_floor=min(floor, ceiling),
        velocity_ceiling=ceiling,
    )


def progression_symbols(
    style: StyleProfile, key: Key, constraints: GenerationConstraints | None = None
) -> list[str]:
    """Chord symbols of the style's first progression in ``key``.

    Sevenths come from the style or from ``constraints.chord_extensions``;
    ninths from the style (they need sevenths).
    """
    degrees = style.degree_progressions(key.is_minor)[0]
    seventh = style.sevenths or bool(constraints and constraints.chord_extensions)
    ninth = style.ninths and seventh
    return [diatonic_chord(key, d, seventh=seventh, ninth=ninth).symbol for d in degrees]


def default_spec(
    style: str,
    key: str | None = None,
    *,
    bars: int = 8,
    bpm: int | None = None,
    time_signature: tuple[int, int] = (4, 4),
    section_name: str = "section",
) -> MusicSpec:
    """The MusicSpec the embedded backend assumes for ``style`` in ``key``.

    ``key`` and ``bpm`` default to the style's. The chord schedule follows the
    style's first progression at its harmonic rhythm.
    """
    profile = resolve_style(style).profile
    parsed = parse_key(key or profile.default_key)
    num, den = time_signature
    beats_per_bar = num * 4.0 / den
    symbols = progression_symbols(profile, parsed)
    length = beats_per_bar / profile.harmonic_rhythm
    schedule = []
    beat, index = 0.0, 0
    while beat < bars * beats_per_bar - 1e-9:
        bar, offset = divmod(beat, beats_per_bar)
        schedule.append(ChordScheduleEntry(int(bar), symbols[index % len(symbols)], offset))
        beat += length
        index += 1
    return MusicSpec(
        global_spec=GlobalSpec(
            bpm=bpm or profile.default_tempo,
            bars=bars,
            time_sig_num=num,
            time_sig_den=den,
            key=parsed.name,
        ),
        drum_spec=DrumSpec(groove=profile.groove, constraints=DrumConstraints(max_simultaneous=4)),
        bass_spec=BassSpec(style=profile.bass, lock_to_kick=profile.lock_to_kick),
        harmonic_spec=HarmonicSpec(chord_schedule=tuple(schedule), voicing_style=profile.voicing),
        melody_spec=MelodySpec(style_hint=profile.melody, scale=parsed.mode, register="mid"),
        section_map=(SectionMapEntry(section_name, 0, bars),),
        style=profile.id,
    )


__all__ = ["default_constraints", "default_spec", "progression_symbols"]
