"""Sweep throughput: cells per second on a local process pool (1 and 2 workers) and on Dask.

Workload: one experiment grid, run three times in one process, each time
into a fresh database file: on a local process pool with 1 worker, with 2
workers, and on a 2-worker Dask ``LocalCluster`` (loopback, no dashboard,
one thread per worker). A cell composes a three-role, four-bar prompt with
eight candidates per generation in a worker and returns its telemetry; the
coordinator ingests every batch of finished cells in one transaction. The
executors are started and warmed up (the runtime imported in every worker)
before the clock starts, so the figures are steady-state throughput. The
table also shows the share of the wall time the coordinator spent ingesting.

    python benchmarks/bench_sweep.py            # 64 cells per executor
    python benchmarks/bench_sweep.py --quick    # 12 cells per executor

Goal: >= 1.8x cells per second from 1 to 2 workers (the coordinator's
ingest must not be the bottleneck). The machine's other load counts: run it
on an otherwise idle machine with at least two cores.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile
import textwrap
import time
from concurrent.futures import Executor, ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _table import print_table

from maestro_lab.sweep import SweepResult, parse_spec, run
from maestro_lab.sweep.executors import local_pool
from maestro_lab.sweep.worker import warm_up

PROMPT = """MAESTRO PROMPT
Mode: compose
Style: house
Key: Am
Tempo: 110
Role: [drums, bass, chords]
Constraints:
  sections: {verse: 4}
"""


def spec_text(cells: int) -> str:
    """An experiment of ``cells`` cells: seeds x two styles, eight candidates."""
    prompt = textwrap.indent(PROMPT, "  ")
    return (
        f"name: bench-sweep\nprompt: |\n{prompt}seeds: {{start: 0, stop: {cells // 2}}}\n"
        "candidates: 8\ngrid:\n  style: [house, lofi]\n"
    )


def _pause(seconds: float) -> int:
    time.sleep(seconds)
    return warm_up()


def warmed_pool(workers: int) -> ProcessPoolExecutor:
    """A local pool whose every worker has imported the runtime."""
    pool = local_pool(workers)
    list(pool.map(_pause, [0.5] * workers))
    return pool


def timed(executor: Executor | object, db: Path, cells: int) -> SweepResult:
    experiment = parse_spec(spec_text(cells), source="bench")
    result = run(experiment, executor, db=db)  # type: ignore[arg-type]
    if not result.ok:
        raise SystemExit(f"the sweep failed: {result.failures[0].traceback}")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="12 cells per executor")
    args = parser.parse_args()
    cells = 12 if args.quick else 64
    load = os.getloadavg()
    results: list[tuple[str, int, SweepResult]] = []
    with tempfile.TemporaryDirectory(prefix="bench-sweep-") as folder:
        base = Path(folder)
        for workers in (1, 2):
            pool = warmed_pool(workers)
            try:
                results.append(
                    ("local pool", workers, timed(pool, base / f"pool{workers}.duckdb", cells))
                )
            finally:
                pool.shutdown()
        from distributed import Client, LocalCluster

        with (
            LocalCluster(
                n_workers=2,
                threads_per_worker=1,
                processes=True,
                host="127.0.0.1",
                dashboard_address=None,
                silence_logs=logging.ERROR,
            ) as cluster,
            Client(cluster) as client,
        ):
            client.run(warm_up)
            results.append(("dask LocalCluster", 2, timed(client, base / "dask.duckdb", cells)))
    baseline = results[0][2].cells_per_second
    rows = []
    for name, workers, result in results:
        coordinator = 1000.0 * result.coordinator_cpu_seconds / result.ran
        worker = 1000.0 * result.worker_cpu_seconds / result.ran
        rows.append(
            (
                name,
                workers,
                result.ran,
                result.seconds,
                result.cells_per_second,
                result.cells_per_second / baseline,
                100.0 * result.ingest_seconds / result.seconds,
                coordinator,
                worker,
            )
        )
    print(f"sweep of {cells} cells (3 roles x 4 bars, 8 candidates); CPUs: {os.cpu_count()}")
    print(f"load average before / after: {load[0]:.1f} / {os.getloadavg()[0]:.1f}")
    headers = ["executor", "workers", "cells", "seconds", "cells/s", "vs 1 worker", "ingest %"]
    print_table([*headers, "coordinator CPU ms/cell", "worker CPU ms/cell"], rows)
    speedup = results[1][2].cells_per_second / baseline
    print(f"\nlocal pool 1 -> 2 workers: {speedup:.2f}x measured (goal >= 1.8x)")
    pool2 = results[1][2]
    c = pool2.coordinator_cpu_seconds / pool2.ran
    w = pool2.worker_cpu_seconds / pool2.ran
    print(
        f"from CPU time per cell (coordinator {1000 * c:.1f} ms, worker {1000 * w:.1f} ms): "
        f"bound with a free core per process min(2, w/c) = {min(2.0, w / c):.2f}x; "
        f"on 2 cores shared with the coordinator 2w/(w+c) = {2 * w / (w + c):.2f}x"
    )


if __name__ == "__main__":
    main()
