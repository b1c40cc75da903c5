"""The drum renderer: a groove family played on the GM drum map, channel 9.

Per part: each layer picks a pattern variant from the drum density; optional
hits are decided once per pattern position (and again for the fourth bar of
every phrase, the "turnaround"), so bars repeat like a real groove. Then:
hi-hat rolls where the groove has them, fills before section ends (and now
and then before a phrase boundary), a crash on a section's first downbeat,
swing, per-layer push/lay-back, a little human timing, the drum spec's
per-layer density and velocity targets, and the kit's simultaneity limit.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from storpheus.backends.embedded.context import RenderContext
from storpheus.backends.embedded.dice import Dice
from storpheus.backends.embedded.drum_fills import render_fill
from storpheus.backends.embedded.grooves import (
    CRASH,
    GROUP_PRIORITY,
    LEVELS,
    DrumLayer,
    pattern_grid,
)
from storpheus.backends.embedded.notebuf import NoteBuffer, RenderedPart, apply_swing, finalize
from storpheus.jsontypes import JSONValue
from storpheus.midi_types import DRUM_CHANNEL

F64 = npt.NDArray[np.float64]

_GROUP_ALIASES = {
    "kick": "kick",
    "kicks": "kick",
    "bass drum": "kick",
    "snare": "snare",
    "snares": "snare",
    "clap": "snare",
    "backbeat": "snare",
    "hats": "hats",
    "hat": "hats",
    "hihat": "hats",
    "hi hat": "hats",
    "hihats": "hats",
    "ride": "hats",
    "cymbal": "cymbals",
    "cymbals": "cymbals",
    "crash": "cymbals",
    "toms": "toms",
    "tom": "toms",
    "perc": "perc",
    "percussion": "perc",
    "shaker": "perc",
}

_SECTION_DENSITY = {
    "intro": -0.2,
    "breakdown": -0.25,
    "bridge": -0.1,
    "outro": -0.15,
    "verse": 0.0,
    "pre chorus": 0.05,
    "prechorus": 0.05,
    "chorus": 0.15,
    "hook": 0.15,
    "drop": 0.2,
}


def _key_group(key: int) -> str:
    """The layer group a GM drum key belongs to."""
    if key in (35, 36):
        return "kick"
    if key in (37, 38, 39, 40):
        return "snare"
    if key in (42, 44, 46, 51, 53, 59):
        return "hats"
    if key in (49, 52, 55, 57):
        return "cymbals"
    if key in (41, 43, 45, 47, 48, 50):
        return "toms"
    return "perc"


class _Hits:
    """Columns of drum hits under construction (one entry per hit)."""

    def __init__(self) -> None:
        self.pitch: list[F64] = []
        self.start: list[F64] = []
        self.level: list[F64] = []
        self.duration: list[F64] = []
        self.group: list[F64] = []
        self.lo: list[F64] = []
        self.hi: list[F64] = []

    def add(
        self,
        pitch: F64 | float,
        start: F64,
        level: F64 | float,
        duration: F64 | float,
        group: str,
        velocity: tuple[int, int],
    ) -> None:
        n = len(start)
        if n == 0:
            return
        self.pitch.append(np.broadcast_to(np.asarray(pitch, dtype=np.float64), (n,)))
        self.start.append(np.asarray(start, dtype=np.float64))
        self.level.append(np.broadcast_to(np.asarray(level, dtype=np.float64), (n,)))
        self.duration.append(np.broadcast_to(np.asarray(duration, dtype=np.float64), (n,)))
        self.group.append(np.full(n, GROUP_PRIORITY[group], dtype=np.float64))
        self.lo.append(np.full(n, velocity[0], dtype=np.float64))
        self.hi.append(np.full(n, velocity[1], dtype=np.float64))

    def arrays(self) -> dict[str, F64]:
        names = ("pitch", "start", "level", "duration", "group", "lo", "hi")
        if not self.start:
            return {n: np.empty(0) for n in names}
        return {n: np.concatenate(getattr(self, n)) for n in names}


def _density(ctx: RenderContext) -> float:
    d = ctx.constraints.drum_density
    if ctx.section_name:
        d += _SECTION_DENSITY.get(ctx.section_name.lower().replace("-", " ").strip(), 0.0)
    return float(min(1.0, max(0.0, d)))


def _layer_hits(
    layer: DrumLayer,
    ctx: RenderContext,
    dice: Dice,
    density: float,
    hits: _Hits,
    roll_pitch: int | None,
) -> int:
    """Add one layer's hits; return the chosen variant index."""
    n_var = len(layer.variants)
    index = round(density * (n_var - 1) + dice.jitter(0.55))
    index = min(n_var - 1, max(0, index))
    grid = pattern_grid(layer.variants[index], ctx.steps_per_bar)
    pattern_bars, steps = grid.shape
    bars = np.arange(ctx.bars)
    codes = grid[bars % pattern_bars]
    rng = dice.rng
    base = rng.random((pattern_bars, steps))
    turn = rng.random((pattern_bars, steps))
    u = base[bars % pattern_bars]
    turnaround = bars % 4 == 3
    if turnaround.any():
        # the turnaround bar re-decides about a quarter of its optional hits
        redo = rng.random((pattern_bars, steps)) < 0.25
        varied = np.where(redo, turn, base)
        u[turnaround] = varied[bars[turnaround] % pattern_bars]
    p_opt = 0.15 + 0.75 * density
    prob = np.where(codes == 4, p_opt, np.where(codes == 5, p_opt * 0.9, 1.0))
    active = (codes != 0) & (u < prob)
    bar_idx, step_idx = np.nonzero(active)
    if len(bar_idx) == 0:
        return index
    level = LEVELS[codes[bar_idx, step_idx]]
    start = bar_idx * ctx.beats_per_bar + step_idx * 0.25
    if roll_pitch == layer.pitch:
        start, level, duration = _rolls(start, level, bar_idx, codes, step_idx, dice, density)
    else:
        duration = np.full(len(start), 0.25)
    hits.add(layer.pitch, start, level, duration, layer.group, layer.velocity)
    return index


