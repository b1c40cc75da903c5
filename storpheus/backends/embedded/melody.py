"""Melody and lead: a motif, its variations, a phrase form and a contour.

Each four-bar phrase follows a form such as ``A A' B cadence``; the motif
comes from a seed phrase, the previous section, or is invented from the
style's rhythm vocabulary. Pitches live in scale-degree space, so lines stay
in the key: notes on strong beats and long notes land on chord tones, weak
notes may pass (pentatonic styles skip the half-step degrees), the phrase
arches up to its middle, and phrases end on a chord tone — the last one on
the tonic when the chord allows. Rests follow the rest density, leaps the
leap probability, the register the constraints.
"""

from __future__ import annotations

import math

import numpy as np

from storpheus.backends.embedded.context import RenderContext
from storpheus.backends.embedded.dice import Dice
from storpheus.backends.embedded.harmony import Chord
from storpheus.backends.embedded.motif import Motif, extract_motif, invent_motif, vary
from storpheus.backends.embedded.notebuf import NoteBuffer, RenderedPart, apply_swing, finalize

_MELODY_FORMS = (
    ("A", "A:steps", "B", "A:tail"),
    ("A", "B", "A", "B:tail"),
    ("A", "A:rhythm", "B", "A:tail"),
    ("A", "A", "B", "B:tail"),
)
_LEAD_FORMS = (
    ("A", "A", "A", "A:steps"),
    ("A", "A:steps", "A", "B"),
    ("A", "A:rhythm", "A", "A:tail"),
    ("A", "B", "A", "B:steps"),
)
_REGISTER_SHIFT = {"low": -5, "mid": 0, "high": 5}


