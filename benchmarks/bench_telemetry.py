"""Telemetry ingest and analysis: muse_duckdb.telemetry (DuckDB) side by side with MLflow.

Workload: synthetic rejection-sampling telemetry — runs of generations (6
roles, 12 styles, 4/8/16/32 candidates each), every candidate with 8 score
dimensions, a total score, accepted/rejected and the chosen one. DuckDB
ingests 1,000,000 candidate rows (9 values each) into a database file in one
transaction, then answers typical analysis queries. MLflow logs the same
values to its default local store (sqlite ``mlflow.db`` in a temporary
folder) with its bulk API (``MlflowClient.log_batch``, one MLflow run per
generation, one step per candidate); it is far slower, so it logs a
scaled-down workload and its time is extrapolated linearly to 1,000,000 rows
(the table says which figures are extrapolated).

    python benchmarks/bench_telemetry.py            # 1,000,000 rows; MLflow 4,000
    python benchmarks/bench_telemetry.py --quick    # 20,000 rows; MLflow 100

Goals: ingest >= 100x MLflow; each analysis query <= 200 ms.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import statistics
import sys
import tempfile
import time
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _table import median_seconds, print_table

from muse_duckdb import telemetry as tm

ROLES = ("drums", "bass", "chords", "melody", "pads", "arp")
STYLES = (
    "lofi",
    "boom_bap",
    "house",
    "techno",
    "trap",
    "jazz",
    "bossa_nova",
    "funk",
    "ambient",
    "pop",
    "rock",
    "cinematic",
)
SIZES = (4, 8, 16, 32)
DIMENSIONS = (
    "pitch_class_entropy",
    "scale_consistency",
    "groove_consistency",
    "empty_beat_rate",
    "polyphony_rate",
    "pitch_range",
    "key_fit",
    "density_fit",
)
THRESHOLD = 0.5


@dataclass(frozen=True)
class Workload:
    """Columnar synthetic telemetry: one entry per generation / candidate."""

    n_runs: int
    gen_run: np.ndarray
    gen_role: np.ndarray
    gen_style: np.ndarray
    gen_size: np.ndarray
    cand_gen: np.ndarray
    cand_index: np.ndarray
    metrics: np.ndarray  # (candidates, dimensions)
    score: np.ndarray
    accepted: np.ndarray
    selected: np.ndarray

    @property
    def n_candidates(self) -> int:
        """Number of candidate rows."""
        return len(self.cand_gen)


def make_workload(n_candidates: int, seed: int = 0) -> Workload:
    """``n_candidates`` candidate rows in generations of 4-32, ~10,000 candidates per run."""
    rng = np.random.default_rng(seed)
    sizes = np.resize(np.array(SIZES), n_candidates // min(SIZES) + 1)
    ends = np.cumsum(sizes)
    n_gen = int(np.searchsorted(ends, n_candidates)) + 1
    sizes = sizes[:n_gen].copy()
    sizes[-1] -= int(ends[n_gen - 1] - n_candidates)
    n_runs = max(1, n_candidates // 10_000)
    gen_run = (np.arange(n_gen) * n_runs) // n_gen
    cand_gen = np.repeat(np.arange(n_gen), sizes)
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    cand_index = np.arange(n_candidates) - np.repeat(starts, sizes)
    style_bias = rng.normal(0.0, 0.08, len(STYLES))
    gen_style = rng.integers(0, len(STYLES), n_gen)
    metrics = np.clip(
        rng.normal(0.55, 0.18, (n_candidates, len(DIMENSIONS)))
        + style_bias[gen_style][cand_gen][:, None],
        0.0,
        1.0,
    )
    score = metrics.mean(axis=1)
    order = np.lexsort((-score, cand_gen))
    first = np.concatenate([[True], cand_gen[order][1:] != cand_gen[order][:-1]])
    selected = np.zeros(n_candidates, dtype=bool)
    selected[order[first]] = True
    return Workload(
        n_runs=n_runs,
        gen_run=gen_run,
        gen_role=np.arange(n_gen) % len(ROLES),
        gen_style=gen_style,
        gen_size=sizes,
        cand_gen=cand_gen,
        cand_index=cand_index,
        metrics=metrics,
        score=score,
        accepted=score >= THRESHOLD,
        selected=selected,
    )


def to_batch(w: Workload) -> tm.TelemetryBatch:
    """The workload as one telemetry batch, built column by column."""
    run_ids = np.array([f"run-{i:04d}" for i in range(w.n_runs)])
    gen_ids = np.array([f"gen-{i:07d}" for i in range(len(w.gen_run))])
    runs = pa.table(
        {
            "run_id": run_ids,
            "experiment": np.full(w.n_runs, "bench"),
            "parameters": np.full(w.n_runs, "{}"),
            "package_versions": np.full(w.n_runs, "{}"),
            "status": np.full(w.n_runs, "completed"),
            "metadata": np.full(w.n_runs, "{}"),
        }
    )
    best = np.zeros(len(gen_ids), dtype=np.int32)
    best[w.cand_gen[w.selected]] = w.cand_index[w.selected]
    gens = pa.table(
        {
            "generation_id": gen_ids,
            "run_id": run_ids[w.gen_run],
            "section": np.full(len(gen_ids), "verse"),
            "role": np.array(ROLES)[w.gen_role],
            "style": np.array(STYLES)[w.gen_style],
            "backend": np.full(len(gen_ids), "embedded@1"),
            "num_candidates": w.gen_size.astype(np.int32),
            "attempts": w.gen_size.astype(np.int32),
            "accepted": np.ones(len(gen_ids), dtype=bool),
            "best_index": best,
            "cache_hit": np.zeros(len(gen_ids), dtype=bool),
            "metadata": np.full(len(gen_ids), "{}"),
        }
    )
    cands = pa.table(
        {
            "run_id": run_ids[w.gen_run][w.cand_gen],
            "generation_id": gen_ids[w.cand_gen],
            "candidate_index": w.cand_index.astype(np.int32),
            "score": w.score,
            "accepted": w.accepted,
            "selected": w.selected,
        }
    )
    n, d = w.metrics.shape
    metrics = pa.table(
        {
            "candidate_row": np.repeat(np.arange(n, dtype=np.int64), d),
            "name": pa.DictionaryArray.from_arrays(
                np.tile(np.arange(d, dtype=np.int32), n), pa.array(DIMENSIONS)
            ).cast(pa.string()),
            "value": w.metrics.reshape(-1),
        }
    )
    return tm.TelemetryBatch.from_frames(
        runs=runs, generations=gens, candidates=cands, metrics=metrics
    )


# ------------------------------------------------------------------- DuckDB
def duckdb_ingest(w: Workload, folder: Path, tag: str) -> tuple[float, float, Path]:
    """(seconds to build the batch, seconds to ingest it into a new file, the file)."""
    start = time.perf_counter()
    batch = to_batch(w)
    built = time.perf_counter() - start
    path = folder / f"telemetry-{tag}.duckdb"
    con = duckdb.connect(str(path))
    tm.ensure_schema(con)
    start = time.perf_counter()
    tm.ingest(con, batch)
    con.execute("CHECKPOINT")
    ingested = time.perf_counter() - start
    con.close()
    return built, ingested, path


def duckdb_queries(path: Path, repeat: int) -> list[tuple[str, float]]:
    """Median seconds of the typical analyses on the ingested file."""
    con = duckdb.connect(str(path), read_only=True)
    run = tm.run_ids(con)[0]
    queries: list[tuple[str, Callable[[], object]]] = [
        ("acceptance rate by role x num_candidates", lambda: tm.acceptance_rate(con)),
        ("score quantiles by style", lambda: tm.score_quantiles(con, "style")),
        (
            "(extra) key_fit quantiles by style x role",
            lambda: tm.score_quantiles(con, ("style", "role"), metric="key_fit"),
        ),
        ("one row per candidate, all dimensions (1 run)", lambda: tm.candidates(con, run)),
    ]
    out = [(name, median_seconds(fn, repeat)) for name, fn in queries]
    con.close()
    return out


# ------------------------------------------------------------------- MLflow
@contextlib.contextmanager
def quiet_default_mlflow(folder: Path) -> Iterator[str]:
    """Run MLflow with its default local store, inside ``folder``, without log noise."""
    old_cwd = Path.cwd()
    saved = os.environ.pop("MLFLOW_TRACKING_URI", None)
    os.chdir(folder)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import mlflow

            for name in ("mlflow", "alembic", "mlflow.store.db.utils"):
                logging.getLogger(name).setLevel(logging.ERROR)
            yield str(mlflow.get_tracking_uri())
    finally:
        os.chdir(old_cwd)
        if saved is not None:
            os.environ["MLFLOW_TRACKING_URI"] = saved


def mlflow_ingest(w: Workload) -> tuple[float, Callable[[], object]]:
    """Seconds to log the workload with ``log_batch``; and the analysis query as a callable."""
    import mlflow
    from mlflow.entities import Metric, Param, RunTag
    from mlflow.tracking import MlflowClient

    client = MlflowClient()
    experiment = client.create_experiment(f"bench-{time.time_ns()}")
    starts = np.concatenate([[0], np.cumsum(w.gen_size)[:-1]])
    start = time.perf_counter()
    now = int(time.time() * 1000)
    for g in range(len(w.gen_size)):
        run = client.create_run(experiment, tags={"run": f"run-{int(w.gen_run[g])}"})
        metrics = []
        for i in range(int(w.gen_size[g])):
            row = int(starts[g]) + i
            values = dict(zip(DIMENSIONS, w.metrics[row].tolist(), strict=True))
            values["score"] = float(w.score[row])
            values["accepted"] = float(w.accepted[row])
            metrics.extend(Metric(k, v, now, i) for k, v in values.items())
        params = [
            Param("role", ROLES[int(w.gen_role[g])]),
            Param("style", STYLES[int(w.gen_style[g])]),
            Param("num_candidates", str(int(w.gen_size[g]))),
        ]
        client.log_batch(run.info.run_id, metrics=metrics, params=params, tags=[RunTag("k", "v")])
        client.set_terminated(run.info.run_id)
    seconds = time.perf_counter() - start

    def acceptance_rate() -> object:
        runs = mlflow.search_runs(experiment_ids=[experiment], max_results=50_000)
        rates = []
        for run_id in runs["run_id"]:
            history = client.get_metric_history(run_id, "accepted")
            rates.append(np.mean([m.value for m in history]))
        runs["rate"] = rates
        return runs.groupby(["params.role", "params.num_candidates"])["rate"].mean()

    return seconds, acceptance_rate


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="20,000 rows; MLflow 100")
    parser.add_argument("--rows", type=int, default=1_000_000, help="DuckDB candidate rows")
    parser.add_argument("--mlflow-rows", type=int, default=4_000, help="MLflow candidate rows")
    args = parser.parse_args(argv)
    rows, mlflow_rows, repeat = (20_000, 100, 1) if args.quick else (args.rows, args.mlflow_rows, 3)
    values = 1 + len(DIMENSIONS)
    print(
        f"workload: {rows:,} candidates x {values} values ({len(DIMENSIONS)} dimensions + "
        f"score), generations of {'/'.join(map(str, SIZES))} candidates, "
        f"{len(ROLES)} roles, {len(STYLES)} styles"
    )
    workload = make_workload(rows)
    small = make_workload(mlflow_rows, seed=1)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        timings = [duckdb_ingest(workload, folder, str(k)) for k in range(repeat)]
        build = statistics.median(t[0] for t in timings)
        ingest = statistics.median(t[1] for t in timings)
        _, small_ingest, _ = duckdb_ingest(small, folder, "small")
        queries = duckdb_queries(timings[0][2], repeat=3 if args.quick else 7)
        mlflow_seconds: float | None = None
        mlflow_query: float | None = None
        uri = "-"
        try:
            with quiet_default_mlflow(folder) as uri:
                mlflow_seconds, query = mlflow_ingest(small)
                mlflow_query = median_seconds(query, 1)
        except ImportError:
            print("MLflow is not installed (pip install 'maestro-lab[bench]'): DuckDB only.")

    print(f"\ningest (DuckDB: median of {repeat} into a new database file, one transaction)")
    rows_table: list[list[object]] = [
        ["DuckDB telemetry", f"{rows:,}", "measured", build, ingest, rows / ingest, ""],
        [
            "DuckDB telemetry",
            f"{mlflow_rows:,}",
            "measured",
            "",
            small_ingest,
            mlflow_rows / small_ingest,
            "",
        ],
    ]
    ratio_text = "MLflow not run"
    if mlflow_seconds is not None:
        per_row = mlflow_seconds / mlflow_rows
        extrapolated = per_row * rows
        ratio = extrapolated / ingest
        ratio_text = f"{ratio:.0f}x"
        rows_table[0][-1] = ratio_text
        rows_table[1][-1] = f"{mlflow_seconds / small_ingest:.0f}x"
        rows_table.append(
            [
                "MLflow log_batch",
                f"{mlflow_rows:,}",
                "measured",
                "",
                mlflow_seconds,
                mlflow_rows / mlflow_seconds,
                "1x",
            ]
        )
        rows_table.append(
            ["MLflow log_batch", f"{rows:,}", "EXTRAPOLATED", "", extrapolated, 1 / per_row, "1x"]
        )
    print_table(
        [
            "system",
            "candidates",
            "figure",
            "build s",
            "ingest s",
            "candidates/s",
            "speed-up vs MLflow",
        ],
        rows_table,
    )
    if mlflow_seconds is not None:
        print(
            f"MLflow store: {uri} (its default); MLflow time extrapolated linearly from "
            f"{mlflow_rows:,} to {rows:,} candidate rows."
        )
    print(f"\nqueries on {rows:,} candidates (median ms; goal <= 200 ms)")
    query_rows: list[list[object]] = [
        [name, seconds * 1000, "ok" if seconds <= 0.2 else "MISSED"] for name, seconds in queries
    ]
    if mlflow_query is not None:
        query_rows.append(
            [
                f"MLflow: acceptance rate by role x num_candidates ({mlflow_rows:,} rows only)",
                mlflow_query * 1000,
                "-",
            ]
        )
    print_table(["query", "median ms", "goal"], query_rows)
    verdict = (
        "met"
        if mlflow_seconds is not None and ingest * 100 <= mlflow_seconds / mlflow_rows * rows
        else "not met"
    )
    print(f"\ningest goal (>= 100x MLflow): {verdict} ({ratio_text})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
