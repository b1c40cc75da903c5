"""The emotion vector (five mood axes) and the generation constraints derived from it.

:func:`emotion_vector` blends, per axis, a weighted mean of every source that
says something about that axis (an axis no source mentions stays at 0.5):

============  =======  ==================================================
Source        Weight   Axes
============  =======  ==================================================
``Section``   1.5      all five, from :data:`SECTION_PRESETS`
``Style``     0.5      all five, from the style profile's preset
``Vibe``      1.0 x w  the axes the keyword moves (:data:`VIBES`); ``x3``
                       counts three times
``Energy``    1.5      energy and motion (:data:`ENERGY_LEVELS`)
============  =======  ==================================================

All axes are 0-1, valence included (0 = dark, 0.5 = neutral, 1 = bright; the
tables below give valence on a -1..+1 scale, mapped by ``(v + 1) / 2``).

:func:`emotion_to_constraints` turns a vector into
:class:`~storpheus.spec.GenerationConstraints` for a role and style; prompt
``Constraints`` override single fields.

Example
-------
>>> v = emotion_vector(section="chorus", vibes=[VibeWeight("euphoric", 2)])
>>> v.energy > 0.8 and v.valence > 0.7
True
>>> c = emotion_to_constraints(v, role="bass")
>>> c.register_center < 48
True
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields, replace
from typing import Final

from pydantic import JsonValue

from maestro_lab.prompts.base import StructuredPrompt, VibeWeight
from maestro_lab.prompts.constraints import DENSITY_WORDS
from storpheus.spec import EmotionVector, GenerationConstraints
from storpheus.styles import StyleProfile, resolve_style

AXES: Final = ("energy", "valence", "tension", "intimacy", "motion")
SECTION_WEIGHT: Final = 1.5
STYLE_WEIGHT: Final = 0.5
VIBE_WEIGHT: Final = 1.0
ENERGY_WEIGHT: Final = 1.5

Axes = dict[str, float]


def _v(valence: float) -> float:
    """A reference valence (-1..+1) on the 0-1 scale."""
    return round((valence + 1.0) / 2.0, 4)


def _preset(energy: float, valence: float, tension: float, intimacy: float, motion: float) -> Axes:
    return {
        "energy": energy,
        "valence": _v(valence),
        "tension": tension,
        "intimacy": intimacy,
        "motion": motion,
    }


SECTION_PRESETS: Final[dict[str, Axes]] = {
    "intro": _preset(0.30, 0.10, 0.20, 0.60, 0.30),
    "verse": _preset(0.40, 0.00, 0.30, 0.70, 0.40),
    "chorus": _preset(0.80, 0.30, 0.40, 0.50, 0.70),
    "bridge": _preset(0.50, -0.10, 0.60, 0.60, 0.50),
    "breakdown": _preset(0.20, 0.00, 0.50, 0.80, 0.20),
    "buildup": _preset(0.60, 0.20, 0.70, 0.40, 0.60),
    "drop": _preset(1.00, 0.50, 0.30, 0.20, 1.00),
    "outro": _preset(0.25, 0.20, 0.10, 0.70, 0.20),
}
"""Emotion presets per section kind (valence mapped to 0-1)."""

SECTION_ALIASES: Final = {
    "pre-chorus": "buildup",
    "prechorus": "buildup",
    "pre chorus": "buildup",
    "build": "buildup",
    "build-up": "buildup",
    "rise": "buildup",
    "riser": "buildup",
    "fill": "buildup",
    "hook": "chorus",
    "refrain": "chorus",
    "solo": "chorus",
    "main": "verse",
    "theme": "verse",
    "motif": "verse",
    "head": "verse",
    "a": "verse",
    "groove": "verse",
    "b": "bridge",
    "middle": "bridge",
    "climax": "drop",
    "break": "breakdown",
    "interlude": "breakdown",
    "resolve": "outro",
    "ending": "outro",
    "coda": "outro",
    "end": "outro",
}
"""Other section names and the preset they use (``"verse 2"`` uses ``verse``)."""

ENERGY_LEVELS: Final[dict[str, tuple[float, float]]] = {
    "very low": (0.10, 0.10),
    "low": (0.20, 0.20),
    "medium": (0.50, 0.50),
    "high": (0.80, 0.70),
    "very high": (0.95, 0.90),
}
"""``Energy:`` levels as (energy, motion)."""


def _a(**axes: float) -> Axes:
    return {name: (_v(value) if name == "valence" else value) for name, value in axes.items()}


VIBES: Final[dict[str, Axes]] = {
    # valence (dark <-> bright); valence given on a -1..+1 scale, mapped to 0-1
    "dark": _a(valence=-0.45, tension=0.50),
    "darker": _a(valence=-0.40, tension=0.55),
    "moody": _a(valence=-0.30, tension=0.45),
    "brooding": _a(valence=-0.35, tension=0.50, energy=0.30),
    "melancholic": _a(valence=-0.50, energy=0.25, intimacy=0.70),
    "sad": _a(valence=-0.60, energy=0.30),
    "nostalgic": _a(valence=-0.20, intimacy=0.60),
    "bittersweet": _a(valence=-0.10, intimacy=0.60, tension=0.35),
    "haunting": _a(valence=-0.40, tension=0.65, energy=0.25),
    "eerie": _a(valence=-0.45, tension=0.70),
    "ominous": _a(valence=-0.60, tension=0.80, energy=0.40),
    "mysterious": _a(valence=-0.20, tension=0.60, energy=0.30),
    "lonely": _a(valence=-0.50, intimacy=0.75, energy=0.20),
    "angry": _a(valence=-0.70, energy=0.90, tension=0.85),
    "warm": _a(valence=0.30, intimacy=0.65),
    "bright": _a(valence=0.50, energy=0.50),
    "happy": _a(valence=0.60, energy=0.60),
    "joyful": _a(valence=0.70, energy=0.65),
    "uplifting": _a(valence=0.60, energy=0.65),
    "hopeful": _a(valence=0.50, tension=0.30),
    "playful": _a(valence=0.60, motion=0.65, energy=0.55),
    "romantic": _a(valence=0.30, intimacy=0.80),
    "triumphant": _a(valence=0.70, energy=0.85, tension=0.40),
    "majestic": _a(valence=0.40, energy=0.70, intimacy=0.15),
    "euphoric": _a(valence=0.90, energy=0.90, motion=0.90),
    # energy / intensity
    "calm": _a(energy=0.20, tension=0.10, motion=0.20),
    "peaceful": _a(energy=0.20, tension=0.10),
    "serene": _a(energy=0.15, tension=0.05, valence=0.30),
    "relaxed": _a(energy=0.25, tension=0.10, motion=0.20),
    "chill": _a(energy=0.30, tension=0.15, motion=0.35),
    "mellow": _a(energy=0.30, tension=0.15, motion=0.30),
    "laid back": _a(energy=0.30, tension=0.10, motion=0.35),
    "soft": _a(energy=0.20, intimacy=0.75),
    "gentle": _a(energy=0.20, tension=0.10, intimacy=0.75),
    "slow": _a(energy=0.25, motion=0.20),
    "energetic": _a(energy=0.80, motion=0.70),
    "fast": _a(energy=0.75, motion=0.85),
    "intense": _a(energy=0.85, tension=0.70),
    "heavy": _a(energy=0.85, valence=-0.40, tension=0.60),
    "hard": _a(energy=0.85, tension=0.60),
    "aggressive": _a(energy=0.90, tension=0.80, motion=0.80),
    "explosive": _a(energy=1.00, tension=0.80, motion=0.90),
    "chaotic": _a(energy=0.85, tension=0.90, motion=0.85),
    # intimacy / space
    "intimate": _a(intimacy=0.80, energy=0.30),
    "personal": _a(intimacy=0.75),
    "cozy": _a(intimacy=0.70, energy=0.20, valence=0.20),
    "atmospheric": _a(intimacy=0.50, tension=0.30, energy=0.20),
    "cinematic": _a(intimacy=0.30, tension=0.50, energy=0.60),
    "epic": _a(intimacy=0.10, energy=0.85),
    "distant": _a(intimacy=0.15),
    "wide": _a(intimacy=0.20),
    "wider": _a(intimacy=0.20),
    "spacey": _a(intimacy=0.30, motion=0.25, energy=0.25),
    "spacious": _a(intimacy=0.30, motion=0.25, energy=0.25),
    "dreamy": _a(tension=0.20, intimacy=0.70, energy=0.20),
    "ethereal": _a(intimacy=0.40, tension=0.25, energy=0.20, valence=0.20),
    "hazy": _a(energy=0.25, intimacy=0.65, tension=0.25),
    "airy": _a(energy=0.30, intimacy=0.45, tension=0.15),
    "lush": _a(intimacy=0.60, valence=0.30, tension=0.30),
    "nocturnal": _a(energy=0.30, intimacy=0.70, valence=-0.20),
    "late night": _a(energy=0.30, intimacy=0.70, valence=-0.20),
    # motion / groove
    "sparse": _a(motion=0.20, energy=0.20),
    "minimal": _a(motion=0.15, energy=0.15),
    "flowing": _a(motion=0.60, tension=0.20),
    "bouncy": _a(motion=0.70, energy=0.60, valence=0.30),
    "groovy": _a(motion=0.75, energy=0.60),
    "funky": _a(motion=0.80, energy=0.70, valence=0.40),
    "driving": _a(motion=0.80, energy=0.70),
    "dense": _a(motion=0.70, energy=0.70),
    "busy": _a(motion=0.80, energy=0.70),
    "hypnotic": _a(motion=0.75, tension=0.50, valence=-0.20),
    "tight": _a(motion=0.70, tension=0.40),
    "loose": _a(motion=0.45, tension=0.20),
    "punchy": _a(energy=0.75, motion=0.70),
    "smooth": _a(tension=0.15, valence=0.20, motion=0.45),
    # tension / harmony
    "resolved": _a(tension=0.10, valence=0.20),
    "anxious": _a(tension=0.80, energy=0.60),
    "tense": _a(tension=0.75),
    "suspenseful": _a(tension=0.85, motion=0.40),
    "emotional": _a(intimacy=0.70, tension=0.50),
    "jazzy": _a(tension=0.50, intimacy=0.60),
    "soulful": _a(intimacy=0.70, valence=0.10),
    # texture idioms
    "dusty": _a(energy=0.35, valence=-0.10, intimacy=0.70),
    "vintage": _a(intimacy=0.60, energy=0.40),
    "gritty": _a(tension=0.60, energy=0.65, valence=-0.20),
}
"""Vibe keywords and the axes they move (values are targets, not deltas)."""

_VIBE_ALIASES: Final = {
    "laidback": "laid back",
    "laid-back": "laid back",
    "melancholy": "melancholic",
    "uplifted": "uplifting",
    "joyous": "joyful",
    "spooky": "eerie",
    "creepy": "eerie",
    "chilled": "chill",
    "chillout": "chill",
    "lo fi": "dusty",
    "lofi": "dusty",
    "retro": "vintage",
    "energised": "energetic",
    "energized": "energetic",
    "aggro": "aggressive",
    "floaty": "dreamy",
    "floating": "dreamy",
    "moody af": "moody",
}

ROLE_REGISTERS: Final[dict[str, tuple[int, int]]] = {
    "drums": (60, 24),
    "bass": (38, 9),
    "chords": (60, 12),
    "pads": (62, 14),
    "melody": (72, 10),
    "lead": (74, 12),
    "arp": (67, 12),
    "fx": (72, 18),
}
"""Register (centre MIDI pitch, spread in semitones) per canonical role, before mood shifts."""


@dataclass(frozen=True)
class EmotionSource:
    """One contribution to the blend: where it came from, its weight and its axes."""

    label: str
    weight: float
    axes: tuple[tuple[str, float], ...]


@dataclass(frozen=True)
class EmotionBreakdown:
    """The blended vector with every source and the vibes no table knows."""

    vector: EmotionVector
    sources: tuple[EmotionSource, ...]
    unknown_vibes: tuple[str, ...]


def section_preset_name(section: str | None) -> str | None:
    """The preset a section name uses (``"verse 2"`` -> ``"verse"``; unknown -> ``None``)."""
    if not section:
        return None
    text = " ".join(re.sub(r"[_\d]+", " ", section.lower()).split())
    for candidate in (text, text.replace(" ", "-"), *text.split()):
        if candidate in SECTION_PRESETS:
            return candidate
        if candidate in SECTION_ALIASES:
            return SECTION_ALIASES[candidate]
    return None


def vibe_axes(vibe: str) -> Axes | None:
    """The axes a vibe keyword moves, or ``None`` if it is not in the vocabulary."""
    word = " ".join(vibe.lower().replace("_", " ").split())
    for candidate in (word, word.replace("-", " "), word.replace(" ", ""), word.replace(" ", "-")):
        if candidate in VIBES:
            return VIBES[candidate]
        if candidate in _VIBE_ALIASES:
            return VIBES[_VIBE_ALIASES[candidate]]
    return None


def explain_emotion(
    *,
    section: str | None = None,
    style: str | StyleProfile | None = None,
    vibes: Iterable[VibeWeight] = (),
    energy: str | None = None,
) -> EmotionBreakdown:
    """Blend the sources into a vector and say what each contributed."""
    sources: list[EmotionSource] = []
    preset = section_preset_name(section)
    if preset is not None:
        sources.append(_source(f"section {preset}", SECTION_WEIGHT, SECTION_PRESETS[preset]))
    profile = _profile(style)
    if profile is not None:
        sources.append(
            _source(
                f"style {profile.id}", STYLE_WEIGHT, dict(zip(AXES, profile.emotion, strict=True))
            )
        )
    unknown: list[str] = []
    for vibe in vibes:
        axes = vibe_axes(vibe.vibe)
        if axes is None:
            unknown.append(vibe.vibe)
            continue
        sources.append(_source(f"vibe {vibe}", VIBE_WEIGHT * vibe.weight, axes))
    if energy is not None:
        level = ENERGY_LEVELS.get(energy.lower())
        if level is None:
            raise ValueError(f"energy {energy!r} must be one of {list(ENERGY_LEVELS)}")
        sources.append(
            _source(f"energy {energy}", ENERGY_WEIGHT, {"energy": level[0], "motion": level[1]})
        )
    return EmotionBreakdown(_blend(sources), tuple(sources), tuple(unknown))


def emotion_vector(
    prompt: StructuredPrompt | None = None,
    *,
    section: str | None = None,
    style: str | StyleProfile | None = None,
    vibes: Iterable[VibeWeight] | None = None,
    energy: str | None = None,
) -> EmotionVector:
    """The emotion vector of a prompt (keyword arguments override its fields).

    ``section`` lets the planner ask for each section of a multi-section
    piece; without a prompt, only the keyword arguments count.
    """
    if prompt is not None:
        section = section or prompt.section
        style = style or prompt.style
        vibes = prompt.vibes if vibes is None else vibes
        energy = energy or prompt.energy
    return explain_emotion(section=section, style=style, vibes=vibes or (), energy=energy).vector


def _profile(style: str | StyleProfile | None) -> StyleProfile | None:
    if style is None or isinstance(style, StyleProfile):
        return style
    match = resolve_style(style)
    return match.profile if match.matched else None


def _source(label: str, weight: float, axes: Mapping[str, float]) -> EmotionSource:
    return EmotionSource(label, weight, tuple((a, axes[a]) for a in AXES if a in axes))


def _blend(sources: Iterable[EmotionSource]) -> EmotionVector:
    totals = dict.fromkeys(AXES, 0.0)
    weights = dict.fromkeys(AXES, 0.0)
    for source in sources:
        for axis, value in source.axes:
            totals[axis] += source.weight * value
            weights[axis] += source.weight
    values = {
        axis: round(min(1.0, max(0.0, totals[axis] / weights[axis])), 6) if weights[axis] else 0.5
        for axis in AXES
    }
    return EmotionVector(**values)


# ------------------------------------------------------------ constraints
def _clip(value: float, low: float, high: float) -> float:
    return min(high, max(low, value))


def emotion_to_constraints(
    vector: EmotionVector,
    *,
    style: str | StyleProfile | None = None,
    role: str | None = None,
    overrides: Mapping[str, JsonValue] | None = None,
) -> GenerationConstraints:
    """Generation constraints for one role from an emotion vector.

    ====================  ========================================================
    Field                 Rule (e = energy, v = valence, t = tension, i = intimacy,
                          m = motion)
    ====================  ========================================================
    drum_density          0.1 + 0.5e + 0.35m - 0.1i, within 0.05-1
    subdivision           the style's (4 by default); 4 -> 2 when m < 0.25
    swing                 the style's swing nudged by +0.04(i - 0.5) - 0.03(e - 0.5)
                          (straight styles stay at 0.5)
    register_center       role centre (bass 38, chords 60, melody 72...) shifted by
                          4(v - 0.5) + 3(e - 0.5) semitones (half for bass)
    register_spread       role spread + 6t
    rest_density          0.55 - 0.3m - 0.2e + 0.15i, within 0.05-0.85
    leap_probability      0.08 + 0.35t + 0.15e - 0.1i, within 0.02-0.7
    chord_extensions      the style uses extended harmony, or t > 0.55
    harmonic_rhythm       the style's chords per bar, doubled when m > 0.8, halved
                          when m < 0.2 (0.25-4)
    velocity_floor        35 + 45e - 10i
    velocity_ceiling      80 + 45e - 5i (at least floor + 10, at most 127)
    ====================  ========================================================

    ``overrides`` are prompt constraints: any field above by name, and
    ``density`` (a word such as ``sparse`` or a number 0-1), which sets
    ``drum_density`` and the matching ``rest_density``.
    """
    profile = _profile(style)
    e, v, t, i, m = (getattr(vector, a) for a in AXES)
    base_sub = profile.subdivision if profile else 4
    subdivision = 2 if base_sub == 4 and m < 0.25 else base_sub
    if profile is None or profile.swing <= 0.5:
        swing = 0.5
    else:
        swing = _clip(profile.swing + 0.04 * (i - 0.5) - 0.03 * (e - 0.5), 0.5, 0.75)
    centre, spread = ROLE_REGISTERS.get(role or "melody", ROLE_REGISTERS["melody"])
    shift = 4 * (v - 0.5) + 3 * (e - 0.5)
    if role == "bass":
        shift /= 2
    harmonic = profile.harmonic_rhythm if profile else 1.0
    if m > 0.8:
        harmonic *= 2
    elif m < 0.2:
        harmonic /= 2
    floor = round(_clip(35 + 45 * e - 10 * i, 1, 110))
    ceiling = round(_clip(80 + 45 * e - 5 * i, floor + 10, 127))
    constraints = GenerationConstraints(
        drum_density=round(_clip(0.1 + 0.5 * e + 0.35 * m - 0.1 * i, 0.05, 1.0), 4),
        subdivision=subdivision,
        swing=round(swing, 4),
        register_center=int(_clip(centre + round(shift), 0, 127)),
        register_spread=int(_clip(spread + round(6 * t), 1, 64)),
        rest_density=round(_clip(0.55 - 0.3 * m - 0.2 * e + 0.15 * i, 0.05, 0.85), 4),
        leap_probability=round(_clip(0.08 + 0.35 * t + 0.15 * e - 0.1 * i, 0.02, 0.7), 4),
        chord_extensions=bool(profile and profile.extended_harmony) or t > 0.55,
        harmonic_rhythm=_clip(harmonic, 0.25, 4.0),
        velocity_floor=floor,
        velocity_ceiling=ceiling,
    )
    return apply_constraint_overrides(constraints, overrides or {})


_FIELD_NAMES: Final = frozenset(f.name for f in fields(GenerationConstraints))


def apply_constraint_overrides(
    constraints: GenerationConstraints, overrides: Mapping[str, JsonValue]
) -> GenerationConstraints:
    """``constraints`` with the prompt's overriding fields applied (see above).

    Raises ``ValueError`` when the result is inconsistent (e.g. a velocity
    floor above the ceiling), naming the fields.
    """
    changes: dict[str, object] = {}
    density = overrides.get("density")
    if isinstance(density, str) and density in DENSITY_WORDS:
        density = DENSITY_WORDS[density]
    if isinstance(density, int | float) and not isinstance(density, bool):
        d = float(density)
        changes["drum_density"] = round(_clip(d, 0.0, 1.0), 4)
        changes["rest_density"] = round(_clip(0.75 - 0.7 * d, 0.05, 0.85), 4)
    for name in sorted(_FIELD_NAMES & set(overrides)):
        changes[name] = overrides[name]
    floor = changes.get("velocity_floor", constraints.velocity_floor)
    ceiling = changes.get("velocity_ceiling", constraints.velocity_ceiling)
    if isinstance(floor, int) and isinstance(ceiling, int) and floor > ceiling:
        if "velocity_ceiling" not in changes:
            changes["velocity_ceiling"] = min(127, floor + 10)
        elif "velocity_floor" not in changes:
            changes["velocity_floor"] = max(0, ceiling - 10)
    return replace(constraints, **changes)  # type: ignore[arg-type]
