"""Chords, keys and pads: voice-led voicings played in a style's rhythm.

* ``chords`` — the style's comping family (stabs, Charleston comping, bossa
  guitar, skank, power-chord eighths...), guitar programs strummed;
* ``keys`` — a keyboard part: rolled Rhodes comping, pop piano (left-hand
  root, right-hand chords), broken-chord arpeggios, clav, organ bubble or
  stabs;
* ``pads`` — one sustained voicing per chord, common tones tied across
  chord changes, with an expression (CC 11) swell for swelling pads.

Voicings come from :mod:`storpheus.backends.embedded.voicing`: each chord is
voiced close to the previous one (or to the previous section's last chord
when chaining). A hit within half a beat of a chord change anticipates the
next chord in styles that push.
"""

from __future__ import annotations

import numpy as np

from storpheus.backends.embedded.context import RenderContext
from storpheus.backends.embedded.dice import Dice
from storpheus.backends.embedded.harmony import add_extensions, nearest_pitch
from storpheus.backends.embedded.notebuf import NoteBuffer, RenderedPart, apply_swing, finalize
from storpheus.backends.embedded.patterns import (
    COMP_GATE,
    COMP_PATTERNS,
    PER_BAR_FAMILIES,
    parse_steps,
)
from storpheus.backends.embedded.voicing import Voicing, choose_voicing
from storpheus.events import ControlChangeArray

_PUSH_STYLES = frozenset({"lofi", "jazz", "bossa_nova", "pop", "funk", "synthwave", "rock"})


def _previous_voicing(ctx: RenderContext, low: int, high: int) -> Voicing | None:
    prev = ctx.previous
    if prev is None or len(prev) == 0:
        return None
    last = float(prev.start_beat.max())
    sounding = (prev.start_beat >= last - 0.05) & (prev.pitch >= low) & (prev.pitch <= high)
    pitches = sorted({int(p) for p in prev.pitch[sounding]})
    return tuple(pitches) if pitches else None


def _velocity(ctx: RenderContext, share: float) -> int:
    floor, ceiling = ctx.constraints.velocity_floor, ctx.constraints.velocity_ceiling
    return round(floor + share * (ceiling - floor))


class _Voicer:
    """Voicings per chord span, chosen in order with voice leading."""

    def __init__(
        self, ctx: RenderContext, dice: Dice, style: str, register: tuple[int, int]
    ) -> None:
        self.ctx, self.dice, self.style, self.register = ctx, dice, style, register
        self.previous = _previous_voicing(ctx, *register)
        self.cache: dict[int, Voicing] = {}
        low, high = register
        self.target = (low + high) / 2.0 + dice.jitter(3.0)
        # constraints asking for extensions (or high tension) colour plain triads
        self.extend = ctx.constraints.chord_extensions and style != "power"
        self.ninth = ctx.tension > 0.7

    def at(self, index: int) -> Voicing:
        if index not in self.cache:
            chord = self.ctx.chords[index].chord
            if self.extend:
                chord = add_extensions(chord, self.ctx.key, ninth=self.ninth)
            voicing = choose_voicing(
                chord, self.style, self.register, self.previous, self.dice, target=self.target
            )
            self.cache[index] = voicing
            self.previous = voicing
        return self.cache[index]


def _comp(
    ctx: RenderContext,
    dice: Dice,
    buf: NoteBuffer,
    family: str,
    voicer: _Voicer,
    *,
    strum: float = 0.0,
    level: float = 0.55,
) -> None:
    """Play ``family`` patterns bar by bar with the voicer's chords."""
    variants = COMP_PATTERNS.get(family, COMP_PATTERNS["pop"])
    gate = COMP_GATE.get(family, 0.95)
    per_bar = family in PER_BAR_FAMILIES
    push = ctx.style.id in _PUSH_STYLES
    bpb = ctx.beats_per_bar
    chosen = dice.below(len(variants))
    base_vel = _velocity(ctx, level)
    for bar in range(ctx.bars):
        if per_bar or (bar % 4 == 0 and dice.chance(0.5)):
            chosen = dice.below(len(variants))
        pattern = variants[chosen]
        if not per_bar and bar % 4 == 3 and dice.chance(0.35):
            pattern = variants[dice.below(len(variants))]
        for step, length, _token in parse_steps(pattern, ctx.steps_per_bar):
            t = bar * bpb + step * 0.25
            slot = length * 0.25
            accent = 8 if step == 0 else 3 if step % 4 == 0 else -3
            vel = base_vel + accent + round(dice.jitter(5))
            _hit(ctx, dice, buf, voicer, t, slot, gate, vel, strum, push, step)


