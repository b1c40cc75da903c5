"""Scoring: MusPy-compatible metrics, constraint-fit dimensions, scorers and score cards.

* :mod:`~storpheus.scoring.metrics` — the 14 MusPy metrics of one piece;
* :mod:`~storpheus.scoring.metrics_batch` — the same for many pieces at once;
* :mod:`~storpheus.scoring.params` — :class:`ScoringParams`, the targets;
* :mod:`~storpheus.scoring.dimensions` — :class:`Dimension`, the built-in
  constraint-fit dimensions and the :func:`dimension` decorator;
* :mod:`~storpheus.scoring.scorer` — :class:`Scorer` (stable ``scorer_id``);
* :mod:`~storpheus.scoring.registry` — named scorers, the only ones a stored
  record may bring back (:func:`registered_scorer`);
* :mod:`~storpheus.scoring.cards` — :class:`ScoreCards` / :class:`ScoreCard`;
* :mod:`~storpheus.scoring.reports` — :func:`fulfillment_report`,
  :func:`compare_generations`;
* :mod:`~storpheus.scoring.batch` — :class:`CandidateBatch`, the columnar input
  of vectorised dimensions.

Example
-------
>>> from storpheus.notes import NoteArray
>>> from storpheus.scoring import Scorer, ScoringParams
>>> params = ScoringParams(bars=1, target_key="G major", expected_channels=1)
>>> cards = Scorer().score([NoteArray([67, 71, 74], 90, [0, 1, 2], 1.0)], params)
>>> list(cards.to_pandas().columns[:4])
['candidate', 'seed', 'total', 'key_compliance']
"""

from storpheus.scoring.batch import CandidateBatch, Scorable
from storpheus.scoring.cards import ScoreCard, ScoreCards
from storpheus.scoring.dimensions import BUILTIN_DIMENSIONS, Dimension, dimension
from storpheus.scoring.metrics import METRIC_NAMES, compute_metrics
from storpheus.scoring.metrics_batch import batch_metrics, metrics_frame
from storpheus.scoring.params import ScoringParams
from storpheus.scoring.registry import (
    UnregisteredScorerError,
    register_scorer,
    registered_scorer,
    scorer_names,
    unregister_scorer,
)
from storpheus.scoring.reports import (
    FulfillmentReport,
    GenerationComparison,
    GenerationReport,
    compare_generations,
    fulfillment_report,
    generation_report,
)
from storpheus.scoring.scorer import CandidateInput, Scorer, default_scorer, load_scorer

__all__ = [
    "BUILTIN_DIMENSIONS",
    "METRIC_NAMES",
    "CandidateBatch",
    "CandidateInput",
    "Dimension",
    "FulfillmentReport",
    "GenerationComparison",
    "GenerationReport",
    "Scorable",
    "ScoreCard",
    "ScoreCards",
    "Scorer",
    "ScoringParams",
    "UnregisteredScorerError",
    "batch_metrics",
    "compare_generations",
    "compute_metrics",
    "default_scorer",
    "dimension",
    "fulfillment_report",
    "generation_report",
    "load_scorer",
    "metrics_frame",
    "register_scorer",
    "registered_scorer",
    "scorer_names",
    "unregister_scorer",
]