def _rolls(
    start: F64,
    level: F64,
    bar_idx: npt.NDArray[np.intp],
    codes: npt.NDArray[np.int8],
    step_idx: npt.NDArray[np.intp],
    dice: Dice,
    density: float,
) -> tuple[F64, F64, F64]:
    """Turn one or two roll-candidate hats (code ``r``) of each odd bar into a roll.

    Rolls favour the second half of the bar; each is a triplet or 32nd
    burst (16th triplets / 32nds in an eighth slot), crescendo or decrescendo.
    """
    steps = codes.shape[1]
    candidate = (codes[bar_idx, step_idx] == 6) & (bar_idx % 2 == 1)
    rolling = np.zeros(len(start), dtype=bool)
    for bar in np.unique(bar_idx[candidate]):
        idx = np.flatnonzero(candidate & (bar_idx == bar))
        count = 1 + int(dice.chance(0.2 + 0.4 * density))
        weights = [1.0 + 2.0 * (step_idx[i] >= steps // 2) for i in idx]
        for _ in range(min(count, len(idx))):
            j = dice.weighted(weights)
            rolling[idx[j]] = True
            weights[j] = 0.0
    if not rolling.any():
        return start, level, np.full(len(start), 0.25)
    nxt = (step_idx + 1) % steps
    slot = np.where(codes[bar_idx, nxt] == 0, 0.5, 0.25)
    keep = ~rolling
    out_s, out_l, out_d = [start[keep]], [level[keep]], [np.full(int(keep.sum()), 0.25)]
    for i in np.flatnonzero(rolling):
        div = dice.pick((3, 4)) if slot[i] == 0.5 else dice.pick((2, 3))
        offs = np.arange(div) * (slot[i] / div)
        ramp = np.linspace(0.45, 0.9, div) if dice.chance(0.6) else np.linspace(0.9, 0.5, div)
        out_s.append(start[i] + offs)
        out_l.append(ramp)
        out_d.append(np.full(div, slot[i] / div))
    return np.concatenate(out_s), np.concatenate(out_l), np.concatenate(out_d)


def _fill_bars(ctx: RenderContext, dice: Dice) -> list[tuple[int, float]]:
    """(bar, fill length in beats) of every fill of the part."""
    groove = ctx.groove
    if ctx.bars < 2 or groove.fill_probability <= 0:
        return []
    fills = []
    ends = set(ctx.section_ends)
    for bar in range(ctx.bars):
        if bar + 1 in ends:
            if dice.chance(groove.fill_probability):
                fills.append((bar, 2.0 if dice.chance(0.45) else 1.0))
        elif bar % 4 == 3 and dice.chance(0.3 * groove.fill_probability):
            fills.append((bar, 1.0 if dice.chance(0.5) else 0.5))
    return fills


def _apply_fills(
    arrays: dict[str, F64], ctx: RenderContext, dice: Dice, fills: list[tuple[int, float]]
) -> tuple[dict[str, F64], list[str]]:
    if not fills:
        return arrays, []
    names = []
    extra = _Hits()
    keep = np.ones(len(arrays["start"]), dtype=bool)
    kick = GROUP_PRIORITY["kick"]
    for bar, length in fills:
        end = (bar + 1) * ctx.beats_per_bar
        begin = end - min(length, ctx.beats_per_bar)
        inside = (arrays["start"] >= begin - 1e-9) & (arrays["start"] < end - 1e-9)
        keep &= ~(inside & (arrays["group"] != kick))
        name = dice.pick(ctx.groove.fills)
        names.append(name)
        keys, onsets, levels = render_fill(name, end - begin, dice)
        for group in sorted({_key_group(k) for k in keys}):
            mask = np.array([_key_group(k) == group for k in keys])
            extra.add(
                np.asarray(keys, dtype=np.float64)[mask],
                begin + np.asarray(onsets)[mask],
                np.asarray(levels)[mask],
                0.2,
                group,
                (70, 118),
            )
    out = {k: v[keep] for k, v in arrays.items()}
    more = extra.arrays()
    if len(more["start"]):
        out = {k: np.concatenate([out[k], more[k]]) for k in out}
    return out, names


def _crashes(ctx: RenderContext, dice: Dice, fills: list[tuple[int, float]], hits: _Hits) -> None:
    if ctx.groove.name == "ambient":
        return
    starts = []
    chained = ctx.section_start_bar > 0 or ctx.previous is not None
    if ctx.groove.crash_at_start or (chained and dice.chance(0.75)):
        starts.append(0.0)
    starts += [b * ctx.beats_per_bar for b in ctx.section_starts if b > 0]
    for bar, _ in fills:
        if bar + 1 < ctx.bars and (bar + 1) not in ctx.section_starts and dice.chance(0.5):
            starts.append((bar + 1) * ctx.beats_per_bar)
    if starts:
        hits.add(float(CRASH), np.asarray(sorted(set(starts))), 0.9, 1.0, "cymbals", (90, 120))


_DEFAULT_KEYS = {"kick": 36, "snare": 38, "hats": 42, "cymbals": 49, "toms": 45, "perc": 70}
_STRONG_STEPS = (0, 8, 4, 12, 2, 6, 10, 14, 1, 3, 5, 7, 9, 11, 13, 15)


def _add_missing(arrays: dict[str, F64], ctx: RenderContext, group: str, minimum: float) -> None:
    """Add hits of ``group`` to bars that have fewer than ``minimum``, on strong steps first."""
    need = int(np.ceil(minimum - 1e-9))
    if need <= 0:
        return
    pitch = next((lay.pitch for lay in ctx.groove.layers if lay.group == group), None)
    pitch = pitch if pitch is not None else _DEFAULT_KEYS[group]
    gid = GROUP_PRIORITY[group]
    bpb = ctx.beats_per_bar
    steps = [s for s in _STRONG_STEPS if s < ctx.steps_per_bar]
    added: list[float] = []
    for bar in range(ctx.bars):
        mask = (arrays["group"] == gid) & (np.floor(arrays["start"] / bpb + 1e-9) == bar)
        taken = set(np.round(arrays["start"][mask], 3).tolist())
        have = int(mask.sum())
        for step in steps:
            if have >= need:
                break
            t = round(bar * bpb + step * 0.25, 3)
            if t not in taken:
                added.append(t)
                have += 1
    if added:
        n = len(added)
        new = {
            "pitch": np.full(n, float(pitch)),
            "start": np.asarray(added),
            "level": np.full(n, 0.7),
            "duration": np.full(n, 0.25),
            "group": np.full(n, float(gid)),
            "lo": np.full(n, 60.0),
            "hi": np.full(n, 110.0),
        }
        for k in arrays:
            arrays[k] = np.concatenate([arrays[k], new[k]])


def _spec_targets(arrays: dict[str, F64], ctx: RenderContext) -> dict[str, F64]:
    """Enforce the drum spec's per-layer hits per bar (min and max) and velocity ranges."""
    spec = ctx.drum_spec
    if spec is None or not spec.layers:
        return arrays
    arrays = dict(arrays)
    for name, layer in spec.layers:
        group = _GROUP_ALIASES.get(name.lower().replace("_", " ").replace("-", " "))
        if group is not None:
            _add_missing(arrays, ctx, group, layer.density.min_hits_per_bar)
    bar = np.floor(arrays["start"] / ctx.beats_per_bar + 1e-9)
    keep = np.ones(len(bar), dtype=bool)
    for name, layer in spec.layers:
        group = _GROUP_ALIASES.get(name.lower().replace("_", " ").replace("-", " "))
        if group is None:
            continue
        mask = arrays["group"] == GROUP_PRIORITY[group]
        arrays["lo"] = np.where(mask, layer.velocity_range[0], arrays["lo"])
        arrays["hi"] = np.where(mask, layer.velocity_range[1], arrays["hi"])
        limit = int(np.floor(layer.density.max_hits_per_bar))
        for b in np.unique(bar[mask]):
            idx = np.flatnonzero(mask & (bar == b) & keep)
            if len(idx) > limit:
                order = idx[np.lexsort((arrays["start"][idx], -arrays["level"][idx]))]
                keep[order[limit:]] = False
    return {k: v[keep] for k, v in arrays.items()}


def _limit_simultaneous(arrays: dict[str, F64], limit: int) -> dict[str, F64]:
    tick = np.round(arrays["start"] * 96).astype(np.int64)
    order = np.lexsort((arrays["group"], tick))
    sorted_tick = tick[order]
    new_group = np.concatenate(([True], sorted_tick[1:] != sorted_tick[:-1]))
    group_start = np.maximum.accumulate(np.where(new_group, np.arange(len(order)), 0))
    rank = np.arange(len(order)) - group_start
    keep = np.zeros(len(order), dtype=bool)
    keep[order] = rank < limit
    return {k: v[keep] for k, v in arrays.items()}


def render_drums(ctx: RenderContext, dice: Dice) -> RenderedPart:
    """Render a drum part for ``ctx`` (GM keys on channel 9)."""
    density = _density(ctx)
    hits = _Hits()
    variants: list[JSONValue] = []  # variant index per layer, recorded as metadata
    for layer in ctx.groove.layers:
        variants.append(_layer_hits(layer, ctx, dice, density, hits, ctx.groove.roll_pitch))
    fills = _fill_bars(ctx, dice)
    arrays = hits.arrays()
    arrays, fill_names = _apply_fills(arrays, ctx, dice, fills)
    extra = _Hits()
    _crashes(ctx, dice, fills, extra)
    crash = extra.arrays()
    if len(crash["start"]):
        arrays = {k: np.concatenate([arrays[k], crash[k]]) for k in arrays}
    arrays = _spec_targets(arrays, ctx)
    limit = ctx.drum_spec.constraints.max_simultaneous if ctx.drum_spec is not None else 4
    arrays = _limit_simultaneous(arrays, max(1, limit))
    start = apply_swing(arrays["start"], ctx.swing, ctx.swing_unit)
    offsets = np.zeros(len(start))
    for layer in ctx.groove.layers:
        if layer.offset:
            offsets[arrays["pitch"] == layer.pitch] = layer.offset
    jitter = (dice.rng.random(len(start)) - 0.5) * 0.012 * ctx.temperature
    start = np.maximum(0.0, start + offsets + np.where(start > 0, jitter, 0.0))
    vel_noise = (dice.rng.random(len(start)) - 0.5) * 10.0
    velocity = arrays["lo"] + (arrays["hi"] - arrays["lo"]) * arrays["level"] + vel_noise
    velocity = np.clip(np.rint(velocity), 1, ctx.constraints.velocity_ceiling)
    buf = NoteBuffer()
    buf.add_arrays(arrays["pitch"].astype(np.int64), velocity, start, arrays["duration"])
    notes = finalize(buf, channel=DRUM_CHANNEL, total_beats=ctx.total_beats)
    return RenderedPart(
        notes,
        metadata={
            "groove": ctx.groove.name,
            "density": round(density, 3),
            "variants": variants,
            "fills": [
                {"bar": bar, "beats": length, "type": name}
                for (bar, length), name in zip(fills, fill_names, strict=True)
            ],
        },
    )
