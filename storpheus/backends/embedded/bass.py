"""The bass renderer: roots on the strong beats, style rhythms, register.

Three ways to play, chosen by the style's bass family:

* **patterns** — one-bar step patterns (``R`` root, ``O`` octave, ``5``
  fifth, ``3`` third, ``7`` seventh, ``N`` approach to the next chord's
  root, ``g`` dead note, ``-`` hold, ``.`` rest), one variant per phrase;
* **kick lock** — notes on the kick drum (the request's ``drum_kick_beats``
  or the style's core kick pattern), roots with octave and approach
  colour, held until the next kick;
* **walking** — quarter notes: root on the downbeat, chord and scale tones
  stepping toward a diatonic or chromatic approach to the next root.

Every chord change gets its root (or slash bass) on the downbeat.
"""

from __future__ import annotations

import numpy as np

from storpheus.backends.embedded.context import RenderContext
from storpheus.backends.embedded.dice import Dice
from storpheus.backends.embedded.grooves import KICK, pattern_grid
from storpheus.backends.embedded.harmony import Chord, nearest_pitch
from storpheus.backends.embedded.notebuf import NoteBuffer, RenderedPart, apply_swing, finalize
from storpheus.backends.embedded.patterns import BASS_PATTERNS, BASS_STYLE_ALIASES, parse_steps

_LOCK_STYLE = {
    # family: (gate, octave chance, approach chance, max beats)
    "lofi": (0.92, 0.1, 0.25, 3.0),
    "boom_bap": (0.75, 0.2, 0.3, 2.0),
    "808": (0.98, 0.2, 0.15, 4.0),
    "dnb": (0.98, 0.1, 0.1, 4.0),
    "dembow": (0.8, 0.15, 0.2, 1.0),
}


def _pc_for(token: str, chord: Chord, next_chord: Chord, ctx: RenderContext, dice: Dice) -> int:
    root = chord.bass
    if token in ("R", "O", "g", "L"):
        return root
    if token == "5":
        return chord.fifth
    if token == "3":
        return chord.third if chord.third is not None else chord.fifth
    if token == "7":
        seventh = next((i for i in chord.intervals if i in (10, 11)), None)
        return (chord.root + seventh) % 12 if seventh is not None else (chord.root + 12) % 12
    if token == "N":
        return _approach(next_chord.bass, ctx, dice)
    return root


def _approach(target: int, ctx: RenderContext, dice: Dice, chromatic: float = 0.0) -> int:
    """A pitch class leading into ``target``: a scale step above or below, or a half step."""
    if dice.chance(chromatic):
        return (target + dice.pick((-1, 1))) % 12
    scale = ctx.key.pitch_classes
    below = max((pc for pc in scale if (target - pc) % 12 in (1, 2)), default=(target - 2) % 12)
    above = min((pc for pc in scale if (pc - target) % 12 in (1, 2)), default=(target + 2) % 12)
    return below if dice.chance(0.6) else above


