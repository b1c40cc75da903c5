"""Plots of rejection sampling: score distributions, acceptance curves, dimension correlations.

Each function takes a DataFrame as :meth:`maestro_lab.lab.Lab.candidates`
(or :func:`muse_duckdb.telemetry.candidates`) returns it, one row per
candidate, and returns a matplotlib :class:`~matplotlib.figure.Figure`.
Columns beyond the fixed candidate columns are score dimensions and
metrics; whatever numeric ones exist are used.

Example
-------
>>> from maestro_lab.viz.scores import plot_score_distributions  # doctest: +SKIP
>>> plot_score_distributions(lab.candidates(run_id), by="role")  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Final

import numpy as np

from maestro_lab.viz.figures import new_figure
from maestro_lab.viz.pianoroll import role_colour
from muse_duckdb.telemetry.queries import CANDIDATE_COLUMNS

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure

CANDIDATE_FIELDS: Final = frozenset((*CANDIDATE_COLUMNS, "experiment"))
"""Columns of a candidate frame that are not score dimensions or metrics."""


def dimension_columns(frame: pd.DataFrame) -> list[str]:
    """The score dimension and metric columns of a candidate frame (numeric, not all empty)."""
    import pandas as pd

    return [
        str(c)
        for c in frame.columns
        if str(c) not in CANDIDATE_FIELDS
        and pd.api.types.is_numeric_dtype(frame[c])
        and not pd.api.types.is_bool_dtype(frame[c])
        and frame[c].notna().any()
    ]


def plot_score_distributions(
    frame: pd.DataFrame, *, by: str = "role", column: str = "score", title: str | None = None
) -> Figure:
    """Histogram of ``column`` per group (``by``), chosen candidates marked as ticks."""
    fig = new_figure(9.0, 4.0)
    ax = fig.add_subplot()
    values = frame[column].astype(float)
    finite = values[np.isfinite(values)]
    lo, hi = (float(finite.min()), float(finite.max())) if len(finite) else (0.0, 1.0)
    bins = np.linspace(lo, hi if hi > lo else lo + 1.0, 21).tolist()
    groups = sorted(frame[by].dropna().astype(str).unique()) if by in frame else []
    for i, name in enumerate(groups):
        part = frame[frame[by].astype(str) == name]
        data = part[column].astype(float)
        data = data[np.isfinite(data)]
        colour = role_colour(name if by == "role" else None, i)
        ax.hist(data, bins=bins, alpha=0.45, color=colour, label=f"{name} ({len(data)})")
        if "selected" in part:
            picked = part[part["selected"].astype(bool)][column].astype(float)
            ax.plot(picked, np.zeros(len(picked)), "|", color=colour, markersize=16, mew=2)
    ax.set_xlabel(column)
    ax.set_ylabel("candidates")
    ax.set_title(title or f"{column} of every candidate by {by} (ticks: chosen)")
    if groups:
        ax.legend(fontsize="small")
    fig.tight_layout()
    return fig


def acceptance_curve(frame: pd.DataFrame, *, by: str = "role") -> pd.DataFrame:
    """Acceptance rate and best score against the number of candidates of a generation.

    Columns: ``by``, ``num_candidates``, ``generations``, ``rate`` (share of
    candidates accepted) and ``best_mean`` (mean of each generation's best score).
    """
    import pandas as pd

    if frame.empty:
        return pd.DataFrame(columns=[by, "num_candidates", "generations", "rate", "best_mean"])
    per_generation = frame.groupby(["generation_id", by, "num_candidates"], dropna=False).agg(
        accepted=("accepted", "mean"), best=("score", "max")
    )
    return (
        per_generation.reset_index()
        .groupby([by, "num_candidates"], dropna=False)
        .agg(
            generations=("generation_id", "size"),
            rate=("accepted", "mean"),
            best_mean=("best", "mean"),
        )
        .reset_index()
    )


def plot_acceptance(frame: pd.DataFrame, *, by: str = "role", title: str | None = None) -> Figure:
    """Acceptance rate and mean best score against the number of candidates, one line per group."""
    curve = acceptance_curve(frame, by=by)
    fig = new_figure(10.0, 3.8)
    rate_ax, best_ax = fig.subplots(1, 2)
    for i, (name, part) in enumerate(curve.groupby(by, dropna=False)):
        label = str(name)
        colour = role_colour(label if by == "role" else None, i)
        part = part.sort_values("num_candidates")
        rate_ax.plot(part["num_candidates"], part["rate"], "o-", color=colour, label=label)
        best_ax.plot(part["num_candidates"], part["best_mean"], "o-", color=colour, label=label)
    rate_ax.set_xlabel("candidates per generation")
    rate_ax.set_ylabel("share accepted")
    rate_ax.set_ylim(-0.05, 1.05)
    best_ax.set_xlabel("candidates per generation")
    best_ax.set_ylabel("mean best score")
    rate_ax.legend(fontsize="small")
    fig.suptitle(title or "acceptance against the number of candidates")
    fig.tight_layout()
    return fig


def dimension_correlations(
    frame: pd.DataFrame, *, target: str = "score", columns: Sequence[str] | None = None
) -> pd.DataFrame:
    """Spearman correlation of every dimension with ``target`` and with each other."""
    names = list(columns) if columns is not None else dimension_columns(frame)
    cols = [target, *[n for n in names if n != target]] if target in frame else names
    numeric = frame[cols].astype(float)
    varying = [c for c in cols if numeric[c].nunique(dropna=True) > 1]
    return numeric[varying].corr(method="spearman")


def plot_dimension_correlations(
    frame: pd.DataFrame, *, target: str = "score", title: str | None = None
) -> Figure:
    """Heat map of :func:`dimension_correlations` (which dimensions move with the score)."""
    corr = dimension_correlations(frame, target=target)
    n = len(corr)
    fig = new_figure(max(5.0, 0.45 * n + 2.5), max(4.0, 0.4 * n + 1.5))
    ax = fig.add_subplot()
    image = ax.imshow(corr.to_numpy(dtype=float), vmin=-1.0, vmax=1.0, cmap="RdBu_r")
    ax.set_xticks(range(n), [str(c) for c in corr.columns], rotation=70, ha="right")
    ax.set_yticks(range(n), [str(c) for c in corr.index])
    ax.tick_params(labelsize="x-small")
    fig.colorbar(image, ax=ax, shrink=0.8, label="Spearman ρ")
    ax.set_title(title or "score dimensions: rank correlations")
    fig.tight_layout()
    return fig


def plot_deciding_dimensions(
    frame: pd.DataFrame, *, target: str = "score", top: int = 12, title: str | None = None
) -> Figure:
    """Bar chart of each dimension's rank correlation with ``target``, strongest first."""
    corr = dimension_correlations(frame, target=target)
    series = corr[target].drop(target) if target in corr else corr.iloc[:, 0]
    series = series.dropna()
    series = series.reindex(series.abs().sort_values(ascending=False).index)[:top]
    fig = new_figure(8.0, 0.35 * max(len(series), 3) + 1.2)
    ax = fig.add_subplot()
    colours = ["#2ca02c" if v >= 0 else "#d62728" for v in series.to_numpy()]
    ax.barh(range(len(series)), series.to_numpy(), color=colours)
    ax.set_yticks(range(len(series)), [str(i) for i in series.index])
    ax.invert_yaxis()
    ax.axvline(0.0, color="#555555", linewidth=0.8)
    ax.set_xlim(-1.0, 1.0)
    ax.set_xlabel(f"Spearman ρ with {target}")
    ax.set_title(title or "which dimensions decide")
    fig.tight_layout()
    return fig


__all__ = [
    "CANDIDATE_FIELDS",
    "acceptance_curve",
    "dimension_columns",
    "dimension_correlations",
    "plot_acceptance",
    "plot_deciding_dimensions",
    "plot_dimension_correlations",
    "plot_score_distributions",
]
