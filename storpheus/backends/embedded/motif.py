"""Motifs: a bar of rhythm with scale-step contour, and their variations.

A :class:`Motif` is a list of :class:`MotifNote` (onset and duration inside
the motif, rest flag, scale-degree step from the previous sounding note).
:func:`invent_motif` draws one from a style's rhythm vocabulary and the
leap probability; :func:`extract_motif` reads one from existing notes (a
seed phrase or the previous section) so a part can develop given material;
:func:`vary` makes the variations phrases are built from.

Example
-------
>>> import numpy as np
>>> from storpheus.backends.embedded.dice import Dice
>>> m = invent_motif(Dice(np.random.default_rng(1)), "lyrical", 4.0, rest_density=0.1,
...                  leap_probability=0.2)
>>> abs(sum(n.duration for n in m.notes) - 4.0) < 1e-9
True
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Final

import numpy as np

from storpheus.backends.embedded.dice import Dice
from storpheus.notes import NoteArray
from storpheus.theory import Key

_T = 1.0 / 3.0

RHYTHMS: Final[dict[str, tuple[tuple[tuple[float, ...], float], ...]]] = {
    "lyrical": (((1.0,), 3), ((0.5, 0.5), 3), ((1.5, 0.5), 2), ((2.0,), 1.5),
                ((0.5, 1.0, 0.5), 1.5), ((0.75, 0.25), 1), ((1.0, 1.0), 1)),
    "lazy": (((0.5, 0.5), 2), ((1.5,), 2), ((0.75, 0.25, 1.0), 1.5), ((1.0,), 2),
             ((0.25, 0.25, 0.5), 1), ((2.0,), 1)),
    "bebop": (((0.5, 0.5), 5), ((1.0,), 1), ((_T, _T, _T), 1), ((1.5, 0.5), 1),
              ((0.5, 0.5, 0.5, 0.5), 2)),
    "bossa": (((0.5, 1.0, 0.5), 3), ((1.5, 0.5), 2), ((1.0,), 2), ((2.0,), 1), ((0.5, 0.5), 2),
              ((1.5, 1.5, 1.0), 1)),
    "riff16": (((0.25, 0.25, 0.5), 3), ((0.75, 0.25), 2), ((0.5, 0.5), 2), ((0.25, 0.5, 0.25), 2),
               ((0.5,), 1)),
    "trap": (((_T, _T, _T), 2), ((0.5, 0.5), 3), ((0.25, 0.25, 0.5), 2), ((1.0,), 2),
             ((0.75, 0.75, 0.5), 2)),
    "sparse": (((2.0,), 3), ((4.0,), 1), ((3.0, 1.0), 1.5), ((1.5, 2.5), 1.5), ((1.0, 1.0), 1)),
    "hypnotic": (((0.5, 0.5), 3), ((0.75, 0.75, 0.5), 3), ((0.25, 0.25, 0.5), 2), ((0.5,), 1)),
    "riff": (((0.5, 0.5), 3), ((0.25, 0.25, 0.5), 2), ((0.75, 0.25), 2), ((1.0,), 1.5),
             ((0.5, 1.0, 0.5), 1.5)),
    "lazy_riff": (((0.5, 0.5), 3), ((0.75, 0.25), 2), ((1.0,), 1), ((0.25, 0.25, 0.5), 1.5)),
    "rock": (((0.5, 0.5), 3), ((1.0,), 2), ((0.25, 0.25, 0.5), 1.5), ((1.5, 0.5), 1.5)),
    "heroic": (((1.5, 0.5), 3), ((2.0,), 2), ((1.0, 1.0), 2), ((0.75, 0.25), 1), ((3.0, 1.0), 1)),
}  # fmt: skip
"""Rhythm cells (durations in beats) and their weights, per rhythm vocabulary."""

_STEPS: Final = (0, 1, -1, 2, -2, 3, -3, 4, -4, 5, -5, 7, -7)


@dataclass(frozen=True)
class MotifNote:
    """One note of a motif; ``step`` is in scale degrees from the previous sounding note."""

    onset: float
    duration: float
    rest: bool
    step: int


@dataclass(frozen=True)
class Motif:
    """A rhythm with a step contour, ``length`` beats long."""

    notes: tuple[MotifNote, ...]
    length: float
    source: str = "invented"


def _rhythm(dice: Dice, vocab: str, length: float) -> list[float]:
    cells = RHYTHMS.get(vocab, RHYTHMS["lyrical"])
    out: list[float] = []
    left = length
    while left > 1e-9:
        fitting = [(c, w) for c, w in cells if sum(c) <= left + 1e-9]
        if not fitting:
            out.append(left)
            break
        cell = fitting[dice.weighted([w for _, w in fitting])][0]
        # keep triplet cells on the beat grid
        out.extend(cell)
        left -= sum(cell)
    return out


def _step(dice: Dice, leap_probability: float, direction: int) -> int:
    lp = leap_probability
    weights = []
    for s in _STEPS:
        size = abs(s)
        w = (
            0.12
            if size == 0
            else 0.5 * (1 - lp)
            if size == 1
            else 0.28 * (1 - lp)
            if size == 2
            else 0.0
        )
        if size in (3, 4):
            w = 0.6 * lp
        elif size >= 5:
            w = 0.25 * lp
        if s * direction > 0:
            w *= 1.6
        weights.append(w)
    return _STEPS[dice.weighted(weights)]


def invent_motif(
    dice: Dice,
    vocab: str,
    length: float,
    *,
    rest_density: float,
    leap_probability: float,
) -> Motif:
    """A new motif: rhythm from ``vocab`` cells, steps by ``leap_probability``.

    The first note is never a rest unless the vocabulary is a lazy one; about
    ``rest_density`` of the other slots are rests.
    """
    durations = _rhythm(dice, vocab, length)
    direction = 1 if dice.chance(0.55) else -1
    notes = []
    t = 0.0
    for i, d in enumerate(durations):
        rest = i > 0 and i < len(durations) - 1 and dice.chance(rest_density)
        if i == 0 and vocab.startswith("lazy") and dice.chance(rest_density * 0.5):
            rest = True
        if dice.chance(0.25):
            direction = -direction
        step = 0 if i == 0 else _step(dice, leap_probability, direction)
        notes.append(MotifNote(t, d, rest, step))
        t += d
    if all(n.rest for n in notes):
        notes[0] = replace(notes[0], rest=False)
    return Motif(tuple(notes), length)


def extract_motif(notes: NoteArray, key: Key, length: float, source: str) -> Motif | None:
    """The first ``length`` beats of a monophonic line as a motif (``None`` if too few notes).

    Onsets are quantised to 16ths, chords reduced to their top note, pitches
    mapped to the nearest scale degree of ``key``.
    """
    if len(notes) < 2:
        return None
    order = np.lexsort((-notes.pitch.astype(np.int64), notes.start_beat))
    start = notes.start_beat[order]
    pitch = notes.pitch[order].astype(np.int64)
    first_bar = np.floor(start[0] / length) * length
    rel = np.round((start - first_bar) * 4) / 4
    keep = (rel < length) & np.concatenate(([True], np.diff(rel) > 1e-9))
    rel, pitch = rel[keep], pitch[keep]
    if len(rel) < 2:
        return None
    degrees = [_degree_of(int(p), key) for p in pitch]
    out = []
    if rel[0] > 0:
        out.append(MotifNote(0.0, float(rel[0]), True, 0))
    for i, t in enumerate(rel):
        end = rel[i + 1] if i + 1 < len(rel) else length
        step = 0 if i == 0 else degrees[i] - degrees[i - 1]
        step = max(-7, min(7, step))
        out.append(MotifNote(float(t), float(end - t), False, step))
    return Motif(tuple(out), length, source)


def _degree_of(pitch: int, key: Key) -> int:
    octave, pc = divmod(pitch - key.tonic, 12)
    steps = [(s - 0) % 12 for s in (p - key.tonic for p in key.pitch_classes)]
    nearest = min(range(7), key=lambda i: (abs(steps[i] - pc), i))
    return octave * 7 + nearest


def vary(motif: Motif, kind: str, dice: Dice, leap_probability: float) -> Motif:
    """A variation of ``motif``.

    ``repeat`` (unchanged), ``steps`` (re-draw one or two steps), ``invert``
    (mirror the contour), ``rhythm`` (split one note in two or merge two),
    ``tail`` (keep the first half, then one long note).
    """
    notes = list(motif.notes)
    if kind == "steps" and len(notes) > 1:
        for _ in range(1 + int(dice.chance(0.5))):
            i = 1 + dice.below(len(notes) - 1)
            direction = 1 if dice.chance(0.5) else -1
            notes[i] = replace(notes[i], step=_step(dice, leap_probability, direction))
    elif kind == "invert":
        notes = [replace(n, step=-n.step) for n in notes]
    elif kind == "rhythm" and notes:
        i = dice.below(len(notes))
        n = notes[i]
        if n.duration >= 0.5 and dice.chance(0.6):
            half = n.duration / 2
            notes[i : i + 1] = [
                replace(n, duration=half),
                MotifNote(n.onset + half, half, False, dice.pick((1, -1, 2))),
            ]
        elif i + 1 < len(notes):
            merged = replace(n, duration=n.duration + notes[i + 1].duration)
            notes[i : i + 2] = [merged]
    elif kind == "tail" and len(notes) > 1:
        half = motif.length / 2
        head = [n for n in notes if n.onset < half - 1e-9]
        if head:
            last = head[-1]
            head[-1] = replace(last, duration=motif.length - last.onset)
            notes = head
    return Motif(tuple(notes), motif.length, motif.source)


__all__ = ["RHYTHMS", "Motif", "MotifNote", "extract_motif", "invent_motif", "vary"]