def _hit(
    ctx: RenderContext,
    dice: Dice,
    buf: NoteBuffer,
    voicer: _Voicer,
    t: float,
    slot: float,
    gate: float,
    vel: int,
    strum: float,
    push: bool,
    step: int,
) -> None:
    index = ctx.chord_index(t)
    span = ctx.chords[index]
    end = t + slot * gate
    if push and index + 1 < len(ctx.chords):
        change = ctx.chords[index + 1].start
        if 0 < change - t <= 0.5 + 1e-9 and dice.chance(0.7):
            index, span = index + 1, ctx.chords[index + 1]
            if gate >= 0.9:  # legato comping lets the anticipation ring into the bar
                end = max(end, change + 0.5)
    voicing = voicer.at(index)
    stop = min(end, span.end) if span.start <= t else end
    dur = max(0.05, stop - t)
    up = strum > 0 and step % 2 == 1
    order = list(reversed(voicing)) if up else list(voicing)
    for k, pitch in enumerate(order):
        offset = k * strum
        buf.add(pitch, vel - (k if up else 0), t + offset, max(0.05, dur - offset))
    if end > span.end + 1e-9 and span.start <= t and index + 1 < len(ctx.chords):
        # the slot rings over a chord change: continue with the next chord
        nxt = ctx.chords[index + 1]
        _hit(ctx, dice, buf, voicer, nxt.start, (end - nxt.start) / gate, gate, vel - 4, strum,
             False, step)  # fmt: skip


def _finish(
    ctx: RenderContext, buf: NoteBuffer, swing: bool = True, cc: ControlChangeArray | None = None
) -> RenderedPart:
    if swing and ctx.swing > 0.5 and len(buf.start):
        buf.start = apply_swing(np.asarray(buf.start), ctx.swing, ctx.swing_unit).tolist()
    notes = finalize(
        buf,
        channel=ctx.channel,
        total_beats=ctx.total_beats,
        register=ctx.register,
        velocity_bounds=(ctx.constraints.velocity_floor, ctx.constraints.velocity_ceiling),
    )
    return RenderedPart(notes, cc=cc if cc is not None else ControlChangeArray.empty())


def render_chords(ctx: RenderContext, dice: Dice) -> RenderedPart:
    """Render the ``chords`` role: the style's comping rhythm with voice-led voicings."""
    buf = NoteBuffer()
    family = ctx.style.chords
    voicer = _Voicer(ctx, dice, ctx.voicing, ctx.register)
    guitar = 24 <= ctx.program <= 31
    strum = dice.between(0.008, 0.018) if guitar else 0.0
    _comp(ctx, dice, buf, family, voicer, strum=strum)
    part = _finish(ctx, buf)
    return RenderedPart(part.notes, metadata={"pattern_family": family, "voicing": ctx.voicing})


