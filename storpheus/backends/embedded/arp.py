"""The arpeggiator: chord tones in a pattern at a fixed subdivision.

Patterns: ``up``, ``down``, ``updown``, ``pinky`` (top note alternating with
the others), ``converge`` (outside in) and ``random`` (a shuffled order kept
for the whole chord). The subdivision is the constraints' steps per beat;
the pattern keeps its phase across chord changes, accents fall on the beats,
and some candidates gate a rhythmic mask over the steps.
"""

from __future__ import annotations

import numpy as np

from storpheus.backends.embedded.context import RenderContext
from storpheus.backends.embedded.dice import Dice
from storpheus.backends.embedded.notebuf import NoteBuffer, RenderedPart, apply_swing, finalize
from storpheus.backends.embedded.voicing import choose_voicing

PATTERNS = ("up", "down", "updown", "pinky", "converge", "random")


def _sequence(tones: list[int], pattern: str, dice: Dice) -> list[int]:
    if pattern == "down":
        return tones[::-1]
    if pattern == "updown" and len(tones) > 2:
        return tones + tones[-2:0:-1]
    if pattern == "pinky" and len(tones) > 1:
        top, rest = tones[-1], tones[:-1]
        out = []
        for t in rest:
            out += [t, top]
        return out
    if pattern == "converge" and len(tones) > 2:
        out, lo, hi = [], 0, len(tones) - 1
        while lo <= hi:
            out.append(tones[lo])
            if lo != hi:
                out.append(tones[hi])
            lo, hi = lo + 1, hi - 1
        return out
    if pattern == "random":
        order = list(range(len(tones)))
        for i in range(len(order) - 1, 0, -1):
            j = dice.below(i + 1)
            order[i], order[j] = order[j], order[i]
        return [tones[i] for i in order]
    return tones


def render_arp(ctx: RenderContext, dice: Dice) -> RenderedPart:
    """Render the ``arp`` role for ``ctx``."""
    low, high = ctx.register
    pattern = ctx.style.arp if dice.chance(0.45) else dice.pick(PATTERNS)
    sub = ctx.constraints.subdivision
    step = 1.0 / sub
    octaves = 2 if dice.chance(0.5) and high - low >= 24 else 1
    gate = dice.between(0.45, 0.9)
    steps_per_bar = max(1, round(ctx.beats_per_bar * sub))
    mask = None
    if dice.chance(0.35):
        mask = [dice.chance(0.78) or i % sub == 0 for i in range(steps_per_bar)]
    room = max(1, high - low - 12 * octaves - 6)
    span_low = low + dice.below(room)
    reg = (span_low, min(high, span_low + 18))
    previous = None
    base = round(
        ctx.constraints.velocity_floor
        + 0.5 * (ctx.constraints.velocity_ceiling - ctx.constraints.velocity_floor)
    )
    buf = NoteBuffer()
    k = 0
    for span in ctx.chords:
        voicing = choose_voicing(span.chord, "close", reg, previous, dice)
        previous = voicing
        tones = sorted({p + 12 * o for p in voicing for o in range(octaves) if p + 12 * o <= high})
        seq = _sequence(tones, pattern, dice)
        n_steps = round((span.end - span.start) * sub)
        first_step = round(span.start * sub)
        for j in range(n_steps):
            global_step = first_step + j
            t = global_step * step
            if mask is not None and not mask[global_step % steps_per_bar]:
                k += 1
                continue
            pitch = seq[k % len(seq)]
            accent = 10 if global_step % sub == 0 else 4 if (2 * global_step) % sub == 0 else 0
            buf.add(pitch, base + accent + round(dice.jitter(5)), t, step * gate)
            k += 1
    if ctx.swing > 0.5 and len(buf.start):
        buf.start = apply_swing(np.asarray(buf.start), ctx.swing, ctx.swing_unit).tolist()
    notes = finalize(
        buf,
        channel=ctx.channel,
        total_beats=ctx.total_beats,
        register=ctx.register,
        velocity_bounds=(ctx.constraints.velocity_floor, ctx.constraints.velocity_ceiling),
    )
    return RenderedPart(
        notes,
        metadata={"pattern": pattern, "subdivision": sub, "octaves": octaves, "gated": bool(mask)},
    )
