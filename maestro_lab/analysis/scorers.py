"""Scorer statistics over stored candidates, each returning a DataFrame.

Rejection sampling is only as good as the signals it chooses on. These
functions measure those signals on what telemetry kept (every candidate's
notes, dimensions and targets), without regenerating anything:

* :func:`choices` / :func:`choice_agreement` — which candidate two scorers
  choose in every generation, and how often they agree (Wilson interval);
* :func:`rank_correlation` — Spearman's and Kendall's rank correlation of
  two scorers' totals within each generation, averaged, with bootstrap
  confidence intervals over generations;
* :func:`acceptance_curve` — how often at least one of the first ``k``
  candidates reaches the acceptance threshold, for every ``k`` (Wilson
  intervals): what another candidate buys;
* :func:`dimension_importance` — which dimensions decide: how often the
  choice changes when a dimension is dropped from the total, or when its
  values are permuted among a generation's candidates (permutation
  importance);
* :func:`discrimination_table` — per dimension of a run: NaN and constant
  shares, spread across candidates, and how often it changed the choice.

Example
-------
>>> choice_agreement(Scorer(), my_scorer, "lab.duckdb", run_id)  # doctest: +SKIP
>>> discrimination_table("lab.duckdb", run_id)                   # doctest: +SKIP
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Final

import numpy as np
import numpy.typing as npt

from maestro_lab.analysis.data import (
    DbTarget,
    candidate_frame,
    database,
    run_list,
    score_stored,
)
from storpheus.scoring import BUILTIN_DIMENSIONS, Scorer

if TYPE_CHECKING:
    import pandas as pd

F64 = npt.NDArray[np.float64]

DEFAULT_THRESHOLD: Final = 0.6
"""Acceptance threshold used when a generation did not record one."""


def wilson_interval(successes: int, trials: int, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval of a binomial proportion (NaN, NaN without trials).

    >>> [round(x, 4) for x in wilson_interval(8, 10)]
    [0.4902, 0.9433]
    """
    if trials <= 0:
        return math.nan, math.nan
    from statistics import NormalDist

    z = NormalDist().inv_cdf(0.5 + confidence / 2.0)
    p = successes / trials
    denom = 1.0 + z * z / trials
    centre = (p + z * z / (2 * trials)) / denom
    half = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


def _best(totals: F64) -> int:
    key = np.where(np.isnan(totals), -np.inf, totals)
    return int(np.argmax(key))


# ------------------------------------------------------------------ choices
def choices(
    scorer_a: Scorer, scorer_b: Scorer, db: DbTarget, run_ids: str | Sequence[str]
) -> pd.DataFrame:
    """Per generation: the candidate each scorer chooses over the stored candidates.

    Columns: ``generation_id``, ``role``, ``section``, ``candidates``,
    ``choice_a``, ``choice_b``, ``agree``.
    """
    import pandas as pd

    target = database(db)
    a = score_stored(scorer_a, target, run_ids)
    b = score_stored(scorer_b, target, run_ids)
    rows = []
    for (gid, role, section), part in a.groupby(
        ["generation_id", "role", "section"], sort=True, dropna=False
    ):
        other = b[b["generation_id"] == gid]
        index = part["candidate_index"].to_numpy()
        ca = int(index[_best(part["total"].to_numpy(dtype=np.float64))])
        cb = int(index[_best(other["total"].to_numpy(dtype=np.float64))])
        rows.append(
            {
                "generation_id": gid,
                "role": role,
                "section": section,
                "candidates": len(part),
                "choice_a": ca,
                "choice_b": cb,
                "agree": ca == cb,
            }
        )
    frame = pd.DataFrame(
        rows,
        columns=["generation_id", "role", "section", "candidates", "choice_a", "choice_b", "agree"],
    )
    frame.attrs.update(scorer_a=scorer_a.scorer_id, scorer_b=scorer_b.scorer_id)
    return frame