# ---------------------------------------------------------------- keys
def _split(register: tuple[int, int]) -> tuple[tuple[int, int], tuple[int, int]]:
    low, high = register
    if high - low < 26:  # too narrow for two hands: both play the whole register
        return register, register
    mid = max(low + 12, min(high - 14, (low + high) // 2 - 2))
    return (low, min(high, mid + 2)), (max(low, mid - 2), high)


def _piano(ctx: RenderContext, dice: Dice, buf: NoteBuffer) -> None:
    left, right = _split(ctx.register)
    voicer = _Voicer(ctx, dice, "close", right)
    _comp(ctx, dice, buf, "piano", voicer, level=0.5)
    bpb = ctx.beats_per_bar
    half = dice.chance(0.5)
    last = float(left[0] + 7)
    for bar in range(ctx.bars):
        beats = (0.0, bpb / 2) if half and bpb >= 4 else (0.0,)
        for b in beats:
            t = bar * bpb + b
            span = ctx.chords[ctx.chord_index(t)]
            root = nearest_pitch(span.chord.bass, last, left[0], left[1])
            if root < 0:
                continue
            last = float(root)
            dur = min(span.end, t + (bpb / len(beats))) - t
            vel = _velocity(ctx, 0.6) + round(dice.jitter(4))
            buf.add(root, vel, t, dur * 0.95)
            if root + 12 <= left[1] and dice.chance(0.35):
                buf.add(root + 12, vel - 10, t, dur * 0.95)
        for span in ctx.chords:
            if bar * bpb < span.start < (bar + 1) * bpb and all(
                abs(span.start - (bar * bpb + b)) > 1e-6 for b in beats
            ):
                root = nearest_pitch(span.chord.bass, last, left[0], left[1])
                if root >= 0:
                    buf.add(root, _velocity(ctx, 0.55), span.start, (span.end - span.start) * 0.95)


def _broken(ctx: RenderContext, dice: Dice, buf: NoteBuffer, *, sub: int, high: bool) -> None:
    low, top = ctx.register
    reg = (max(low, (low + top) // 2 - 4), top) if high else (low, top)
    voicer = _Voicer(ctx, dice, "spread" if not high else "close", reg)
    order_name = dice.pick(("up", "updown", "alberti", "wave"))
    step = 1.0 / sub
    rest_p = 0.3 if high else 0.0
    for index, span in enumerate(ctx.chords):
        voicing = list(voicer.at(index))
        if not high:
            bass = nearest_pitch(span.chord.bass, low + 6, low, top)
            if 0 <= bass < voicing[0]:
                voicing = [bass, *voicing]
        seq = _order(voicing, order_name)
        t, k = span.start, 0
        while t < span.end - 1e-9:
            if not (rest_p and dice.chance(rest_p)):
                pitch = seq[k % len(seq)]
                accent = 6 if abs(t - round(t)) < 1e-9 else 0
                vel = _velocity(ctx, 0.45) + accent + round(dice.jitter(5))
                buf.add(pitch, vel, t, min(step * (1.6 if not high else 0.9), span.end - t))
            t += step
            k += 1


def _order(voicing: list[int], name: str) -> list[int]:
    if name == "updown" and len(voicing) > 2:
        return voicing + voicing[-2:0:-1]
    if name == "alberti" and len(voicing) >= 3:
        return [voicing[0], voicing[-1], voicing[len(voicing) // 2], voicing[-1]]
    if name == "wave" and len(voicing) >= 3:
        return [voicing[0], voicing[2 % len(voicing)], voicing[1], voicing[-1]]
    return voicing


def render_keys(ctx: RenderContext, dice: Dice) -> RenderedPart:
    """Render the ``keys`` role in the style's keyboard family."""
    buf = NoteBuffer()
    family = ctx.style.keys
    if family == "piano":
        _piano(ctx, dice, buf)
    elif family == "broken":
        _broken(ctx, dice, buf, sub=4 if ctx.bpm < 100 else 2, high=False)
    elif family == "bells":
        _broken(ctx, dice, buf, sub=2, high=True)
    else:
        pattern_family = {"comp": "comp", "clav": "clav", "bubble": "bubble"}.get(
            family, ctx.style.chords
        )
        style = ctx.voicing if family == "comp" else "close"
        reg = ctx.register if family == "comp" else _split(ctx.register)[1]
        voicer = _Voicer(ctx, dice, style, reg)
        strum = dice.between(0.01, 0.03) if family == "comp" and dice.chance(0.6) else 0.0
        _comp(ctx, dice, buf, pattern_family, voicer, strum=strum, level=0.5)
    part = _finish(ctx, buf)
    return RenderedPart(part.notes, metadata={"keys_style": family})


# ---------------------------------------------------------------- pads
def render_pads(ctx: RenderContext, dice: Dice) -> RenderedPart:
    """Render the ``pads`` role: sustained voicings, common tones tied, optional swell."""
    buf = NoteBuffer()
    style = "spread" if ctx.style.pads == "swell" or ctx.voicing == "spread" else "close"
    voicer = _Voicer(ctx, dice, style, ctx.register)
    held: dict[int, tuple[float, int]] = {}
    base = _velocity(ctx, 0.4)
    for index, span in enumerate(ctx.chords):
        voicing = set(voicer.at(index))
        for pitch in sorted(held):
            if pitch not in voicing or dice.chance(0.15):
                start, vel = held.pop(pitch)
                buf.add(pitch, vel, start, span.start - start)
        for pitch in sorted(voicing):
            if pitch not in held:
                held[pitch] = (span.start, base + round(dice.jitter(6)))
    for pitch in sorted(held):
        start, vel = held[pitch]
        buf.add(pitch, vel, start, ctx.total_beats - start)
    cc = _swell(ctx, dice) if ctx.style.pads == "swell" else None
    part = _finish(ctx, buf, swing=False, cc=cc)
    return RenderedPart(part.notes, cc=part.cc, metadata={"pad_style": ctx.style.pads})


def _swell(ctx: RenderContext, dice: Dice) -> ControlChangeArray:
    """Expression (CC 11) rising over each chord's first half and easing off after."""
    beats, values = [], []
    peak = 100 + dice.below(20)
    for span in ctx.chords:
        length = span.end - span.start
        for frac, value in ((0.0, 45), (0.25, 75), (0.5, peak), (0.85, 85)):
            beats.append(span.start + frac * length)
            values.append(value)
    return ControlChangeArray(np.full(len(beats), 11), np.asarray(values), np.asarray(beats))
