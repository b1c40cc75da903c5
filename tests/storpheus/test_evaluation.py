"""Set-level evaluation: agreement with a loop-and-scipy reference, and its properties."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from storpheus.evaluation import (
    FEATURE_NAMES,
    GaussianKDE,
    compare_sets,
    extract_features,
    kl_divergence,
    overlap_area,
    reference_corpus,
)
from storpheus.notes import NoteArray
from tests.storpheus import evaluation_reference as ref

DISTRIBUTION_STATS = ("overlap_a", "kl_a", "overlap_b", "kl_b", "overlap_intra", "kl_intra")


@pytest.fixture(scope="module")
def chorales():
    corpus = reference_corpus("bach-chorales", limit=14)
    assert len(corpus) == 14
    return corpus.scores


def close(got: float, want: float, tol: float = 1e-9) -> bool:
    if math.isnan(want) or math.isnan(got):
        return math.isnan(want) and math.isnan(got)
    if math.isinf(want) or math.isinf(got):
        return got == want
    return abs(got - want) <= tol * max(1.0, abs(want))


def test_agrees_with_the_reference_implementation_on_real_chorales(chorales):
    a, b = chorales[:7], chorales[7:]
    want = ref.compare(a, b, bars=4, grid=400)
    result = compare_sets(a, b, bars=4, grid=400)
    summary = result.summary()
    assert list(summary.index) == list(FEATURE_NAMES) == list(want)
    for name in FEATURE_NAMES:
        comp = result[name]
        np.testing.assert_allclose(comp.values_a, want[name]["values_a"], rtol=0, atol=1e-12)
        np.testing.assert_allclose(comp.values_b, want[name]["values_b"], rtol=0, atol=1e-12)
        for kind in ("intra_a", "intra_b", "inter"):
            np.testing.assert_allclose(getattr(comp, kind), want[name][kind], rtol=1e-12)
        for stat in DISTRIBUTION_STATS:
            got = float(summary.loc[name, stat])
            assert close(got, want[name][stat]), (name, stat, got, want[name][stat])
    # the chorales are real music: these features are informative, not degenerate
    assert summary["overlap_intra"].notna().all()
    assert (summary.loc["pitch_count", ["mean_a", "mean_b"]] > 15).all()


def test_chorales_differ_from_folk_songs_more_than_from_each_other(chorales):
    folk = reference_corpus("essen-folksongs", limit=7).scores
    within = compare_sets(chorales[:7], chorales[7:], bars=4).summary()
    across = compare_sets(chorales[:7], folk, bars=4).summary()
    for feature in ("pitch_range", "pitch_count", "average_ioi"):
        assert across.loc[feature, "overlap_a"] < within.loc[feature, "overlap_a"]
        assert across.loc[feature, "inter_mean"] > within.loc[feature, "inter_mean"]


def test_features_of_a_small_piece_by_hand():
    # C E G C' in quarters, then a dotted half G; a second voice holds C an octave down
    piece = NoteArray(
        [60, 64, 67, 72, 67, 48],
        80,
        [0, 1, 2, 3, 4, 0],
        [1, 1, 1, 1, 3, 8],
        channel=[0, 0, 0, 0, 0, 1],
    )
    feats = extract_features([piece], bars=2)
    assert feats["pitch_count"][0, 0] == 5
    assert feats["pitch_count_per_bar"][0].tolist() == [5, 1]
    assert feats["note_count_per_bar"][0].tolist() == [5, 1]
    assert feats["pitch_range"][0, 0] == 24
    assert feats["average_pitch_shift"][0, 0] == pytest.approx((4 + 3 + 5 + 5) / 4)
    assert feats["average_ioi"][0, 0] == 1.0  # onsets 0..4, the bass shares 0
    nlh = feats["note_length_histogram"][0]
    assert nlh[2] == pytest.approx(4 / 6)  # quarters
    assert nlh[5] == pytest.approx(1 / 6)  # dotted half
    assert nlh[0] == pytest.approx(1 / 6)  # 8 beats: nearest class is the whole note
    pctm = feats["pitch_class_transition_matrix"][0].reshape(12, 12)
    assert pctm[0, 4] == pytest.approx(1 / 4)  # C->E, one of 4 melodic pairs
    assert pctm.sum() == pytest.approx(1.0)


def test_a_sample_overlaps_itself_fully_and_diverges_from_itself_by_zero():
    sample = np.array([0.0, 0.5, 1.0, 1.0, 2.5, 3.0, 7.0])
    assert overlap_area(sample, sample) == pytest.approx(1.0, abs=1e-5)
    assert kl_divergence(sample, sample) == 0.0
    with pytest.raises(ValueError, match="no spread"):
        GaussianKDE.fit(np.ones(5))


def test_unknown_features_and_tiny_sets_are_refused():
    piece = NoteArray([60, 62], 80, [0, 1], 1.0)
    with pytest.raises(ValueError, match="unknown features"):
        compare_sets([piece, piece], [piece, piece], features=("loudness",))
    with pytest.raises(ValueError, match="at least 2"):
        compare_sets([piece], [piece, piece])


@st.composite
def pieces(draw, min_size=3, max_size=6):
    count = draw(st.integers(min_size, max_size))
    out = []
    for _ in range(count):
        n = draw(st.integers(2, 16))
        out.append(
            NoteArray(
                draw(st.lists(st.integers(40, 90), min_size=n, max_size=n)),
                80,
                np.array(draw(st.lists(st.integers(0, 63), min_size=n, max_size=n))) / 4,
                np.array(draw(st.lists(st.integers(1, 16), min_size=n, max_size=n))) / 4,
                channel=draw(st.lists(st.integers(0, 2), min_size=n, max_size=n)),
            )
        )
    return out


@settings(max_examples=25, deadline=None)
@given(pieces())
def test_a_set_compared_with_itself_overlaps_by_one_and_diverges_by_zero(a):
    summary = compare_sets(a, a, bars=4, grid=512).summary()
    defined = summary["overlap_intra"].notna()
    assert np.allclose(summary.loc[defined, "overlap_intra"], 1.0, atol=1e-4)
    assert (summary.loc[defined, "kl_intra"] == 0.0).all()
    # undefined only where every distance is the same (no spread to smooth)
    for name in summary.index[~defined]:
        assert np.ptp(compare_sets(a, a, bars=4)[name].intra_a) == 0.0


@settings(max_examples=20, deadline=None)
@given(pieces(), pieces(), st.randoms(use_true_random=False))
def test_results_do_not_depend_on_note_order_or_set_order(a, b, rnd):
    base = compare_sets(a, b, bars=4, grid=256).summary()
    shuffled_a = []
    for piece in a:
        order = list(range(len(piece)))
        rnd.shuffle(order)
        shuffled_a.append(piece[np.array(order)])
    rnd.shuffle(shuffled_a)
    shuffled_b = list(b)
    rnd.shuffle(shuffled_b)
    other = compare_sets(shuffled_a, shuffled_b, bars=4, grid=256).summary()
    np.testing.assert_allclose(other.to_numpy(), base.to_numpy(), rtol=1e-9, atol=1e-12)
