"""Drum fills: short figures that end a phrase or a section.

Each fill type is a function of the fill length (in beats) and the dice; it
returns parallel lists of GM keys, onsets relative to the fill start and
velocity levels (0-1). The drum renderer clears the snare, tom, hat and
percussion hits under the fill and places these instead.

Example
-------
>>> import numpy as np
>>> from storpheus.backends.embedded.dice import Dice
>>> keys, onsets, levels = render_fill("snare16", 1.0, Dice(np.random.default_rng(0)))
>>> keys, onsets
([38, 38, 38, 38], [0.0, 0.25, 0.5, 0.75])
"""

from __future__ import annotations

from collections.abc import Callable

from storpheus.backends.embedded.dice import Dice
from storpheus.backends.embedded.grooves import (
    CLAP,
    CLOSED_HAT,
    FLOOR_HIGH,
    FLOOR_LOW,
    KICK,
    SIDE_STICK,
    SNARE,
    TOM_HI_MID,
    TOM_HIGH,
    TOM_LOW,
    TOM_LOW_MID,
)

FillFigure = tuple[list[int], list[float], list[float]]

_TOMS_DOWN = (TOM_HIGH, TOM_HI_MID, TOM_LOW_MID, TOM_LOW, FLOOR_HIGH, FLOOR_LOW)


def _ramp(n: int, start: float, end: float) -> list[float]:
    if n <= 1:
        return [end]
    return [start + (end - start) * i / (n - 1) for i in range(n)]


def _snare16(length: float, dice: Dice) -> FillFigure:
    n = max(1, round(length * 4))
    onsets = [i * 0.25 for i in range(n)]
    if n >= 4 and dice.chance(0.4):  # leave a gap for breath: drop the second 16th
        onsets = [o for i, o in enumerate(onsets) if i != 1]
    return [SNARE] * len(onsets), onsets, _ramp(len(onsets), 0.5, 1.0)


def _snare_roll8(length: float, dice: Dice) -> FillFigure:
    n = max(1, round(length * 2))
    onsets = [i * 0.5 for i in range(n)]
    if dice.chance(0.6):
        onsets.append(length - 0.25)
    onsets = sorted(set(onsets))
    return [SNARE] * len(onsets), onsets, _ramp(len(onsets), 0.6, 1.0)


def _toms_down(length: float, dice: Dice) -> FillFigure:
    n = max(2, round(length * 4))
    onsets = [i * 0.25 for i in range(n)]
    start_tom = 0 if dice.chance(0.6) else 1
    keys = []
    for i in range(n):
        pos = start_tom + (i * (len(_TOMS_DOWN) - start_tom)) // n
        keys.append(_TOMS_DOWN[min(pos, len(_TOMS_DOWN) - 1)])
    if n >= 4 and dice.chance(0.5):
        keys[0] = SNARE
    return keys, onsets, _ramp(n, 0.65, 1.0)


def _kick_snare(length: float, dice: Dice) -> FillFigure:
    keys: list[int] = []
    onsets: list[float] = []
    levels: list[float] = []
    figure = dice.pick(
        (
            ((0.0, SNARE), (0.5, KICK), (0.75, SNARE)),
            ((0.0, SNARE), (0.25, SNARE), (0.75, KICK)),
            ((0.25, SNARE), (0.5, KICK), (0.75, SNARE)),
        )
    )
    beats = max(1, round(length))
    for b in range(beats):
        for offset, key in figure:
            keys.append(key)
            onsets.append(b + offset)
            levels.append(0.7 + 0.3 * (b + offset) / beats)
    return keys, onsets, levels


def _clap_build(length: float, dice: Dice) -> FillFigure:
    n = max(1, round(length * 4))
    onsets = [i * 0.25 for i in range(n)]
    if length >= 2 and dice.chance(0.5):
        onsets = [i * 0.5 for i in range(round(length * 2) - 1)] + [length - 0.5, length - 0.25]
    onsets = sorted(set(onsets))
    return [CLAP] * len(onsets), onsets, _ramp(len(onsets), 0.45, 1.0)


def _trap_roll(length: float, dice: Dice) -> FillFigure:
    div = dice.pick((6, 8))
    n = max(2, round(length * div))
    onsets = [i / div for i in range(n)]
    keys = [SNARE] * n
    hats = [CLOSED_HAT] * 3
    hat_onsets = [length - 0.5 + i / 6 for i in range(3)]
    return keys + hats, onsets + hat_onsets, [*_ramp(n, 0.35, 1.0), 0.6, 0.7, 0.8]


def _jazz_triplet(length: float, dice: Dice) -> FillFigure:
    n = max(3, round(length * 3))
    onsets = [i / 3 for i in range(n)]
    pattern = dice.pick(
        ((SNARE, SNARE, TOM_LOW), (SNARE, TOM_HI_MID, FLOOR_LOW), (SNARE, KICK, SNARE))
    )
    keys = [pattern[i % 3] for i in range(n)]
    return keys, onsets, _ramp(n, 0.45, 0.9)


def _cinematic_build(length: float, dice: Dice) -> FillFigure:
    n = max(4, round(length * 4))
    onsets = [i * 0.25 for i in range(n)]
    toms = (FLOOR_LOW, FLOOR_HIGH, TOM_LOW)
    keys = [SNARE if (i % 2 and dice.chance(0.5)) else toms[i % 3] for i in range(n)]
    return keys, onsets, _ramp(n, 0.4, 1.0)


def _bossa_fill(length: float, dice: Dice) -> FillFigure:
    n = max(2, round(length * 2))
    onsets = [i * 0.5 for i in range(n)]
    keys = [SIDE_STICK if i % 2 == 0 else TOM_LOW for i in range(n)]
    if dice.chance(0.5):
        keys[-1] = FLOOR_LOW
    return keys, onsets, _ramp(n, 0.5, 0.8)


def _none(length: float, dice: Dice) -> FillFigure:
    return [], [], []


FILLS: dict[str, Callable[[float, Dice], FillFigure]] = {
    "snare16": _snare16,
    "snare_roll8": _snare_roll8,
    "toms_down": _toms_down,
    "kick_snare": _kick_snare,
    "clap_build": _clap_build,
    "trap_roll": _trap_roll,
    "jazz_triplet": _jazz_triplet,
    "cinematic_build": _cinematic_build,
    "bossa_fill": _bossa_fill,
    "none": _none,
}
"""Fill figures by name."""


def render_fill(name: str, length: float, dice: Dice) -> FillFigure:
    """The figure of fill ``name`` over ``length`` beats (unknown names play snare 16ths)."""
    return FILLS.get(name, _snare16)(length, dice)
