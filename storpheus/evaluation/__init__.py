"""Set-level evaluation of generated music (Yang & Lerch's method), vectorised.

Compare two *sets* of pieces — accepted against rejected candidates, run A
against run B, generated music against a reference corpus — on the
distributions of per-piece features rather than on single pieces:

* :mod:`~storpheus.evaluation.features` — the feature set (pitch count,
  pitch-class histogram and transition matrix, pitch range, average pitch
  shift, average inter-onset interval, note-length histogram and
  transitions, per bar where the method does so), computed for a whole set
  in one pass over the columnar notes;
* :mod:`~storpheus.evaluation.distances` — intra-set and inter-set distance
  distributions, Gaussian KDE, overlapping area and KL divergence;
* :mod:`~storpheus.evaluation.comparison` — :func:`compare_sets`, returning a
  :class:`SetComparison` (a summary DataFrame, one long DataFrame per feature);
* :mod:`~storpheus.evaluation.corpora` — reference sets built from music21's
  corpus (Bach chorales, Essen folk songs) with provenance.

Example
-------
>>> from storpheus.notes import NoteArray
>>> from storpheus.evaluation import compare_sets
>>> a = [NoteArray([60 + i, 64, 67], 80, [0, 1, 2], 1.0) for i in range(5)]
>>> result = compare_sets(a, a, bars=1)
>>> round(float(result.summary().loc["pitch_count", "overlap_intra"]), 4)
1.0
"""

from storpheus.evaluation.comparison import (
    SUMMARY_COLUMNS,
    FeatureComparison,
    SetComparison,
    compare_sets,
)
from storpheus.evaluation.corpora import (
    CORPORA,
    ReferenceCorpus,
    ReferencePiece,
    reference_corpus,
)
from storpheus.evaluation.distances import (
    GaussianKDE,
    inter_set_distances,
    intra_set_distances,
    kl_divergence,
    overlap_area,
)
from storpheus.evaluation.features import (
    FEATURE_NAMES,
    FEATURES,
    NOTE_LENGTHS,
    Feature,
    extract_features,
)

__all__ = [
    "CORPORA",
    "FEATURES",
    "FEATURE_NAMES",
    "NOTE_LENGTHS",
    "SUMMARY_COLUMNS",
    "Feature",
    "FeatureComparison",
    "GaussianKDE",
    "ReferenceCorpus",
    "ReferencePiece",
    "SetComparison",
    "compare_sets",
    "extract_features",
    "inter_set_distances",
    "intra_set_distances",
    "kl_divergence",
    "overlap_area",
    "reference_corpus",
]
