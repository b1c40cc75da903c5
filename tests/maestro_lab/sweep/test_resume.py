"""A sweep whose coordinator is SIGKILLed midway completes with ``--resume``, nothing twice."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import pytest

from maestro_lab.cli import main
from maestro_lab.sweep import expand, load_spec
from muse_duckdb import Repository
from muse_duckdb.telemetry.sweeps import check_sweep
from tests.maestro_lab.sweep.conftest import GRID_32, write_spec

ROOT = Path(__file__).resolve().parents[3]


def _completed_cells(
    stderr: subprocess.Popen[bytes], seen: list[int], stop: threading.Event
) -> None:
    """Follow the progress bar on the coordinator's stderr: the highest ``N/32`` shown."""
    assert stderr.stderr is not None
    buffer = b""
    while not stop.is_set():
        chunk = stderr.stderr.read1(4096)  # type: ignore[attr-defined]
        if not chunk:
            return
        buffer = (buffer + chunk)[-4096:]
        found = re.findall(rb"(\d+)/32", buffer)
        if found:
            seen.append(max(int(n) for n in found))


@pytest.mark.slow
def test_a_sweep_killed_midway_resumes_without_duplicates_or_gaps(tmp_path: Path) -> None:
    spec = write_spec(tmp_path / "spec", "grid32", GRID_32)
    db = tmp_path / "killed.duckdb"
    cli = "import sys; from maestro_lab.cli import main; sys.exit(main(sys.argv[1:]))"
    command = [sys.executable, "-c", cli, "sweep", str(spec), "--db", str(db)]
    process = subprocess.Popen(
        [*command, "--workers", "1"],
        cwd=ROOT,
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        start_new_session=True,
    )
    seen: list[int] = []
    stop = threading.Event()
    reader = threading.Thread(target=_completed_cells, args=(process, seen, stop), daemon=True)
    reader.start()
    deadline = time.monotonic() + 120
    try:
        while not (seen and seen[-1] >= 4) and time.monotonic() < deadline:
            assert process.poll() is None, "the sweep ended before it could be killed"
            time.sleep(0.02)
        assert seen, "no progress within two minutes"
        assert seen[-1] >= 4, "no progress within two minutes"
        process.send_signal(signal.SIGKILL)  # the coordinator only; its workers are orphaned
        assert process.wait(timeout=30) == -signal.SIGKILL
    finally:
        stop.set()
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)  # the orphaned pool, if still there
    with duckdb.connect(str(db), read_only=True) as con:
        sweep_id, status = con.execute("SELECT sweep_id, status FROM sweeps").fetchall()[0]
        done_before = con.execute(
            "SELECT count(*) FROM sweep_cells WHERE status = 'completed'"
        ).fetchall()[0][0]
        runs_before = con.execute("SELECT count(*) FROM runs").fetchall()[0][0]
    assert status == "running"  # killed: nobody could say otherwise
    assert 0 < done_before < 32, "the kill must fall in the middle of the sweep"
    assert runs_before == done_before  # a cell is completed exactly when its run is stored

    assert main(["sweep", str(spec), "--db", str(db), "--resume", "--workers", "2", "--json"]) == 0

    keys = {c.key for c in expand(load_spec(spec))}
    with duckdb.connect(str(db), read_only=True) as con:
        assert check_sweep(con, sweep_id) == []
        cells = con.execute(
            "SELECT cell_key, status, run_id FROM sweep_cells WHERE sweep_id = ?", [sweep_id]
        ).fetchall()
        assert {k for k, _, _ in cells} == keys
        assert len(cells) == 32
        assert {s for _, s, _ in cells} == {"completed"}
        runs = con.execute("SELECT run_id FROM runs").fetchall()
        assert len(runs) == 32
        assert {r for (r,) in runs} == {r for _, _, r in cells}
        duplicates = con.execute(
            "SELECT count(*) FROM (SELECT run_id, section, role, candidate_index FROM candidates "
            "GROUP BY ALL HAVING count(*) > 1)"
        ).fetchall()
        assert duplicates == [(0,)]
        assert con.execute("SELECT count(*) FROM candidates").fetchall() == [(16 * 2 + 16 * 4,)]
        assert con.execute("SELECT count(*) FROM sweeps").fetchall() == [(1,)]
        assert con.execute("SELECT status FROM sweeps").fetchall() == [("completed",)]
    report = Repository.open(str(db)).check_integrity(deep=True)
    assert report.ok, report
