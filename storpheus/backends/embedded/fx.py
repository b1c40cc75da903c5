"""Sparse effects: risers into section ends, impacts on section starts, swells, textures.

All pitches are chord tones of the chord in force (root and fifth mostly),
so the effects stay in the key. Risers and swells carry their motion in
controller curves: expression (CC 11) and brightness (CC 74) ramps.

Families (from the style): ``riser`` (riser before each section end, an
impact on chained starts), ``impact`` (cinematic hits and booms plus a
riser), ``swell`` (long swelling chord tones), ``vinyl`` (sparse soft
texture hits) and ``none`` (a few accents at phrase boundaries).
"""

from __future__ import annotations

import numpy as np

from storpheus.backends.embedded.context import RenderContext
from storpheus.backends.embedded.dice import Dice
from storpheus.backends.embedded.harmony import nearest_pitch
from storpheus.backends.embedded.notebuf import NoteBuffer, RenderedPart, finalize
from storpheus.events import ControlChangeArray

_EXPRESSION, _BRIGHTNESS = 11, 74


class _Curves:
    def __init__(self) -> None:
        self.number: list[int] = []
        self.value: list[int] = []
        self.beat: list[float] = []

    def ramp(self, number: int, begin: float, end: float, v0: int, v1: int, points: int) -> None:
        for i in range(points):
            frac = i / max(1, points - 1)
            self.number.append(number)
            self.value.append(round(v0 + (v1 - v0) * frac**1.5))
            self.beat.append(begin + (end - begin) * frac)

    def array(self) -> ControlChangeArray:
        if not self.beat:
            return ControlChangeArray.empty()
        return ControlChangeArray(
            np.asarray(self.number), np.asarray(self.value), np.asarray(self.beat)
        )


def _pitch(ctx: RenderContext, pc: int, where: float) -> int:
    low, high = ctx.register
    return nearest_pitch(pc, low + where * (high - low), low, high)


