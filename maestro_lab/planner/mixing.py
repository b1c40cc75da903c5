"""Mixing decisions: insert effects, bus sends, volume and pan per track.

Every track gets its role's baseline inserts (drums and bass a compressor),
the style's inserts for that role, and whatever the prompt's ``Effects``
block asks for on that track (effect words translated with
:data:`EFFECT_WORDS`). Reverb is never an insert: a track that
wants reverb gets a send to the shared ``Reverb`` bus. ``Constraints:
no_effects`` removes all inserts, sends and buses; ``no_reverb`` removes
reverb only. Volumes are dB, pans -100 (left) to 100 (right).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from pydantic import JsonValue

from maestro_lab.roles import normalise_role
from storpheus.styles import StyleProfile

REVERB_BUS: Final = "Reverb"

ROLE_EFFECTS: Final[dict[str, tuple[str, ...]]] = {
    "drums": ("compressor",),
    "bass": ("compressor",),
    "chords": (),
    "pads": ("reverb",),
    "melody": ("reverb",),
    "lead": ("reverb",),
    "arp": ("reverb",),
    "fx": ("reverb", "delay"),
}
"""Baseline effects per role, whatever the style."""

ROLE_MIX: Final[dict[str, tuple[float, float]]] = {
    "drums": (0.0, 0.0),
    "bass": (-2.0, 0.0),
    "chords": (-6.0, -20.0),
    "pads": (-9.0, 25.0),
    "melody": (-4.0, 15.0),
    "lead": (-3.0, -10.0),
    "arp": (-8.0, -30.0),
    "fx": (-12.0, 40.0),
}
"""Default (volume dB, pan) per role."""

EFFECT_WORDS: Final = {
    "compression": "compressor",
    "compressor": "compressor",
    "comp": "compressor",
    "glue": "compressor",
    "eq": "eq",
    "equalizer": "eq",
    "equaliser": "eq",
    "saturation": "overdrive",
    "tape": "overdrive",
    "tube": "overdrive",
    "overdrive": "overdrive",
    "cranked": "overdrive",
    "drive": "overdrive",
    "distortion": "distortion",
    "fuzz": "distortion",
    "reverb": "reverb",
    "room": "reverb",
    "hall": "reverb",
    "plate": "reverb",
    "delay": "delay",
    "echo": "delay",
    "chorus": "chorus",
    "tremolo": "tremolo",
    "filter": "filter",
    "phaser": "phaser",
    "flanger": "flanger",
    "limiter": "compressor",
    "modulation": "modulation",
}
"""Words of an ``Effects`` block and the effect type they insert."""

EFFECT_TYPES: Final = frozenset(EFFECT_WORDS.values())


@dataclass(frozen=True)
class TrackMix:
    """Mixing for one track: inserts in order, bus sends, volume (dB) and pan (-100..100)."""

    inserts: tuple[str, ...]
    sends: tuple[str, ...]
    volume_db: float
    pan: float


def effects_block_for(
    effects: Mapping[str, JsonValue] | None, track_name: str, role: str, source: str
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Effect types an ``Effects:`` block asks for on one track, and the keys it did not know.

    Block keys name tracks or roles (``drums``, ``bass``, ``piano``); each
    value is a mapping whose keys (``compression``, ``saturation``...) or a
    text/list whose words name effects.
    """
    if not effects:
        return (), ()
    wanted: list[str] = []
    unknown: list[str] = []
    names = {track_name.lower(), role, source}
    for key, value in effects.items():
        target = " ".join(str(key).lower().split())
        if target not in names and normalise_role(target).role != role:
            continue
        if target in ("master", "bus", "mix"):
            continue
        words: list[str] = []
        if isinstance(value, dict):
            words = [str(k) for k in value]
        elif isinstance(value, list):
            words = [str(v) for v in value]
        elif value is not None and not isinstance(value, bool):
            words = str(value).replace(",", " ").split()
        for word in words:
            effect = EFFECT_WORDS.get(word.strip().lower().replace("_", " ").split(" ")[0])
            if effect is None:
                unknown.append(f"{key}.{word}")
            elif effect not in wanted:
                wanted.append(effect)
    return tuple(wanted), tuple(unknown)


def plan_track_mix(
    *,
    role: str,
    style: StyleProfile,
    requested: tuple[str, ...],
    no_effects: bool,
    no_reverb: bool,
    pan_nudge: float = 0.0,
) -> TrackMix:
    """Inserts, sends, volume and pan for one track."""
    volume, pan = ROLE_MIX.get(role, (-6.0, 0.0))
    pan = max(-100.0, min(100.0, pan + pan_nudge))
    if no_effects:
        return TrackMix((), (), volume, pan)
    effects: list[str] = []
    for effect in (*ROLE_EFFECTS.get(role, ()), *style.effects_for(role), *requested):
        if effect not in effects:
            effects.append(effect)
    sends = (REVERB_BUS,) if "reverb" in effects and not no_reverb else ()
    inserts = tuple(e for e in effects if e != "reverb")
    return TrackMix(inserts, sends, volume, pan)


def master_effects(effects: Mapping[str, JsonValue] | None) -> tuple[str, ...]:
    """Keys under ``Effects: master`` (reported, not executed: the vocabulary has no master)."""
    if not effects:
        return ()
    master = effects.get("master")
    if isinstance(master, dict):
        return tuple(str(k) for k in master)
    return ()


def pan_text(pan: float) -> str:
    """``0`` -> ``"center"``, ``-20`` -> ``"20 L"``, ``25`` -> ``"25 R"``."""
    if pan == 0:
        return "center"
    return f"{abs(pan):g} {'L' if pan < 0 else 'R'}"