def choice_agreement(
    scorer_a: Scorer,
    scorer_b: Scorer,
    db: DbTarget,
    run_ids: str | Sequence[str],
    *,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """How often two scorers choose the same candidate: per role and overall (``"all"``).

    Columns: ``role``, ``generations``, ``agreements``, ``rate``,
    ``ci_low``, ``ci_high`` (Wilson interval at ``confidence``).
    """
    import pandas as pd

    per = choices(scorer_a, scorer_b, db, run_ids)
    rows = []
    groups = [(str(r), g) for r, g in per.groupby("role", sort=True)] + [("all", per)]
    for role, group in groups:
        n, k = len(group), int(group["agree"].sum())
        low, high = wilson_interval(k, n, confidence)
        rows.append(
            {
                "role": role,
                "generations": n,
                "agreements": k,
                "rate": k / n if n else math.nan,
                "ci_low": low,
                "ci_high": high,
            }
        )
    frame = pd.DataFrame(
        rows, columns=["role", "generations", "agreements", "rate", "ci_low", "ci_high"]
    )
    frame.attrs.update(per.attrs)
    return frame


# ------------------------------------------------------------ correlation
def _ranks(x: F64) -> F64:
    """Average ranks (ties share the mean of their positions), from 1."""
    order = np.argsort(x, kind="stable")
    sorted_x = x[order]
    starts = np.flatnonzero(np.r_[True, sorted_x[1:] != sorted_x[:-1]])
    ends = np.r_[starts[1:], x.size]
    mean_rank = (starts + ends + 1) / 2.0
    ranks = np.empty(x.size)
    ranks[order] = np.repeat(mean_rank, ends - starts)
    return ranks


def spearman(x: F64, y: F64) -> float:
    """Spearman's rho: Pearson correlation of the average ranks.

    >>> spearman(np.array([1.0, 2, 3, 4]), np.array([10.0, 20, 30, 25]))
    0.8
    """
    rx, ry = _ranks(x), _ranks(y)
    rx, ry = rx - rx.mean(), ry - ry.mean()
    return float((rx @ ry) / np.sqrt((rx @ rx) * (ry @ ry)))


def kendall_tau_b(x: F64, y: F64) -> float:
    """Kendall's tau-b (ties in either variable corrected), over every pair.

    >>> round(kendall_tau_b(np.array([1.0, 2, 3, 4]), np.array([10.0, 20, 30, 25])), 4)
    0.6667
    """
    i, j = np.triu_indices(x.size, k=1)
    dx, dy = np.sign(x[i] - x[j]), np.sign(y[i] - y[j])
    concordance = float((dx * dy).sum())
    pairs_x, pairs_y = float(np.abs(dx).sum()), float(np.abs(dy).sum())
    return concordance / math.sqrt(pairs_x * pairs_y)


def rank_correlation(
    scorer_a: Scorer,
    scorer_b: Scorer,
    db: DbTarget,
    run_ids: str | Sequence[str],
    *,
    n_boot: int = 2000,
    confidence: float = 0.95,
    seed: int = 0,
) -> pd.DataFrame:
    """Within-generation rank correlation of two scorers' totals, with bootstrap intervals.

    For each generation, Spearman's rho and Kendall's tau-b between the two
    scorers' totals over its candidates; the mean over generations, and a
    percentile bootstrap interval resampling generations ``n_boot`` times
    with a seeded generator. Generations where either scorer gives every
    candidate the same total have no correlation and are counted in
    ``undefined``.

    Columns: ``method``, ``generations``, ``undefined``, ``mean``,
    ``ci_low``, ``ci_high``.
    """
    import pandas as pd

    target = database(db)
    a = score_stored(scorer_a, target, run_ids)
    b = score_stored(scorer_b, target, run_ids)
    values: dict[str, list[float]] = {"spearman": [], "kendall": []}
    for gid, part in a.groupby("generation_id", sort=True):
        x = part["total"].to_numpy(dtype=np.float64)
        y = b.loc[b["generation_id"] == gid, "total"].to_numpy(dtype=np.float64)
        ok = ~(np.isnan(x) | np.isnan(y))
        x, y = x[ok], y[ok]
        if x.size < 2 or np.ptp(x) == 0 or np.ptp(y) == 0:
            values["spearman"].append(math.nan)
            values["kendall"].append(math.nan)
            continue
        values["spearman"].append(spearman(x, y))
        values["kendall"].append(kendall_tau_b(x, y))
    rng = np.random.default_rng(seed)
    rows = []
    for method, raw in values.items():
        arr = np.asarray(raw, dtype=np.float64)
        defined = arr[~np.isnan(arr)]
        low = high = mean = math.nan
        if defined.size:
            mean = float(defined.mean())
            picks = rng.integers(0, defined.size, size=(n_boot, defined.size))
            boots = defined[picks].mean(axis=1)
            tail = (1.0 - confidence) / 2.0
            low, high = (float(q) for q in np.quantile(boots, [tail, 1.0 - tail]))
        rows.append(
            {
                "method": method,
                "generations": int(arr.size),
                "undefined": int(np.isnan(arr).sum()),
                "mean": mean,
                "ci_low": low,
                "ci_high": high,
            }
        )
    frame = pd.DataFrame(
        rows, columns=["method", "generations", "undefined", "mean", "ci_low", "ci_high"]
    )
    frame.attrs.update(scorer_a=scorer_a.scorer_id, scorer_b=scorer_b.scorer_id, n_boot=n_boot)
    return frame


# ------------------------------------------------------------- acceptance
def acceptance_curve(
    db: DbTarget,
    run_ids: str | Sequence[str],
    *,
    threshold: float | None = None,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Share of generations with an acceptable candidate among their first ``k``, for every ``k``.

    A candidate is acceptable when its stored total reaches ``threshold``
    (default: the threshold each generation recorded, else
    :data:`DEFAULT_THRESHOLD`). Rows per role and for ``"all"``; columns
    ``role``, ``candidates`` (k), ``generations`` (those with at least k
    candidates), ``accepted``, ``rate``, ``ci_low``, ``ci_high`` (Wilson).
    """
    import json

    import pandas as pd

    from muse_duckdb.telemetry import generations

    target = database(db)
    frame = candidate_frame(target, run_ids)
    limits: dict[str, float] = {}
    for rid in run_list(run_ids):
        for row in generations(target, rid).to_dict("records"):
            meta = json.loads(str(row["metadata"]))
            recorded = meta.get("threshold") if isinstance(meta, dict) else None
            limits[str(row["generation_id"])] = float(
                threshold
                if threshold is not None
                else recorded
                if isinstance(recorded, int | float)
                else DEFAULT_THRESHOLD
            )
    firsts: list[tuple[str, int, int]] = []  # role, candidates, first acceptable position (or -1)
    for (gid, role), part in frame.groupby(["generation_id", "role"], sort=True):
        scores = part["score"].to_numpy(dtype=np.float64, na_value=np.nan)
        ok = np.nan_to_num(scores, nan=-np.inf) >= limits.get(str(gid), DEFAULT_THRESHOLD)
        first = int(np.argmax(ok)) if ok.any() else -1
        firsts.append((str(role), len(part), first))
    rows = []
    roles = sorted({r for r, _, _ in firsts})
    for role in [*roles, "all"]:
        mine = [(n, f) for r, n, f in firsts if role in ("all", r)]
        top = max((n for n, _ in mine), default=0)
        for k in range(1, top + 1):
            eligible = [(n, f) for n, f in mine if n >= k]
            hits = sum(1 for _, f in eligible if 0 <= f < k)
            low, high = wilson_interval(hits, len(eligible), confidence)
            rows.append(
                {
                    "role": role,
                    "candidates": k,
                    "generations": len(eligible),
                    "accepted": hits,
                    "rate": hits / len(eligible) if eligible else math.nan,
                    "ci_low": low,
                    "ci_high": high,
                }
            )
    return pd.DataFrame(
        rows,
        columns=["role", "candidates", "generations", "accepted", "rate", "ci_low", "ci_high"],
    )


# -------------------------------------------------------------- importance
def _weighted(values: F64, weights: F64) -> F64:
    """Weighted mean of the applicable (non-NaN) dimensions: ``(..., dims, candidates)``."""
    applicable = ~np.isnan(values)
    w = weights[:, None]
    num = (np.where(applicable, values, 0.0) * w).sum(axis=-2)
    den = np.where(applicable, w, 0.0).sum(axis=-2)
    with np.errstate(divide="ignore", invalid="ignore"):
        out: F64 = np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)
    return out


def _choice(totals: F64) -> npt.NDArray[np.intp]:
    out: npt.NDArray[np.intp] = np.argmax(np.where(np.isnan(totals), -np.inf, totals), axis=-1)
    return out


def _run_weights(frame: pd.DataFrame, weights: Mapping[str, float] | None) -> dict[str, float]:
    if weights is not None:
        return dict(weights)
    default = Scorer()
    used = set(frame["scorer"].dropna().astype(str)) if "scorer" in frame else set()
    if used and used != {default.scorer_id}:
        known = {d.name: d.weight for d in BUILTIN_DIMENSIONS}
        return {n: known.get(n, 1.0) for n in _dimension_columns(frame)}
    return default.weights


def _dimension_columns(frame: pd.DataFrame) -> list[str]:
    names = {d.name for d in BUILTIN_DIMENSIONS}
    return [c for c in frame.columns if c in names]


def dimension_importance(
    db: DbTarget,
    run_ids: str | Sequence[str],
    *,
    weights: Mapping[str, float] | None = None,
    n_permutations: int = 200,
    seed: int = 0,
) -> pd.DataFrame:
    """Which dimensions decide the choice, from the stored dimension values.

    For each dimension with a positive weight: ``drop_changes`` is the share
    of generations whose choice changes when the dimension is left out of
    the total; ``permutation_importance`` the mean share of generations whose
    choice changes when the dimension's values are shuffled among each
    generation's candidates (``n_permutations`` seeded shuffles). Weights
    default to the run's scorer when it is the default scorer.
    """
    import pandas as pd

    frame = candidate_frame(db, run_ids)
    w = _run_weights(frame, weights)
    names = [n for n in _dimension_columns(frame) if w.get(n, 0.0) > 0]
    rng = np.random.default_rng(seed)
    weight = np.array([w[n] for n in names], dtype=np.float64)
    drop = np.zeros(len(names))
    perm = np.zeros(len(names))
    gens = 0
    for _, part in frame.groupby("generation_id", sort=True):
        values = part[names].to_numpy(dtype=np.float64).T  # dims x candidates
        if values.shape[1] < 2:
            continue
        gens += 1
        chosen = int(_choice(_weighted(values, weight)))
        for i in range(len(names)):
            reduced = weight.copy()
            reduced[i] = 0.0
            drop[i] += int(_choice(_weighted(values, reduced))) != chosen
            shuffled = np.broadcast_to(values, (n_permutations, *values.shape)).copy()
            order = rng.permuted(
                np.broadcast_to(np.arange(values.shape[1]), (n_permutations, values.shape[1])),
                axis=1,
            )
            shuffled[:, i, :] = values[i][order]
            perm[i] += float((_choice(_weighted(shuffled, weight)) != chosen).mean())
    rows = [
        {
            "dimension": name,
            "weight": float(weight[i]),
            "generations": gens,
            "drop_changes": drop[i] / gens if gens else math.nan,
            "permutation_importance": perm[i] / gens if gens else math.nan,
        }
        for i, name in enumerate(names)
    ]
    out = pd.DataFrame(
        rows,
        columns=["dimension", "weight", "generations", "drop_changes", "permutation_importance"],
    )
    return out.sort_values("permutation_importance", ascending=False, kind="stable").reset_index(
        drop=True
    )


def discrimination_table(
    db: DbTarget,
    run_ids: str | Sequence[str],
    *,
    weights: Mapping[str, float] | None = None,
) -> pd.DataFrame:
    """Per dimension of the run(s): whether it is informative and how often it changed the choice.

    Columns: ``dimension``, ``weight``, ``generations``, ``nan_share``
    (generations where it is NaN for every candidate: no target),
    ``constant_share`` (generations where it has one value for every
    candidate), ``mean_std`` and ``mean_range`` (spread across a
    generation's candidates, averaged over the generations where it is
    defined), ``changed_choice`` (generations whose choice changes when the
    dimension is left out of the total) and ``changed_share``.
    """
    import pandas as pd

    frame = candidate_frame(db, run_ids)
    w = _run_weights(frame, weights)
    names = _dimension_columns(frame)
    weight = np.array([w.get(n, 0.0) for n in names], dtype=np.float64)
    nan_count = np.zeros(len(names))
    constant = np.zeros(len(names))
    std_sum = np.zeros(len(names))
    range_sum = np.zeros(len(names))
    defined = np.zeros(len(names))
    changed = np.zeros(len(names))
    gens = 0
    for _, part in frame.groupby("generation_id", sort=True):
        values = part[names].to_numpy(dtype=np.float64).T
        gens += 1
        chosen = int(_choice(_weighted(values, weight)))
        for i in range(len(names)):
            row = values[i]
            finite = row[~np.isnan(row)]
            if finite.size == 0:
                nan_count[i] += 1
            else:
                defined[i] += 1
                std_sum[i] += float(finite.std())
                range_sum[i] += float(np.ptp(finite))
                constant[i] += bool(np.ptp(finite) == 0 and finite.size == row.size)
            if weight[i] > 0:
                reduced = weight.copy()
                reduced[i] = 0.0
                changed[i] += int(_choice(_weighted(values, reduced))) != chosen
    with np.errstate(divide="ignore", invalid="ignore"):
        rows = [
            {
                "dimension": name,
                "weight": float(weight[i]),
                "generations": gens,
                "nan_share": nan_count[i] / gens if gens else math.nan,
                "constant_share": constant[i] / gens if gens else math.nan,
                "mean_std": std_sum[i] / defined[i] if defined[i] else math.nan,
                "mean_range": range_sum[i] / defined[i] if defined[i] else math.nan,
                "changed_choice": int(changed[i]),
                "changed_share": changed[i] / gens if gens else math.nan,
            }
            for i, name in enumerate(names)
        ]
    return pd.DataFrame(
        rows,
        columns=[
            "dimension",
            "weight",
            "generations",
            "nan_share",
            "constant_share",
            "mean_std",
            "mean_range",
            "changed_choice",
            "changed_share",
        ],
    )


__all__ = [
    "DEFAULT_THRESHOLD",
    "acceptance_curve",
    "choice_agreement",
    "choices",
    "dimension_importance",
    "discrimination_table",
    "kendall_tau_b",
    "rank_correlation",
    "spearman",
    "wilson_interval",
]
