"""A straightforward reference implementation of Yang & Lerch's set-level evaluation.

Written for clarity, not speed: a Python loop per note for the features, a
loop per pair with ``numpy.linalg.norm`` for the distances, ``scipy.stats.
gaussian_kde`` for the densities, ``scipy.integrate.trapezoid`` for the
overlapping area and ``scipy.stats.entropy`` for the KL divergence. The tests
check :mod:`storpheus.evaluation` against it, and ``benchmarks/
bench_evaluation.py`` times the two side by side.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
from scipy import integrate, stats

from storpheus.notes import NoteArray
from storpheus.score import Score

LENGTHS = (4.0, 2.0, 1.0, 0.5, 0.25, 3.0, 1.5, 0.75, 0.375, 4 / 3, 2 / 3, 1 / 3)


def piece_notes(piece):
    """(channel, start, pitch, duration, velocity) of every pitched note, and the bar length."""
    rows = []
    if isinstance(piece, Score):
        bpb = piece.beats_per_bar
        for track in piece.tracks:
            if track.is_drum:
                continue
            notes = track.notes
            for i in range(len(notes)):
                rows.append(
                    (
                        int(notes.channel[i]),
                        float(notes.start_beat[i]),
                        int(notes.pitch[i]),
                        float(notes.duration_beats[i]),
                        int(notes.velocity[i]),
                    )
                )
    else:
        notes = piece.notes if not isinstance(piece, NoteArray) else piece
        bpb = 4.0
        for i in range(len(notes)):
            if int(notes.channel[i]) == 9:
                continue
            rows.append(
                (
                    int(notes.channel[i]),
                    float(notes.start_beat[i]),
                    int(notes.pitch[i]),
                    float(notes.duration_beats[i]),
                    int(notes.velocity[i]),
                )
            )
    rows.sort()
    return rows, bpb


def length_class(duration):
    best, best_distance = 0, math.inf
    for index, length in enumerate(LENGTHS):
        distance = abs(duration - length)
        if distance < best_distance:
            best, best_distance = index, distance
    return best


def normalise(values):
    total = values.sum()
    return values / total if total > 0 else values


def piece_features(piece, bars):
    """Every feature of one piece, flattened like storpheus.evaluation's rows."""
    rows, bpb = piece_notes(piece)
    pitches = [r[2] for r in rows]
    out = {}
    out["pitch_count"] = np.array([float(len(set(pitches)))])
    per_bar_pitches = [set() for _ in range(bars)]
    per_bar_notes = np.zeros(bars)
    per_bar_pch = np.zeros((bars, 12))
    for _channel, start, pitch, _duration, _velocity in rows:
        bar = math.floor(start / bpb + 1e-9)
        if bar < bars:
            per_bar_pitches[bar].add(pitch)
            per_bar_notes[bar] += 1
            per_bar_pch[bar, pitch % 12] += 1
    out["pitch_count_per_bar"] = np.array([float(len(s)) for s in per_bar_pitches])
    out["note_count"] = np.array([float(len(rows))])
    out["note_count_per_bar"] = per_bar_notes
    pch = np.zeros(12)
    for pitch in pitches:
        pch[pitch % 12] += 1
    out["pitch_class_histogram"] = normalise(pch)
    out["pitch_class_histogram_per_bar"] = np.concatenate([normalise(r) for r in per_bar_pch])
    pctm = np.zeros((12, 12))
    nltm = np.zeros((12, 12))
    shifts = []
    for previous, current in itertools.pairwise(rows):
        if previous[0] != current[0]:  # another voice
            continue
        pctm[previous[2] % 12, current[2] % 12] += 1
        nltm[length_class(previous[3]), length_class(current[3])] += 1
        shifts.append(abs(current[2] - previous[2]))
    out["pitch_class_transition_matrix"] = normalise(pctm.ravel())
    out["pitch_range"] = np.array([float(max(pitches) - min(pitches)) if pitches else 0.0])
    out["average_pitch_shift"] = np.array([float(np.mean(shifts)) if shifts else 0.0])
    onsets = sorted({r[1] for r in rows})
    out["average_ioi"] = np.array([float(np.mean(np.diff(onsets))) if len(onsets) > 1 else 0.0])
    nlh = np.zeros(12)
    for row in rows:
        nlh[length_class(row[3])] += 1
    out["note_length_histogram"] = normalise(nlh)
    out["note_length_transition_matrix"] = normalise(nltm.ravel())
    return out


def set_features(pieces, bars):
    per_piece = [piece_features(p, bars) for p in pieces]
    return {name: np.array([f[name] for f in per_piece]) for name in per_piece[0]}


def intra_distances(values):
    out = []
    for i in range(len(values)):
        for j in range(len(values)):
            if i != j:
                out.append(np.linalg.norm(values[i] - values[j]))
    return np.array(out)


def inter_distances(a, b):
    out = []
    for i in range(len(a)):
        for j in range(len(b)):
            out.append(np.linalg.norm(a[i] - b[j]))
    return np.array(out)


def grid_for(samples, grid):
    """The integration grid: every sample plus 5 of the widest kernel's bandwidths each side."""
    widths = []
    for sample in samples:
        try:
            widths.append(math.sqrt(stats.gaussian_kde(sample).covariance[0, 0]))
        except (np.linalg.LinAlgError, ValueError):
            continue
    width = max(widths, default=0.0)
    lo = min(s.min() for s in samples) - 5.0 * width
    hi = max(s.max() for s in samples) + 5.0 * width
    return np.linspace(lo, hi, grid)


def overlap(a, b, x):
    pa, pb = stats.gaussian_kde(a), stats.gaussian_kde(b)
    return float(integrate.trapezoid(np.minimum(pa(x), pb(x)), x))


def kl(a, b, x):
    pa, pb = stats.gaussian_kde(a), stats.gaussian_kde(b)
    return float(stats.entropy(pa(x), pb(x)))


def compare(a, b, bars=8, grid=1000):
    """Feature -> dict of the distances and the overlap / KL of each pair of distributions."""
    fa, fb = set_features(a, bars), set_features(b, bars)
    out = {}
    for name in fa:
        intra_a = intra_distances(fa[name])
        intra_b = intra_distances(fb[name])
        inter = inter_distances(fa[name], fb[name])
        row = {"values_a": fa[name], "values_b": fb[name]}
        row.update(intra_a=intra_a, intra_b=intra_b, inter=inter)
        pairs = {
            "a": (intra_a, inter),
            "b": (intra_b, inter),
            "intra": (intra_a, intra_b),
        }
        x = grid_for([intra_a, intra_b, inter], grid)
        for label, (p, q) in pairs.items():
            try:
                row[f"overlap_{label}"] = overlap(p, q, x)
                row[f"kl_{label}"] = kl(p, q, x)
            except (np.linalg.LinAlgError, ValueError):
                row[f"overlap_{label}"] = math.nan
                row[f"kl_{label}"] = math.nan
        out[name] = row
    return out
