"""Drum groove families as step patterns (data plus a tiny parser).

Each layer of a groove is one GM drum sound with pattern *variants*, ordered
from sparse to busy, written on a 16th-note grid (16 characters a bar; 32
for two-bar patterns)::

    X accent      x hit        o optional hit   (kept with the drum density)
    g ghost note  q optional ghost              r hit that may become a roll
    . rest

The drum renderer picks a variant per layer from the density, decides the
optional hits once per part (and again for the fourth bar of each phrase),
adds fills at section ends, swing and a little human timing.

Example
-------
>>> GROOVES["four_on_floor"].layer_names()[:2]
('kick', 'snare')
>>> parse_pattern("X.x.o.g.").tolist()
[3, 0, 2, 0, 4, 0, 1, 0]
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Final

import numpy as np
import numpy.typing as npt

# GM percussion keys used here.
KICK, SIDE_STICK, SNARE, CLAP = 36, 37, 38, 39
CLOSED_HAT, PEDAL_HAT, OPEN_HAT = 42, 44, 46
CRASH, RIDE, RIDE_BELL = 49, 51, 53
TAMBOURINE, COWBELL, SHAKER, CLAVES = 54, 56, 70, 75
FLOOR_LOW, FLOOR_HIGH, TOM_LOW, TOM_LOW_MID, TOM_HI_MID, TOM_HIGH = 41, 43, 45, 47, 48, 50
CONGA_MUTE, CONGA_OPEN, CONGA_LOW = 62, 63, 64

CODES: Final = {".": 0, "g": 1, "x": 2, "X": 3, "o": 4, "q": 5, "r": 6}
"""Pattern characters to integer codes."""

LEVELS: Final = np.array([0.0, 0.3, 0.78, 1.0, 0.7, 0.3, 0.78])
"""Velocity level (0-1 within the layer's range) of each code."""

OPTIONAL: Final = np.array([False, False, False, False, True, True, False])
"""Codes whose hits are kept only with the drum density."""

GROUP_PRIORITY: Final = {"kick": 0, "snare": 1, "cymbals": 2, "hats": 3, "toms": 4, "perc": 5}
"""Which layer group survives when too many hits coincide (lower wins)."""


@dataclass(frozen=True)
class DrumLayer:
    """One drum sound: its group (kick, snare, hats, toms, perc, cymbals), key and patterns."""

    group: str
    pitch: int
    variants: tuple[str, ...]
    velocity: tuple[int, int] = (60, 120)
    offset: float = 0.0


@dataclass(frozen=True)
class Groove:
    """A groove family: layers, fill types, roll layer and crash habit."""

    name: str
    layers: tuple[DrumLayer, ...]
    fills: tuple[str, ...] = ("snare16", "toms_down")
    crash_at_start: bool = False
    roll_pitch: int | None = None
    fill_probability: float = 0.85

    def layer_names(self) -> tuple[str, ...]:
        """The groups of the layers, in order, without repeats."""
        seen: list[str] = []
        for layer in self.layers:
            if layer.group not in seen:
                seen.append(layer.group)
        return tuple(seen)


def parse_pattern(text: str) -> npt.NDArray[np.int8]:
    """Pattern characters to codes (``ValueError`` on an unknown character)."""
    try:
        return np.array([CODES[c] for c in text], dtype=np.int8)
    except KeyError as exc:
        raise ValueError(f"drum pattern {text!r}: unknown step character {exc}") from None


@lru_cache(maxsize=1024)
def pattern_grid(text: str, steps_per_bar: int) -> npt.NDArray[np.int8]:
    """A pattern as ``(pattern_bars, steps_per_bar)`` codes, cut or repeated to the meter."""
    codes = parse_pattern(text)
    n_bars = max(1, len(codes) // 16)
    grid = np.zeros((n_bars, steps_per_bar), dtype=np.int8)
    for b in range(n_bars):
        bar = codes[b * 16 : (b + 1) * 16]
        reps = -(-steps_per_bar // 16)
        grid[b] = np.tile(bar, reps)[:steps_per_bar]
    grid.flags.writeable = False
    return grid


def _L(  # noqa: N802 - a compact constructor keeps the tables readable
    group: str, pitch: int, *variants: str, vel: tuple[int, int] = (60, 120), offset: float = 0.0
) -> DrumLayer:
    return DrumLayer(group, pitch, variants, vel, offset)


_EMPTY = "." * 16

GROOVES: Final[dict[str, Groove]] = {
    "lofi": Groove(
        "lofi",
        (
            _L(
                "kick",
                KICK,
                "x.........x.....",
                "x......x..x.....",
                "x.o....x..x...o.",
                vel=(70, 105),
            ),
            _L(
                "snare",
                SNARE,
                "....x.......x...",
                "....x..q....x..q",
                "....x.q.....x.qq",
                vel=(40, 95),
                offset=0.025,
            ),
            _L(
                "hats",
                CLOSED_HAT,
                "x.x.x.x.x.x.x.x.",
                "x.xqx.x.x.xqx.x.",
                "xqxqxqxqxqxqxqxq",
                vel=(35, 80),
            ),
            _L("hats", OPEN_HAT, _EMPTY, "..............o.", vel=(40, 70)),
        ),
        fills=("kick_snare", "snare16"),
        fill_probability=0.6,
    ),
    "boom_bap": Groove(
        "boom_bap",
        (
            _L(
                "kick",
                KICK,
                "x......x..x.....",
                "x......x..x...o.",
                "x.o....x.ox...o.",
                vel=(80, 120),
            ),
            _L(
                "snare",
                SNARE,
                "....X.......X...",
                "....X..q....X..q",
                "....X.qq....X.qq",
                vel=(40, 122),
                offset=0.012,
            ),
            _L(
                "hats",
                CLOSED_HAT,
                "x.x.x.x.x.x.x.x.",
                "x.xqx.x.x.xqx.x.",
                "xqxqxqxqxqxqxqxq",
                vel=(45, 90),
            ),
            _L("hats", OPEN_HAT, _EMPTY, "..............o.", vel=(50, 80)),
        ),
        fills=("kick_snare", "snare16"),
    ),
    "four_on_floor": Groove(
        "four_on_floor",
        (
            _L("kick", KICK, "X...X...X...X...", vel=(95, 122)),
            _L("snare", CLAP, "....x.......x...", "....x.......x..o", vel=(80, 112)),
            _L("hats", OPEN_HAT, "..x...x...x...x.", vel=(60, 95)),
            _L("hats", CLOSED_HAT, _EMPTY, "q...q...q...q...", "gg.ggg.ggg.ggg.g", vel=(45, 85)),
            _L("perc", SHAKER, _EMPTY, "qqqqqqqqqqqqqqqq", vel=(35, 70)),
            _L("perc", SIDE_STICK, _EMPTY, "...o..o....o..o.", vel=(45, 80)),
        ),
        fills=("snare16", "clap_build"),
        crash_at_start=True,
    ),
    "techno": Groove(
        "techno",
        (
            _L("kick", KICK, "X...X...X...X...", vel=(100, 124)),
            _L("snare", CLAP, _EMPTY, "....o.......o...", "....x.......x...", vel=(70, 105)),
            _L("hats", OPEN_HAT, "..x...x...x...x.", vel=(60, 100)),
            _L("hats", CLOSED_HAT, "gg.ggg.ggg.ggg.g", "gx.ggx.ggx.ggx.g", vel=(40, 90)),
            _L("perc", RIDE, _EMPTY, "x.x.x.x.x.x.x.x.", vel=(40, 70)),
            _L("perc", SIDE_STICK, _EMPTY, "...o..o....o..o.", "...x..o..o.x..o.", vel=(50, 85)),
        ),
        fills=("clap_build", "snare16"),
        fill_probability=0.5,
    ),
    "trap": Groove(
        "trap",
        (
            _L(
                "kick",
                KICK,
                "x......x..x.....",
                "x......x.x...o..",
                "x..o...x..x..o..",
                vel=(95, 124),
            ),
            _L("snare", CLAP, "........X.......", "........X.....q.", vel=(70, 122)),
            _L("snare", SNARE, "........X.......", vel=(80, 115)),
            _L("hats", CLOSED_HAT, "r.r.r.r.r.r.r.r.", "rxrxrxrxrxrxrxrx", vel=(50, 100)),
            _L("hats", OPEN_HAT, _EMPTY, "..............o.", vel=(55, 85)),
        ),
        fills=("trap_roll", "snare16"),
        roll_pitch=CLOSED_HAT,
    ),
    "jazz_swing": Groove(
        "jazz_swing",
        (
            _L(
                "hats",
                RIDE,
                "x...X...x...X...",
                "x...X.x.x...X.x.",
                "x...X.x.x.x.X.x.",
                vel=(55, 95),
            ),
            _L("hats", PEDAL_HAT, "....x.......x...", vel=(50, 75)),
            _L("kick", KICK, _EMPTY, "g...g...g...g...", "g...g...g..og...", vel=(30, 80)),
            _L(
                "snare",
                SNARE,
                "......q.....q..q",
                "..q...q.q...q..q",
                "..q.q.q.q.q.q.qq",
                vel=(28, 85),
            ),
        ),
        fills=("jazz_triplet", "snare16"),
        fill_probability=0.6,
    ),
    "bossa": Groove(
        "bossa",
        (
            _L("snare", SIDE_STICK, "x.....x.....x.......x.....x.....", vel=(60, 95)),
            _L("kick", KICK, "X.......X.......", "X.....x.X.....x.", vel=(55, 95)),
            _L("hats", CLOSED_HAT, "x.x.x.x.x.x.x.x.", "xgxgxgxgxgxgxgxg", vel=(30, 70)),
            _L("perc", SHAKER, _EMPTY, "qqqqqqqqqqqqqqqq", vel=(30, 60)),
        ),
        fills=("bossa_fill",),
        fill_probability=0.4,
    ),
    "funk": Groove(
        "funk",
        (
            _L(
                "kick",
                KICK,
                "x.........x.....",
                "x..x......x.....",
                "x.x...x...x..x..",
                vel=(85, 122),
            ),
            _L(
                "snare",
                SNARE,
                "....X.......X...",
                "....X..g.g..X..g",
                "....X..g.gq.X.qg",
                vel=(30, 122),
            ),
            _L("hats", CLOSED_HAT, "x.x.x.x.x.x.x.x.", "XgxgXgxgXgxgXgxg", vel=(40, 95)),
            _L("hats", OPEN_HAT, _EMPTY, "..............o.", "......o.......o.", vel=(60, 90)),
        ),
        fills=("kick_snare", "snare16", "toms_down"),
    ),
    "ambient": Groove(
        "ambient",
        (
            _L("kick", KICK, "x...............", "x.......o.......", vel=(40, 70)),
            _L("snare", SIDE_STICK, _EMPTY, "........o.......", vel=(30, 55)),
            _L(
                "perc",
                SHAKER,
                "q.q.q.q.q.q.q.q.",
                "g.g.g.g.g.g.g.g.",
                "gggggggggggggggg",
                vel=(20, 55),
            ),
            _L("hats", RIDE, _EMPTY, "o.......o.......", vel=(30, 55)),
        ),
        fills=("none",),
        fill_probability=0.0,
    ),
    "pop": Groove(
        "pop",
        (
            _L(
                "kick",
                KICK,
                "x.......x.......",
                "x.......x.x.....",
                "x......ox.x....o",
                vel=(85, 120),
            ),
            _L("snare", SNARE, "....X.......X...", vel=(85, 120)),
            _L("snare", CLAP, _EMPTY, "....o.......o...", vel=(70, 100)),
            _L("hats", CLOSED_HAT, "X.x.X.x.X.x.X.x.", "XgxgXgxgXgxgXgxg", vel=(45, 90)),
            _L("hats", OPEN_HAT, _EMPTY, "..............o.", vel=(55, 85)),
            _L("perc", TAMBOURINE, _EMPTY, "....o.......o...", "..o...o...o...o.", vel=(45, 80)),
        ),
        fills=("snare16", "toms_down"),
    ),
    "rock": Groove(
        "rock",
        (
            _L(
                "kick",
                KICK,
                "x.......x.x.....",
                "x.......x.x...o.",
                "x.o.....x.x...o.",
                vel=(95, 124),
            ),
            _L("snare", SNARE, "....X.......X...", "....X.......X..q", vel=(60, 124)),
            _L("hats", CLOSED_HAT, "X.x.X.x.X.x.X.x.", vel=(60, 100)),
            _L("hats", OPEN_HAT, _EMPTY, "..............o.", vel=(70, 95)),
        ),
        fills=("toms_down", "snare16", "snare_roll8"),
        crash_at_start=True,
    ),
    "cinematic": Groove(
        "cinematic",
        (
            _L("kick", KICK, "X.......x.......", "X.....x.x.......", vel=(90, 124)),
            _L(
                "toms",
                FLOOR_LOW,
                "x.......x.......",
                "x..x..x.x..x..x.",
                "x.xxx.x.x.xxx.x.",
                vel=(55, 118),
            ),
            _L("toms", TOM_LOW, _EMPTY, "......o.......o.", "..o...x...o...x.", vel=(50, 100)),
            _L("snare", SNARE, "........X.......", "....X.......X...", vel=(80, 122)),
        ),
        fills=("cinematic_build", "toms_down"),
        crash_at_start=True,
    ),
    "breakbeat": Groove(
        "breakbeat",
        (
            _L(
                "kick",
                KICK,
                "x.........x.....",
                "x.x.......x.....",
                "x.x.......x.....x.........xx....",
                vel=(90, 122),
            ),
            _L(
                "snare",
                SNARE,
                "....X.......X...",
                "....X..g.g..X..g",
                "....X..g.g..X..g....X..g.g....X.",
                vel=(35, 122),
            ),
            _L("hats", CLOSED_HAT, "x.x.x.x.x.x.x.x.", "x.xgx.xgx.xgx.xg", vel=(40, 90)),
            _L("hats", RIDE, _EMPTY, "o.......o.......", vel=(50, 80)),
        ),
        fills=("snare16", "kick_snare"),
    ),
    "one_drop": Groove(
        "one_drop",
        (
            _L("kick", KICK, "........x.......", vel=(85, 115)),
            _L("snare", SIDE_STICK, "........x.......", "........x.....q.", vel=(70, 110)),
            _L("hats", CLOSED_HAT, "x.x.x.x.x.x.x.x.", "x.xgx.x.x.xgx.x.", vel=(40, 85)),
            _L("hats", OPEN_HAT, _EMPTY, "..............o.", vel=(55, 80)),
        ),
        fills=("snare_roll8", "toms_down"),
        fill_probability=0.6,
    ),
    "synthwave": Groove(
        "synthwave",
        (
            _L(
                "kick",
                KICK,
                "x.......x.......",
                "x.......x.o.....",
                "x.....o.x.o.....",
                vel=(95, 122),
            ),
            _L("snare", SNARE, "....X.......X...", vel=(100, 124)),
            _L("hats", CLOSED_HAT, "x.x.x.x.x.x.x.x.", "xgxgxgxgxgxgxgxg", vel=(45, 90)),
            _L("hats", OPEN_HAT, _EMPTY, "..............o.", vel=(60, 85)),
        ),
        fills=("toms_down", "snare16"),
        crash_at_start=True,
    ),
    "dembow": Groove(
        "dembow",
        (
            _L("kick", KICK, "x...x...x...x...", vel=(95, 122)),
            _L("snare", SNARE, "...x..x....x..x.", vel=(80, 115)),
            _L("snare", CLAP, _EMPTY, "...o..o....o..o.", vel=(70, 100)),
            _L("hats", CLOSED_HAT, "x.x.x.x.x.x.x.x.", "xgxgxgxgxgxgxgxg", vel=(45, 90)),
            _L("perc", TAMBOURINE, _EMPTY, "..o...o...o...o.", vel=(40, 75)),
        ),
        fills=("snare16", "kick_snare"),
        crash_at_start=True,
    ),
    "rnb": Groove(
        "rnb",
        (
            _L(
                "kick",
                KICK,
                "x......x.x......",
                "x......x.x....o.",
                "x..o...x.x..o...",
                vel=(80, 115),
            ),
            _L(
                "snare",
                SNARE,
                "....X.......X...",
                "....X..q....X.q.",
                "....X.qq....X.qq",
                vel=(35, 112),
                offset=0.018,
            ),
            _L("hats", CLOSED_HAT, "x.x.x.x.x.x.x.x.", "xgxgxgxgxgxgxgxg", vel=(35, 85)),
            _L("hats", OPEN_HAT, _EMPTY, "..............o.", vel=(45, 75)),
            _L("perc", SIDE_STICK, _EMPTY, "..........o.....", vel=(40, 70)),
        ),
        fills=("kick_snare", "snare16", "toms_down"),
        fill_probability=0.6,
    ),
}
"""Every groove family by name."""

GROOVE_ALIASES: Final = {
    "four_on_the_floor": "four_on_floor",
    "jazz_ride": "jazz_swing",
    "jazz": "jazz_swing",
    "swing": "jazz_swing",
    "amen": "breakbeat",
    "two_step": "breakbeat",
    "reggae": "one_drop",
}
"""Other names of groove families (as a planner may write them)."""


def groove_for(name: str) -> Groove:
    """The groove called ``name`` (or an alias of it); unknown names get the pop groove."""
    return GROOVES.get(GROOVE_ALIASES.get(name, name), GROOVES["pop"])


def known_groove(name: str) -> bool:
    """Whether ``name`` names a groove family or an alias of one."""
    return name in GROOVES or name in GROOVE_ALIASES


LAYER_NAMES: Final = {"perc": "percussion"}
"""Spec names of layer groups that differ from the group (``perc`` -> ``percussion``)."""

_PLAYED: Final = np.array([0, 1, 1, 1, 0, 0, 3], dtype=np.float64)  # a roll hit plays ~3
_OPTIONAL_HITS: Final = np.array([0, 0, 0, 0, 1, 1, 0], dtype=np.float64)


@lru_cache(maxsize=64)
def layer_targets(name: str) -> tuple[tuple[str, float, float, float], ...]:
    """Hits per 4/4 bar of each layer group of a groove, read from its patterns.

    One row per group, in the groove's layer order: ``(layer, fewest, most
    at density 0, extra most at density 1)`` where *fewest* counts the
    sparsest variants' sure hits, *most at density 0* adds their optional
    hits and the extra is what the busiest variants add on top (a roll hit
    counts as three). The planner turns these into the drum spec's
    per-layer targets, so the spec names exactly the layers the groove's
    kit plays (in ``jazz_swing`` the ride and the pedal hi-hat are the
    ``hats`` group) and the renderer never has to invent hits for a layer
    the groove does not have.

    >>> layer_targets("jazz_swing")[0]
    ('hats', 6.0, 6.0, 3.0)
    """
    groove = groove_for(name)
    rows: dict[str, list[float]] = {}
    for layer in groove.layers:
        sparse = parse_pattern(layer.variants[0])
        busy = parse_pattern(layer.variants[-1])
        sparse_bars, busy_bars = len(sparse) / 16.0, len(busy) / 16.0
        sure = float(np.count_nonzero(_PLAYED[sparse] > 0)) / sparse_bars
        low = float((_PLAYED[sparse] + _OPTIONAL_HITS[sparse]).sum()) / sparse_bars
        high = float((_PLAYED[busy] + _OPTIONAL_HITS[busy]).sum()) / busy_bars
        row = rows.setdefault(LAYER_NAMES.get(layer.group, layer.group), [0.0, 0.0, 0.0])
        row[0] += sure
        row[1] += low
        row[2] += high
    return tuple(
        (layer, round(fewest, 2), round(most, 2), round(max(0.0, busiest - most), 2))
        for layer, (fewest, most, busiest) in rows.items()
    )


__all__ = [
    "CODES",
    "GROOVES",
    "GROOVE_ALIASES",
    "GROUP_PRIORITY",
    "LAYER_NAMES",
    "LEVELS",
    "OPTIONAL",
    "DrumLayer",
    "Groove",
    "groove_for",
    "known_groove",
    "layer_targets",
    "parse_pattern",
    "pattern_grid",
]
