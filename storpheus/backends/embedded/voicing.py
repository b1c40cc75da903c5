"""Chord voicings in a register, chosen by voice leading.

:func:`voicing_candidates` lists every placement of a chord's tones in a
register for a voicing style (close, spread/open, drop2, rootless, shell,
power); :func:`choose_voicing` picks the one that moves least from the
previous voicing (or sits nearest the register centre for the first chord),
with a little seeded randomness among the best few so candidates differ.

Example
-------
>>> from storpheus.backends.embedded.harmony import parse_chord
>>> cands = voicing_candidates(parse_chord("C"), "close", 55, 72)
>>> (55, 60, 64) in cands or (60, 64, 67) in cands
True
"""

from __future__ import annotations

import itertools
from functools import lru_cache

from storpheus.backends.embedded.dice import Dice
from storpheus.backends.embedded.harmony import Chord

Voicing = tuple[int, ...]


def _tones(chord: Chord, style: str) -> tuple[int, ...]:
    """Intervals above the root (0-23) that the voicing style uses for this chord."""
    ivs = chord.intervals
    third = next((i for i in ivs if i in (3, 4)), None)
    seventh = next((i for i in ivs if i in (9, 10, 11)), None)
    ninth = next((i for i in ivs if i in (13, 14, 15)), None)
    fifth = next((i for i in ivs if i in (6, 7, 8)), 7)
    if style == "power":
        return (0, fifth, 12)
    if style == "dyad":
        return (0, third if third is not None else fifth)
    if style == "shell":
        return (0, third if third is not None else fifth, seventh if seventh is not None else 12)
    if style == "rootless" or (style == "close" and ninth is not None):
        upper = [t for t in (third, fifth, seventh, ninth) if t is not None]
        return tuple(upper[:4]) if len(upper) >= 3 else (0, *upper)
    tones = [i for i in ivs if i < 12]
    if ninth is not None:
        tones.append(ninth)
    if len(tones) > 4:
        tones = [t for t in tones if t not in (6, 7, 8)]  # drop the fifth first
    return tuple(tones[:5])


def _close_shapes(root: int, tones: tuple[int, ...]) -> list[tuple[int, tuple[int, ...]]]:
    """Every inversion of the tones packed within an octave: (lowest pc, ascending offsets)."""
    pcs = sorted({(root + t) % 12 for t in tones}, key=lambda pc: (pc - root) % 12)
    shapes = []
    for r in range(len(pcs)):
        rotated = pcs[r:] + pcs[:r]
        offs = [0]
        for a, b in itertools.pairwise(rotated):
            offs.append(offs[-1] + ((b - a) % 12 or 12))
        shapes.append((rotated[0], tuple(offs)))
    return shapes


def _drop(
    shape: tuple[int, tuple[int, ...]], which: tuple[int, ...]
) -> tuple[int, tuple[int, ...]]:
    """Drop the voices ``which`` (counted from the top, 2 = second highest) an octave."""
    bottom_pc, offs = shape
    moved = list(offs)
    for w in which:
        if w <= len(moved):
            moved[-w] -= 12
    moved.sort()
    low = moved[0]
    return (bottom_pc + low) % 12, tuple(o - low for o in moved)


def _shapes(chord: Chord, style: str) -> list[tuple[int, tuple[int, ...]]]:
    tones = _tones(chord, style)
    root = chord.root
    if style in ("close", "rootless"):
        return _close_shapes(root, tones)
    if style == "drop2":
        return [_drop(s, (2,)) for s in _close_shapes(root, tones)]
    if style in ("spread", "open"):
        closes = _close_shapes(root, tones)
        third = chord.third
        upper = sorted({t for t in tones if t % 12 not in (0, 6, 7, 8)})
        if third is not None and (third - root) % 12 not in upper:
            upper = sorted([(third - root) % 12, *upper])
        spread = (root, (0, chord.intervals[2] if len(chord.intervals) > 2 else 7,
                         *(12 + u for u in upper)))  # fmt: skip
        dropped = [_drop(s, (2,)) for s in closes]
        if len(tones) >= 4:
            dropped += [_drop(s, (2, 4)) for s in closes]
        return [spread, *dropped]
    return [(root, tuple(sorted(tones)))]


@lru_cache(maxsize=4096)
def voicing_candidates(chord: Chord, style: str, low: int, high: int) -> tuple[Voicing, ...]:
    """Every voicing of ``chord`` in ``style`` with all notes inside ``[low, high]``.

    If the register is too narrow for any, the chord is thinned to a shell
    (root, third, seventh), then a dyad, then the root alone.
    """
    results: set[Voicing] = set()
    for bottom_pc, offs in _shapes(chord, style):
        first = low + ((bottom_pc - low) % 12)
        for base in range(first, high + 1, 12):
            if base + offs[-1] <= high:
                results.add(tuple(base + o for o in offs))
    if results:
        return tuple(sorted(results))
    if style not in ("shell", "dyad"):
        return voicing_candidates(chord, "shell", low, high)
    if style == "shell":
        return voicing_candidates(chord, "dyad", low, high)
    third = chord.third if chord.third is not None else chord.fifth
    for base in range(low, high + 1):
        if base % 12 == chord.root and base + (third - chord.root) % 12 <= high:
            results.add((base, base + (third - chord.root) % 12))
    if not results:
        results = {(p,) for p in range(low, high + 1) if p % 12 == chord.root}
    if not results:  # a register narrower than the gaps between chord tones
        results = {(p,) for p in range(low, high + 1) if p % 12 in chord.pitch_classes}
    if not results:
        results = {(max(0, min(127, low + ((chord.root - low) % 12))),)}
    return tuple(sorted(results))


def voice_distance(a: Voicing, b: Voicing) -> float:
    """Voice-leading distance: each note's distance to the nearest note of the other chord."""
    if not a or not b:
        return 0.0
    there = sum(min(abs(x - y) for y in b) for x in a)
    back = sum(min(abs(x - y) for x in a) for y in b)
    return (there + back) / 2.0


def choose_voicing(
    chord: Chord,
    style: str,
    register: tuple[int, int],
    previous: Voicing | None,
    dice: Dice,
    *,
    target: float | None = None,
) -> Voicing:
    """The voicing of ``chord`` to play after ``previous``.

    Costs: voice-leading distance to ``previous`` plus distance of the
    voicing's centre from ``target`` (default: register centre). One of the
    three cheapest is drawn (weights 1, 0.35, 0.12).
    """
    low, high = register
    candidates = voicing_candidates(chord, style, low, high)
    if len(candidates) == 1:
        return candidates[0]
    centre = target if target is not None else (low + high) / 2.0
    costs = []
    for v in candidates:
        mid = sum(v) / len(v)
        cost = abs(mid - centre) * (0.35 if previous else 1.0)
        if previous:
            cost += voice_distance(v, previous)
        costs.append(cost)
    order = sorted(range(len(candidates)), key=lambda i: (costs[i], candidates[i]))
    best = order[:3]
    pick = best[dice.weighted([1.0, 0.35, 0.12][: len(best)])]
    return candidates[pick]


__all__ = ["Voicing", "choose_voicing", "voice_distance", "voicing_candidates"]