class _Voice:
    """Chooses octaves: roots near a home pitch low in the register, other notes near the line."""

    def __init__(self, ctx: RenderContext, dice: Dice) -> None:
        low, high = ctx.register
        self.low, self.high = low, high
        self.home = float(low + min(8, max(0, (high - low) // 3)) + dice.below(3))
        self.last = self.home
        prev = ctx.previous
        if prev is not None and len(prev):
            last = int(prev.pitch[int(np.argmax(prev.start_beat))])
            if low <= last <= high:
                self.last = float(last)

    def _place(self, pc: int, centre: float, pull: float) -> int:
        first = self.low + ((pc - self.low) % 12)
        options = list(range(first, self.high + 1, 12))
        if not options:
            return nearest_pitch(pc, centre, 0, 127)

        def cost(p: int) -> tuple[float, int]:
            wander = max(0.0, abs(p - self.home) - 7.0)  # stay within a fifth of home
            return (abs(p - centre) + pull * abs(p - self.last) + 1.5 * wander, p)

        best = min(options, key=cost)
        self.last = float(best)
        return best

    def root(self, pc: int) -> int:
        return self._place(pc, self.home, 0.0)

    def near(self, pc: int) -> int:
        return self._place(pc, self.last, 0.0)

    def octave(self, pc: int) -> int:
        base = self._place(pc, self.home, 0.0)
        up = base + 12 if base + 12 <= self.high else base
        self.last = float(up)
        return up


def _render_patterns(ctx: RenderContext, dice: Dice, buf: NoteBuffer) -> str:
    family = bass_family(ctx)
    variants = BASS_PATTERNS.get(family, BASS_PATTERNS["pumping"])
    gate = 0.7 if family == "funk" else 0.88
    voice = _Voice(ctx, dice)
    if family == "drone":
        _render_drone(ctx, dice, buf, voice)
        return family
    bpb = ctx.beats_per_bar
    steps = ctx.steps_per_bar
    chosen = dice.below(len(variants))
    for bar in range(ctx.bars):
        if bar % 4 == 0:
            chosen = dice.below(len(variants)) if dice.chance(0.5) else chosen
        pattern = variants[
            chosen if bar % 4 != 3 or not dice.chance(0.4) else dice.below(len(variants))
        ]
        events = parse_steps(pattern, steps)
        bar_start = bar * bpb
        for step, length, token in events:
            t = bar_start + step * 0.25
            chord = ctx.chord_at(t)
            nxt = ctx.next_chord(t)
            at_change = ctx.is_change(t)
            pc = (
                chord.bass
                if at_change and token not in ("O",)
                else _pc_for(token, chord, nxt, ctx, dice)
            )
            if token == "O" and not at_change:
                pitch = voice.octave(pc)
            elif token in ("R", "L") or at_change:
                pitch = voice.root(pc)
            else:
                pitch = voice.near(pc)
            dur = length * 0.25 * gate
            vel = 96 if step == 0 else 84
            if token == "g":
                dur, vel = 0.1, 52
            buf.add(pitch, vel + round(dice.jitter(6)), t, dur)
        _ensure_changes(ctx, bar_start, bar_start + bpb, buf, voice)
    return family


def _render_drone(ctx: RenderContext, dice: Dice, buf: NoteBuffer, voice: _Voice) -> None:
    """One held root per chord; long chords are re-struck halfway, sometimes an octave away."""
    for span in ctx.chords:
        length = span.end - span.start
        pitch = voice.root(span.chord.bass)
        if length >= 8 and dice.chance(0.5):
            half = span.start + length / 2
            buf.add(pitch, 78 + round(dice.jitter(5)), span.start, half - span.start)
            up = pitch + 12 if pitch + 12 <= voice.high else pitch - 12
            other = up if dice.chance(0.5) and voice.low <= up else pitch
            buf.add(other, 66 + round(dice.jitter(5)), half, span.end - half)
            voice.last = float(pitch)
        else:
            buf.add(pitch, 78 + round(dice.jitter(5)), span.start, length)


def _ensure_changes(
    ctx: RenderContext, begin: float, end: float, buf: NoteBuffer, voice: _Voice
) -> None:
    """Add the root on a chord change inside [begin, end) that the pattern left silent."""
    for span in ctx.chords:
        if begin <= span.start < end:
            window = [s for s in buf.start if span.start - 1e-6 <= s <= span.start + 0.5 + 1e-6]
            if not window:
                pitch = voice.root(span.chord.bass)
                buf.add(pitch, 92, span.start, min(1.0, span.end - span.start))


def _kick_beats(ctx: RenderContext, dice: Dice) -> list[float]:
    total = ctx.total_beats
    if ctx.kick_beats:
        return sorted({round(b, 6) for b in ctx.kick_beats if 0 <= b < total})
    for layer in ctx.groove.layers:
        if layer.pitch == KICK:
            variant = layer.variants[min(1, len(layer.variants) - 1)]
            grid = pattern_grid(variant, ctx.steps_per_bar)
            beats = []
            for bar in range(ctx.bars):
                row = grid[bar % grid.shape[0]]
                for step in np.flatnonzero((row != 0) & (row != 4) & (row != 5)):
                    beats.append(bar * ctx.beats_per_bar + step * 0.25)
            swung = apply_swing(np.asarray(beats, dtype=np.float64), ctx.swing, ctx.swing_unit)
            return sorted({round(float(b), 6) for b in swung})
    return [c.start for c in ctx.chords]


def _render_kick_lock(ctx: RenderContext, dice: Dice, buf: NoteBuffer) -> str:
    family = ctx.style.bass if ctx.style.bass in _LOCK_STYLE else "boom_bap"
    gate, octave_p, approach_p, max_len = _LOCK_STYLE[family]
    max_len = min(max_len, ctx.bass_spec.note_length.max_beats) if ctx.spec_given else max_len
    changes = [c.start for c in ctx.chords]
    onsets = set()
    for kick in _kick_beats(ctx, dice):
        # a kick humanised just off a chord change counts as on it
        near = [c for c in changes if abs(c - kick) < 0.07]
        onsets.add(near[0] if near else kick)
    for c in changes:
        if not any(abs(c - o) < 0.26 for o in onsets):
            onsets.add(c)
    times = sorted(onsets)
    voice = _Voice(ctx, dice)
    drop_p = 0.25 if family == "lofi" else 0.1 if family == "dnb" else 0.0
    for i, t in enumerate(times):
        nxt_t = times[i + 1] if i + 1 < len(times) else ctx.total_beats
        chord = ctx.chord_at(t + 0.25)
        is_change = any(abs(t - c) < 0.26 for c in changes)
        on_beat = abs(t - round(t)) < 0.02
        if not is_change and not on_beat and dice.chance(drop_p):
            continue
        next_change = min((c for c in changes if c > t + 1e-6), default=ctx.total_beats)
        if is_change or (on_beat and (t % ctx.beats_per_bar) < 1e-6):
            pitch = voice.root(chord.bass)
        elif next_change - t <= 1.0 and next_change < ctx.total_beats and dice.chance(approach_p):
            pitch = voice.near(_approach(ctx.chord_at(next_change).bass, ctx, dice))
        elif dice.chance(octave_p):
            pitch = voice.octave(chord.bass) if family != "dnb" else voice.near(chord.fifth)
        elif dice.chance(0.15):
            pitch = voice.near(chord.fifth)
        else:
            pitch = voice.root(chord.bass)
        dur = max(0.2, min(max_len, (min(nxt_t, next_change) - t) * gate))
        if family == "808" and nxt_t - t > 1.0 and dice.chance(0.3):
            dur = max(dur, nxt_t - t - 0.05)
        vel = 100 if on_beat else 88
        buf.add(pitch, vel + round(dice.jitter(6)), t, dur)
    return family


def _render_walking(ctx: RenderContext, dice: Dice, buf: NoteBuffer) -> str:
    """Quarter notes: roots on changes, stepwise chord and scale tones, approach at the end."""
    voice = _Voice(ctx, dice)
    scale = set(ctx.key.pitch_classes)
    beats = int(np.ceil(ctx.total_beats - 1e-9))
    changes = [c.start for c in ctx.chords]
    chromatic_left = max(1, ctx.bars // 4)
    for beat in range(beats):
        t = float(beat)
        chord = ctx.chord_at(t)
        next_change = min((c for c in changes if c > t + 1e-6), default=ctx.total_beats)
        is_change = any(abs(t - c) < 1e-6 for c in changes) or (t % ctx.beats_per_bar) < 1e-6
        last = voice.last
        if is_change:
            pitch = voice.root(chord.bass)
        elif next_change - t <= 1.0 + 1e-6 and next_change < ctx.total_beats:
            target_pc = ctx.chord_at(next_change).bass
            target = nearest_pitch(target_pc, last, voice.low, voice.high)
            if chromatic_left > 0 and dice.chance(0.35):
                # a chromatic approach; at most one per four bars keeps the line in the key
                chromatic_left -= 1
                pitch = target + (1 if target - 1 < voice.low or dice.chance(0.5) else -1)
            else:
                above = [p for p in range(target + 1, target + 3) if p % 12 in scale]
                below = [p for p in range(target - 2, target) if p % 12 in scale]
                side = below if (last < target and below) or not above else above
                pitch = side[-1] if side is below else side[0]
            pitch = min(voice.high, max(voice.low, pitch))
            voice.last = float(pitch)
        else:
            target = nearest_pitch(ctx.chord_at(next_change).bass, last, voice.low, voice.high)
            direction = (
                1 if target > last else -1 if target < last else (1 if dice.chance(0.5) else -1)
            )
            chord_pcs = set(chord.pitch_classes)
            cands, weights = [], []
            for p in range(int(last) - 5, int(last) + 6):
                if p == last or not voice.low <= p <= voice.high or p % 12 not in scale | chord_pcs:
                    continue
                w = 2.0 if p % 12 in chord_pcs else 1.0
                w *= 2.0 if (p - last) * direction > 0 else 1.0
                w /= 1.0 + abs(p - last) / 2.5
                cands.append(p)
                weights.append(w)
            pitch = cands[dice.weighted(weights)] if cands else voice.near(chord.fifth)
            voice.last = float(pitch)
        vel = 92 if beat % 2 == 0 else 84
        buf.add(pitch, vel + round(dice.jitter(5)), t, 0.92)
        if dice.chance(0.06) and not is_change:
            # a ghosted swung eighth pickup repeating the note
            buf.add(pitch, 50, t + 0.66, 0.2)
    return "walking"


def bass_family(ctx: RenderContext) -> str:
    """The bass family: the style's own, unless the spec asks for another bass style.

    A spec carrying the style's own bass style (what the planner writes by
    default) plays the style's family, exactly as a request without a spec
    does; another style the spec names (a busier line, say) is mapped to
    its family.
    """
    if ctx.bass_spec.style == ctx.style.bass_style:
        return ctx.style.bass
    return BASS_STYLE_ALIASES.get(ctx.bass_spec.style, ctx.style.bass)


def render_bass(ctx: RenderContext, dice: Dice) -> RenderedPart:
    """Render a bass part for ``ctx``."""
    buf = NoteBuffer()
    family = bass_family(ctx)
    if family == "walking":
        used = _render_walking(ctx, dice, buf)
        swing = ctx.swing
    elif ctx.lock_to_kick and (family in _LOCK_STYLE or ctx.kick_beats):
        used = _render_kick_lock(ctx, dice, buf)
        swing = 0.5  # kick positions are already swung
    else:
        used = _render_patterns(ctx, dice, buf)
        swing = ctx.swing
    if swing > 0.5 and len(buf.start):
        swung = apply_swing(np.asarray(buf.start), swing, ctx.swing_unit)
        buf.start = swung.tolist()
    floor, ceiling = ctx.constraints.velocity_floor, ctx.constraints.velocity_ceiling
    notes = finalize(
        buf,
        channel=ctx.channel,
        total_beats=ctx.total_beats,
        register=ctx.register,
        velocity_bounds=(floor if used != "funk" else min(floor, 50), ceiling),
    )
    return RenderedPart(notes, metadata={"bass_style": used, "lock_to_kick": ctx.lock_to_kick})
