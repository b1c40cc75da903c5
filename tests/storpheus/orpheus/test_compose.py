"""A composition through the Orpheus backend and a local Gradio Space: commit, then reproduce.

The stand-in Space, like the real model, answers differently every call, so a
reproduction that matches byte for byte proves it came from the cache in
the Muse database file.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import maestro_lab
from maestro_lab.cli import main
from maestro_lab.errors import MaestroLabError
from maestro_lab.runtime.backends_registry import get_backend
from muse_duckdb import Repository, telemetry
from muse_duckdb.telemetry.backend_cache import DuckDBBackendCache, backend_calls, cache_lookups
from storpheus.backends.orpheus import ManualClock, OrpheusBackend
from storpheus.errors import BackendUnavailable
from tests.storpheus.orpheus.space_app import LocalSpaces

PROMPT = """MAESTRO PROMPT
Mode: compose
Style: house
Key: Am
Role: [drums, bass]
Constraints: {sections: {verse: 4, chorus: 4}, candidates: 4}
"""
"""Two roles in two four-bar sections: four Space calls."""


def test_a_compose_through_the_space_commits_and_reproduces_from_the_cache(
    fresh: LocalSpaces, tmp_path: Path
) -> None:
    db = tmp_path / "lab.duckdb"
    url = fresh.urls["space"]
    result = maestro_lab.compose(
        PROMPT,
        seed=3,
        db=db,
        out=tmp_path,
        backend="orpheus",
        backend_options={"space": url},
        workers=2,  # two agents share the backend, its breaker and its cache
    )
    behaviour = fresh.behaviours["space"]
    assert behaviour.calls == 4  # two roles x two sections, one call each
    assert result.backend_id == "orpheus@1"
    assert set(result.role_cards) == {"drums", "bass"}
    assert result.midi_path is not None
    assert result.midi_path.exists()
    stats = DuckDBBackendCache(db).stats()
    assert (stats.hits, stats.misses, stats.entries) == (0, 4, 4)

    # the Space would now answer differently; the cache answers as before
    backend = get_backend("orpheus", space=url, db=str(db))
    assert isinstance(backend, OrpheusBackend)
    again = maestro_lab.reproduce(result.commit_id, db, backend=backend, workers=2)
    assert again.ok, again.differences
    assert again.same_midi
    assert again.same_snapshot
    assert behaviour.calls == 4  # nothing regenerated
    lookups = cache_lookups(db)
    assert lookups[["hits", "misses"]].to_dict("records") == [{"hits": 4, "misses": 4}]
    calls = backend_calls(db)
    assert calls["outcome"].tolist() == ["remote"] * 4
    assert calls["breaker_state"].tolist() == ["closed"] * 4
    assert calls["attempts"].tolist() == [1] * 4


def test_without_the_cache_a_reproduction_finds_the_space_answered_differently(
    fresh: LocalSpaces, tmp_path: Path
) -> None:
    db = tmp_path / "lab.duckdb"
    url = fresh.urls["space"]
    result = maestro_lab.compose(PROMPT, seed=3, db=db, out=None, backend=OrpheusBackend(url))
    again = maestro_lab.reproduce(result.commit_id, db, backend=OrpheusBackend(url))
    assert not again.ok  # the stand-in is not deterministic, like the real model
    assert fresh.behaviours["space"].calls == 8


def test_the_cli_composes_with_backend_orpheus_and_space(
    fresh: LocalSpaces, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "cli.duckdb"
    prompt = tmp_path / "prompt.txt"
    prompt.write_text(PROMPT)
    argv = ["compose", str(prompt), "--backend", "orpheus", "--space", fresh.urls["space"]]
    argv += ["--db", str(db), "--seed", "3", "--no-midi", "--no-progress", "--json"]
    assert main(argv) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["backendId"] == "orpheus@1"
    assert DuckDBBackendCache(db).stats().entries == 4
    assert main(argv) == 0  # the same run again: every generation from the cache
    assert fresh.behaviours["space"].calls == 4
    assert DuckDBBackendCache(db).stats().hits == 4
    second = json.loads(capsys.readouterr().out)
    rows = telemetry.generations(telemetry.open_database(db, read_only=True))
    hits = rows.groupby("run_id")["cache_hit"].agg(list).to_dict()
    assert hits == {payload["runId"]: [False] * 4, second["runId"]: [True] * 4}
    record = json.loads(rows["metadata"].iloc[0])["backend"]
    assert record["breaker_state"] == "closed"
    assert record["space"] == fresh.urls["space"]
    assert record["source"] in ("remote", "cache")
    commit = payload["commitId"]
    reproduce = ["reproduce", commit, "--db", str(db), "--space", fresh.urls["space"], "--json"]
    assert main(reproduce) == 0
    assert json.loads(capsys.readouterr().out)["ok"] is True
    assert fresh.behaviours["space"].calls == 4
    # the commit records its Space: reproduce needs no --space (and never falls back
    # to the public Space)
    meta = json.loads(Repository.open(db, "default").get_commit(commit).metadata_json)
    assert meta["maestro"]["backend"]["options"] == {"space": fresh.urls["space"]}
    assert main(["reproduce", commit, "--db", str(db), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["ok"] is True
    assert fresh.behaviours["space"].calls == 4


def test_an_unavailable_space_fails_the_run_naming_it_and_commits_nothing(tmp_path: Path) -> None:
    clock = ManualClock()
    backend = OrpheusBackend("http://127.0.0.1:9/", clock=clock, sleeper=clock.sleep)
    db = tmp_path / "x.duckdb"
    with pytest.raises(MaestroLabError, match=r"127\.0\.0\.1:9.*unavailable") as caught:
        maestro_lab.compose(PROMPT, seed=3, db=db, out=None, backend=backend)
    assert isinstance(caught.value.__cause__, BackendUnavailable)
    assert clock.slept == [1.0, 2.0, 4.0]  # the default backoff, on the injected clock
    assert Repository.open(db, "default").head().commit_id is None