class _Degrees:
    """Scale-degree arithmetic for one key and register."""

    def __init__(self, ctx: RenderContext, pentatonic: bool) -> None:
        self.steps = ctx.key.intervals
        low, high = ctx.register
        self.low, self.high = low, high
        self.base = low - ((low - ctx.key.tonic) % 12)  # tonic at or below the register
        self.n = ((high - self.base) // 12 + 1) * 7
        minor_like = self.steps[2] == 3
        skip = {1, 5} if minor_like else {3, 6}
        self.penta = tuple(d for d in range(7) if d not in skip) if pentatonic else tuple(range(7))
        self._pitches = [self.pitch(d) for d in range(self.n)]
        self._chords: dict[Chord, list[int]] = {}

    def pitch(self, degree: int) -> int:
        octave, step = divmod(degree, 7)
        return self.base + 12 * octave + self.steps[step]

    def in_range(self, degree: int) -> bool:
        return self.low <= self.pitch(degree) <= self.high

    def nearest_to_pitch(self, pitch: float) -> int:
        return min(range(self.n), key=lambda d: (abs(self._pitches[d] - pitch), d))

    def chord_degrees(self, chord: Chord) -> list[int]:
        found = self._chords.get(chord)
        if found is None:
            pcs = set(chord.pitch_classes)
            found = [
                d
                for d, p in enumerate(self._pitches)
                if p % 12 in pcs and self.low <= p <= self.high
            ]
            self._chords[chord] = found
        return found

    def snap(self, degree: int, allowed: list[int]) -> int:
        if not allowed:
            return degree
        return min(allowed, key=lambda d: (abs(d - degree), d))

    def penta_snap(self, degree: int, direction: int) -> int:
        if degree % 7 in self.penta:
            return degree
        return degree + (1 if direction >= 0 else -1)


def _motif_source(ctx: RenderContext, dice: Dice, length: float) -> Motif | None:
    prev = ctx.previous
    if prev is not None and len(prev) >= 3 and dice.chance(0.6):
        motif = extract_motif(prev, ctx.key, length, "previous")
        if motif is not None:
            return motif
    if ctx.use_seed_motifs and dice.chance(0.4):
        from storpheus.seeds import SeedNotFoundError, select_seed

        role = "melody" if ctx.role == "melody" else "lead"
        try:
            seed = select_seed(ctx.style.id, role, ctx.key.name, dice.rng)
        except SeedNotFoundError:
            return None
        return extract_motif(seed.notes, ctx.key, length, f"seed:{seed.info.seed_id}")
    return None


def _render_line(ctx: RenderContext, dice: Dice, *, lead: bool) -> RenderedPart:
    style = ctx.style
    hint = ctx.melody_spec.style_hint
    # "lyrical" is the MelodySpec default: it does not override the style's own vocabulary
    vocab = style.lead if lead else hint if hint in _VOCABS and hint != "lyrical" else style.melody
    c = ctx.constraints
    bpb = ctx.beats_per_bar
    motif_len = bpb * (2 if vocab in ("sparse", "heroic") and ctx.bars >= 4 else 1)
    rest_density = c.rest_density * (0.6 if lead else 1.0)
    leap = c.leap_probability
    source = _motif_source(ctx, dice, motif_len)
    motif_a = source or invent_motif(
        dice, vocab, motif_len, rest_density=rest_density, leap_probability=leap
    )
    motif_b = invent_motif(dice, vocab, motif_len, rest_density=rest_density, leap_probability=leap)
    forms = _LEAD_FORMS if lead else _MELODY_FORMS
    form = forms[dice.below(len(forms))]
    degrees = _Degrees(ctx, style.pentatonic or vocab in ("trap", "lazy"))
    centre = (ctx.register[0] + ctx.register[1]) / 2.0
    if not lead:
        centre += _REGISTER_SHIFT.get(ctx.melody_spec.register, 0)
    current = degrees.nearest_to_pitch(centre)
    chained = False
    if ctx.previous is not None and len(ctx.previous):
        last = int(ctx.previous.pitch[int(np.argmax(ctx.previous.start_beat))])
        if ctx.register[0] <= last <= ctx.register[1]:
            current = degrees.nearest_to_pitch(last)
            chained = True
    buf = NoteBuffer()
    units = max(1, round(ctx.bars * bpb / motif_len))
    phrase_units = max(1, round(4 * bpb / motif_len))
    base_vel = round(c.velocity_floor + 0.62 * (c.velocity_ceiling - c.velocity_floor))
    legato = style.legato * (0.85 if lead else 1.0)
    for unit in range(units):
        pos = unit % phrase_units
        phrase_end = pos == phrase_units - 1 or unit == units - 1
        final = unit == units - 1
        label = form[min(pos * len(form) // phrase_units, len(form) - 1)]
        name, _, kind = label.partition(":")
        motif = motif_a if name == "A" else motif_b
        if kind:
            motif = vary(motif, kind, dice, leap)
        if unit >= phrase_units and dice.chance(0.35):
            motif = vary(motif, dice.pick(("steps", "rhythm")), dice, leap)
        if phrase_end and kind != "tail":
            motif = vary(motif, "tail", dice, leap)
        start = unit * motif_len
        arch = math.sin(math.pi * (pos + 0.5) / phrase_units)
        target = degrees.nearest_to_pitch(centre - 2) + round(2 * arch) + dice.below(2) - 1
        if unit == 0 and chained:
            target = current  # continue where the previous section stopped
        current = _play_unit(
            ctx, dice, buf, degrees, motif, start, current, target, phrase_end, final,
            base_vel + round(6 * arch), legato,
        )  # fmt: skip
    if ctx.swing > 0.5 and len(buf.start):
        s = np.asarray(buf.start)
        e = s + np.asarray(buf.duration)
        s2 = apply_swing(s, ctx.swing, ctx.swing_unit)
        e2 = apply_swing(e, ctx.swing, ctx.swing_unit)
        buf.start, buf.duration = s2.tolist(), np.maximum(0.05, e2 - s2).tolist()
    notes = finalize(
        buf,
        channel=ctx.channel,
        total_beats=ctx.total_beats,
        register=ctx.register,
        velocity_bounds=(c.velocity_floor, c.velocity_ceiling),
    )
    return RenderedPart(
        notes,
        metadata={
            "form": list(form),
            "rhythm": vocab,
            "motif_source": (source.source if source else "invented"),
        },
    )


def _anchor(degrees: _Degrees, chord_degs: list[int], goal: float, offsets: list[int]) -> int:
    """The chord-tone degree to start the motif on: near ``goal``, whole motif in range."""
    lo_off, hi_off = min(offsets, default=0), max(offsets, default=0)
    pool = chord_degs or list(range(degrees.n))

    def cost(d: int) -> tuple[float, int]:
        penalty = 0.0
        if d + lo_off < 0 or not degrees.in_range(d + lo_off):
            penalty += 4.0
        if d + hi_off >= degrees.n or not degrees.in_range(d + hi_off):
            penalty += 4.0
        return (abs(d - goal) + penalty, d)

    return min(pool, key=cost)


def _play_unit(
    ctx: RenderContext,
    dice: Dice,
    buf: NoteBuffer,
    degrees: _Degrees,
    motif: Motif,
    start: float,
    current: int,
    target: int,
    phrase_end: bool,
    final: bool,
    base_vel: int,
    legato: float,
) -> int:
    """Realise one motif instance from ``start``; return the last degree played."""
    bpb = ctx.beats_per_bar
    sounding = [n for n in motif.notes if not n.rest and start + n.onset < ctx.total_beats - 1e-9]
    if not sounding:
        return current
    offsets, acc = [], 0
    for i, n in enumerate(sounding):
        acc += 0 if i == 0 else n.step
        offsets.append(acc)
    first_chord = ctx.chord_at(start + sounding[0].onset)
    goal = 0.5 * target + 0.5 * current
    anchor = _anchor(degrees, degrees.chord_degrees(first_chord), goal, offsets)
    history: list[int] = []
    for i, note in enumerate(sounding):
        t = start + note.onset
        chord = ctx.chord_at(t)
        chord_degs = degrees.chord_degrees(chord)
        in_bar = t % bpb
        strong = in_bar < 1e-6 or abs(in_bar - bpb / 2) < 1e-6 or note.duration >= 1.0
        degree = anchor + offsets[i]
        if strong and chord_degs:
            near = degrees.snap(degree, chord_degs)
            if abs(near - degree) <= 1:
                degree = near
        elif i > 0:
            degree = degrees.penta_snap(degree, note.step)
        if len(history) >= 2 and history[-1] == history[-2] == degree:
            degree += 1 if dice.chance(0.5) else -1
        previous = history[-1] if history else current
        while degree - previous > 5 and degrees.pitch(degree - 7) >= degrees.low:
            degree -= 7  # no leap wider than a sixth: take the octave below
        while previous - degree > 5 and degrees.pitch(degree + 7) <= degrees.high:
            degree += 7
        while degree >= 7 and degrees.pitch(degree) > degrees.high:
            degree -= 7
        while degrees.pitch(degree) < degrees.low:
            degree += 7
        dur = note.duration * legato
        if i == len(sounding) - 1 and phrase_end:
            tonic = [d for d in chord_degs if d % 7 == 0]
            pool = tonic if final and tonic else chord_degs
            if pool:
                degree = min(pool, key=lambda d: (abs(d - degree) + 0.5 * abs(d - history[-1])
                                                  if history else abs(d - degree), d))  # fmt: skip
            dur = max(note.duration, motif.length - note.onset) * 0.95
        accent = 8 if in_bar < 1e-6 else 3 if strong else 0
        vel = base_vel + accent + round(dice.jitter(5))
        buf.add(degrees.pitch(degree), vel, t, max(0.1, dur))
        history.append(degree)
        current = degree
    return current


_VOCABS = frozenset(
    {"lyrical", "lazy", "bebop", "bossa", "riff16", "trap", "sparse", "hypnotic", "riff", "rock",
     "heroic", "lazy_riff"}
)  # fmt: skip


def render_melody(ctx: RenderContext, dice: Dice) -> RenderedPart:
    """Render the ``melody`` role: lyrical phrases in the style's rhythm vocabulary."""
    return _render_line(ctx, dice, lead=False)


def render_lead(ctx: RenderContext, dice: Dice) -> RenderedPart:
    """Render the ``lead`` role: riff-like, busier, in a higher register."""
    return _render_line(ctx, dice, lead=True)