def _riser(ctx: RenderContext, dice: Dice, buf: NoteBuffer, cc: _Curves, end_bar: int) -> None:
    """A build into ``end_bar``: a held tone, a stutter that speeds up, or a climb."""
    bpb = ctx.beats_per_bar
    length_bars = min(dice.pick((1, 2, 2, 4)), max(1, end_bar // 2))
    begin = (end_bar - length_bars) * bpb
    end = end_bar * bpb
    chord = ctx.chord_at(begin)
    pc = dice.pick((chord.root, chord.root, chord.fifth, chord.third or chord.fifth))
    low_pitch = _pitch(ctx, pc, dice.between(0.25, 0.55))
    kind = dice.pick(("held", "held", "stutter", "climb"))
    if kind == "stutter":
        t, rate = begin, 1.0
        while t < end - 1e-9:
            if t >= end - bpb / 2:
                rate = 0.25
            elif t >= end - bpb:
                rate = 0.5
            frac = (t - begin) / (end - begin)
            buf.add(low_pitch, round(55 + 60 * frac), t, rate * 0.8)
            t += rate
    elif kind == "climb":
        tones = sorted({_pitch(ctx, p, 0.4) for p in chord.pitch_classes[:3]})
        steps = max(1, round(end - begin))
        for i in range(steps):
            octave = 12 * (i // len(tones))
            pitch = tones[i % len(tones)] + octave
            if pitch > ctx.register[1]:
                pitch -= 12 * (1 + (pitch - ctx.register[1]) // 12)
            buf.add(pitch, round(60 + 50 * i / steps), begin + i, 0.9)
    else:
        buf.add(low_pitch, 70 + dice.below(20), begin, end - begin)
        if dice.chance(0.6) and low_pitch + 12 <= ctx.register[1]:
            half = begin + (end - begin) / 2
            buf.add(low_pitch + 12, 75 + dice.below(20), half, end - half)
    points = 8 + 4 * length_bars
    cc.ramp(_EXPRESSION, begin, end - 0.05, 30, 127, points)
    cc.ramp(_BRIGHTNESS, begin, end - 0.05, 20, 127, points)


def _reverse_swell(ctx: RenderContext, dice: Dice, buf: NoteBuffer, cc: _Curves, bar: int) -> None:
    """A short swell sucking into the downbeat of ``bar``."""
    length = dice.pick((1.0, 2.0))
    end = bar * ctx.beats_per_bar
    begin = end - length
    chord = ctx.chord_at(end)
    pitch = _pitch(ctx, dice.pick(chord.pitch_classes[:3]), dice.between(0.5, 0.8))
    buf.add(pitch, 60 + dice.below(20), begin, length - 0.05)
    cc.ramp(_EXPRESSION, begin, end - 0.05, 10, 120, 6)


def _impact(ctx: RenderContext, dice: Dice, buf: NoteBuffer, bar: int) -> None:
    t = bar * ctx.beats_per_bar
    chord = ctx.chord_at(t)
    boom = _pitch(ctx, chord.root, 0.0)
    length = min(ctx.total_beats - t, dice.pick((2.0, 4.0, 4.0)))
    buf.add(boom, 112 + dice.below(12), t, length)
    if dice.chance(0.7):
        buf.add(_pitch(ctx, chord.fifth, 0.25), 96 + dice.below(12), t, length * 0.75)


def _swells(ctx: RenderContext, dice: Dice, buf: NoteBuffer, cc: _Curves) -> None:
    bpb = ctx.beats_per_bar
    bar = dice.below(2)
    while bar < ctx.bars:
        span_bars = min(ctx.bars - bar, dice.pick((2, 3, 4)))
        t, end = bar * bpb, (bar + span_bars) * bpb
        chord = ctx.chord_at(t)
        pc = dice.pick(chord.pitch_classes[:3])
        buf.add(_pitch(ctx, pc, dice.between(0.55, 0.85)), 60 + dice.below(15), t, end - t)
        mid = t + (end - t) * dice.between(0.4, 0.7)
        cc.ramp(_EXPRESSION, t, mid, 20, 110, 6)
        cc.ramp(_EXPRESSION, mid, end - 0.05, 110, 30, 6)
        bar += span_bars + dice.below(3)


def _texture(ctx: RenderContext, dice: Dice, buf: NoteBuffer, density: float) -> None:
    bpb = ctx.beats_per_bar
    for bar in range(ctx.bars):
        if not dice.chance(density):
            continue
        t = bar * bpb + dice.pick((0.5, 1.5, 2.5, 3.0, 3.5)) % bpb
        chord = ctx.chord_at(t)
        pitch = _pitch(ctx, dice.pick(chord.pitch_classes[:3]), dice.between(0.6, 0.9))
        buf.add(pitch, 45 + dice.below(25), t, dice.pick((0.5, 1.0, 2.0)))


def render_fx(ctx: RenderContext, dice: Dice) -> RenderedPart:
    """Render the ``fx`` role for ``ctx``."""
    family = ctx.style.fx
    buf = NoteBuffer()
    cc = _Curves()
    chained = ctx.section_start_bar > 0 or ctx.previous is not None
    starts = [b for b in ctx.section_starts if b > 0] + ([0] if chained else [])
    if family in ("riser", "impact"):
        for end_bar in ctx.section_ends:
            if end_bar >= 2 or dice.chance(0.5):
                _riser(ctx, dice, buf, cc, end_bar)
        impact_bars = sorted(set(starts + ([0] if family == "impact" else [])))
        for bar in impact_bars:
            _impact(ctx, dice, buf, bar)
        for bar in range(4, ctx.bars, 4):
            if bar in impact_bars or bar in ctx.section_ends:
                continue
            if family == "impact" and dice.chance(0.6):
                _impact(ctx, dice, buf, bar)
            elif dice.chance(0.5):
                _reverse_swell(ctx, dice, buf, cc, bar)
    elif family == "swell":
        _swells(ctx, dice, buf, cc)
    elif family == "vinyl":
        _texture(ctx, dice, buf, 0.45)
    else:
        for bar in sorted({0, *range(4, ctx.bars, 4)}):
            if bar == 0 or dice.chance(0.7):
                if dice.chance(0.3):
                    _impact(ctx, dice, buf, bar)
                else:
                    _texture_hit(ctx, dice, buf, bar)
        _texture(ctx, dice, buf, 0.2)
    if len(buf) == 0:
        _texture_hit(ctx, dice, buf, 0)
    notes = finalize(
        buf,
        channel=ctx.channel,
        total_beats=ctx.total_beats,
        register=ctx.register,
        velocity_bounds=(1, ctx.constraints.velocity_ceiling),
    )
    return RenderedPart(notes, cc=cc.array(), metadata={"fx_style": family})


def _texture_hit(ctx: RenderContext, dice: Dice, buf: NoteBuffer, bar: int) -> None:
    t = bar * ctx.beats_per_bar
    chord = ctx.chord_at(t)
    for pc in chord.pitch_classes[:2]:
        buf.add(_pitch(ctx, pc, dice.between(0.5, 0.8)), 70 + dice.below(20), t, 1.0)
