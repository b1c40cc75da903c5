from __future__ import annotations

import numpy as np

from muse_duckdb.diff.matching import NoteTable, match_notes, occurrence_rank, pair_equal
from storpheus.notes import NoteArray


def table(*notes: tuple[int, float, int, float]) -> NoteTable:
    """Notes of region 0 as (pitch, start, velocity, duration)."""
    p, s, v, d = zip(*notes, strict=True) if notes else ((), (), (), ())
    return NoteTable.build({0: NoteArray(list(p), list(v), list(s), list(d))})


def test_identical_notes_pair_as_unchanged():
    a = table((60, 0.0, 90, 1.0), (64, 1.0, 90, 1.0))
    m = match_notes(a, a)
    assert sorted(zip(m.a_index.tolist(), m.b_index.tolist(), strict=True)) == [(0, 0), (1, 1)]
    assert m.exact.all()


def test_velocity_timing_and_pitch_changes_pair_as_modified():
    a = table((60, 0.0, 90, 1.0), (64, 1.0, 90, 1.0), (67, 2.0, 90, 1.0), (72, 3.0, 90, 1.0))
    b = table((60, 0.0, 50, 1.0), (64, 1.03, 90, 1.0), (68, 2.0, 90, 1.0), (72, 3.0, 90, 1.0))
    m = match_notes(a, b)
    pairs = dict(zip(m.a_index.tolist(), m.b_index.tolist(), strict=True))
    assert len(pairs) == 4
    exact = dict(zip(m.a_index.tolist(), m.exact.tolist(), strict=True))
    assert exact == {0: False, 1: False, 2: False, 3: True}


def test_far_moves_are_remove_plus_add():
    a = table((60, 0.0, 90, 1.0))
    b = table((60, 2.0, 90, 1.0))
    m = match_notes(a, b)
    assert m.unmatched_a(1).tolist() == [0]
    assert m.unmatched_b(1).tolist() == [0]


def test_nearest_onset_wins_when_two_notes_compete():
    a = table((60, 1.0, 90, 1.0), (60, 1.06, 90, 1.0))
    b = table((60, 1.05, 80, 1.0))
    m = match_notes(a, b)
    assert m.a_index.tolist() == [1]


def test_duplicates_pair_by_multiplicity():
    ia, ib = pair_equal(
        [np.array([1, 1, 2], dtype=np.int64)], [np.array([1, 2, 2, 1, 1], dtype=np.int64)]
    )
    assert sorted(zip(ia.tolist(), ib.tolist(), strict=True)) == [(0, 0), (1, 3), (2, 1)]
    assert occurrence_rank(np.array([5, 3, 5, 5, 3], dtype=np.int64)).tolist() == [0, 0, 1, 2, 1]


def test_notes_in_different_regions_never_pair():
    a = NoteTable.build({0: NoteArray([60], 90, [0.0], 1.0), 1: NoteArray([], [], [], [])})
    b = NoteTable.build({0: NoteArray([], [], [], []), 1: NoteArray([60], 90, [0.0], 1.0)})
    m = match_notes(a, b)
    assert len(m.a_index) == 0
