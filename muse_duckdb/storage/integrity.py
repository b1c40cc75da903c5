"""Integrity check: every referenced object exists, and (deep) every id matches its content.

Shallow checks are a handful of SQL anti-joins and aggregates: commits point
at stored snapshots and parents, snapshot regions at stored objects and at
tracks of the same snapshot, event counts match the object headers, no event
row belongs to a missing object, refs / HEAD / working trees point at stored
commits and snapshots. The deep check also recomputes every region object
id, snapshot id and commit id from the stored rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb

from muse_duckdb.model.commit import JSONValue, commit_id
from muse_duckdb.storage.commits import COMMIT_COLUMNS, row_to_commit
from muse_duckdb.storage.database import first_row
from muse_duckdb.storage.snapshots import load_objects, load_snapshot

Connection = duckdb.DuckDBPyConnection

_CHECKS: tuple[tuple[str, str], ...] = (
    (
        "commit {0} points at missing snapshot {1}",
        "SELECT c.commit_id, c.snapshot_id FROM commits c LEFT JOIN snapshots s "
        "ON s.snapshot_id = c.snapshot_id AND s.snapshot_key = c.snapshot_key "
        "WHERE s.snapshot_id IS NULL",
    ),
    (
        "commit {0} has missing parent {1}",
        "SELECT c.commit_id, p.parent FROM commits c, "
        "unnest([c.parent_id, c.parent2_id]) AS p(parent) "
        "WHERE p.parent IS NOT NULL AND p.parent NOT IN (SELECT commit_id FROM commits)",
    ),
    (
        "snapshot {0} track {1} points at missing manifest {2}",
        "SELECT s.snapshot_id, t.track_id, t.manifest_key FROM snapshot_tracks t "
        "JOIN snapshots s USING (snapshot_key) "
        "WHERE t.manifest_key NOT IN (SELECT manifest_key FROM manifests)",
    ),
    (
        "manifest {0} region {1} points at missing object {2}",
        "SELECT f.manifest_id, m.region_id, m.object_key FROM manifest_regions m "
        "JOIN manifests f USING (manifest_key) "
        "WHERE m.object_key NOT IN (SELECT object_key FROM region_objects)",
    ),
    (
        "manifest {0} should have {1} regions, has {2}",
        "SELECT f.manifest_id, f.n_regions, coalesce(m.n, 0) FROM manifests f LEFT JOIN "
        "(SELECT manifest_key, count(*) AS n FROM manifest_regions GROUP BY manifest_key) m "
        "USING (manifest_key) WHERE f.n_regions <> coalesce(m.n, 0)",
    ),
    (
        "{0} rows of {1} belong to no {2}",
        "SELECT count(*), 'snapshot_tracks', 'snapshot' FROM snapshot_tracks "
        "WHERE snapshot_key NOT IN (SELECT snapshot_key FROM snapshots) HAVING count(*) > 0 "
        "UNION ALL SELECT count(*), 'manifest_regions', 'manifest' FROM manifest_regions "
        "WHERE manifest_key NOT IN (SELECT manifest_key FROM manifests) HAVING count(*) > 0",
    ),
    (
        "snapshot {0} should have {1} regions, has {2}",
        "SELECT s.snapshot_id, s.n_regions, coalesce(r.n, 0) FROM snapshots s LEFT JOIN "
        "(SELECT snapshot_key, count(*) AS n FROM snapshot_regions GROUP BY snapshot_key) r "
        "USING (snapshot_key) WHERE s.n_regions <> coalesce(r.n, 0)",
    ),
    (
        "{0} HEAD points at missing commit {1}",
        "SELECT project_id, commit_id FROM heads WHERE commit_id IS NOT NULL "
        "AND commit_id NOT IN (SELECT commit_id FROM commits)",
    ),
    (
        "{0} {1} {2!r} points at missing commit {3}",
        "SELECT project_id, kind, name, commit_id FROM refs "
        "WHERE commit_id NOT IN (SELECT commit_id FROM commits)",
    ),
    (
        "working tree of {0} points at missing snapshot {1}",
        "SELECT project_id, snapshot_id FROM worktrees "
        "WHERE snapshot_id NOT IN (SELECT snapshot_id FROM snapshots)",
    ),
    (
        "phrase {1} belongs to missing commit {0}",
        "SELECT commit_id, phrase_id FROM commit_phrases "
        "WHERE commit_id NOT IN (SELECT commit_id FROM commits)",
    ),
)

_COUNTED = (
    ("object_notes", "n_notes"),
    ("object_cc", "n_cc"),
    ("object_bends", "n_bends"),
    ("object_aftertouch", "n_aftertouch"),
)


@dataclass(frozen=True)
class IntegrityReport:
    """Result of :func:`check_integrity`: problems found and object counts."""

    problems: tuple[str, ...]
    counts: dict[str, int] = field(default_factory=dict)
    deep: bool = False

    @property
    def ok(self) -> bool:
        """Whether no problem was found."""
        return not self.problems

    def to_dict(self) -> dict[str, JSONValue]:
        """JSON-ready dict."""
        return {
            "ok": self.ok,
            "deep": self.deep,
            "problems": list(self.problems),
            "counts": dict(self.counts),
        }


def check_integrity(conn: Connection, *, deep: bool = False, limit: int = 50) -> IntegrityReport:
    """Check the whole database (all projects); see the module docstring."""
    problems: list[str] = []
    for template, sql in _CHECKS:
        for row in conn.execute(f"{sql} LIMIT {int(limit)}").fetchall():
            problems.append(template.format(*row))
    for table, column in _COUNTED:
        rows = conn.execute(
            f"SELECT o.object_id, o.{column}, coalesce(e.n, 0) FROM region_objects o "
            f"LEFT JOIN (SELECT object_key, count(*) AS n FROM {table} GROUP BY object_key) e "
            f"USING (object_key) WHERE o.{column} <> coalesce(e.n, 0) LIMIT {int(limit)}"
        ).fetchall()
        problems.extend(f"object {o} should have {n} rows in {table}, has {m}" for o, n, m in rows)
        orphans = first_row(
            conn.execute(
                f"SELECT count(*) FROM {table} "
                "WHERE object_key NOT IN (SELECT object_key FROM region_objects)"
            ).fetchall()
        )
        if orphans and orphans[0]:
            problems.append(f"{orphans[0]} rows of {table} belong to no object")
    counts = {
        t: int(first_row(conn.execute(f"SELECT count(*) FROM {t}").fetchall())[0])  # type: ignore[index]
        for t in ("commits", "snapshots", "region_objects", "object_notes", "refs")
    }
    if deep and not problems:
        problems.extend(_deep(conn, limit))
    return IntegrityReport(tuple(problems), counts, deep)


def _deep(conn: Connection, limit: int) -> list[str]:
    from muse_duckdb.project import RegionState

    problems: list[str] = []
    rows = conn.execute("SELECT object_key, object_id FROM region_objects").fetchall()
    events = load_objects(conn, [int(k) for k, _ in rows])
    for key, oid in rows:
        region = RegionState("check", "check", 0.0, 1.0)
        rebuilt = region.with_events(*events[int(key)])
        if rebuilt.object_id != oid:
            problems.append(f"object {oid} content hashes to {rebuilt.object_id}")
    from muse_duckdb.storage.batch import manifest_id_of

    for mid, entries in _manifest_entries(conn).items():
        if manifest_id_of(entries) != mid:
            problems.append(f"manifest {mid} content hashes to {manifest_id_of(entries)}")
    for (sid,) in conn.execute("SELECT snapshot_id FROM snapshots").fetchall():
        state = load_snapshot(conn, str(sid))
        object.__setattr__(state, "_snapshot_id", None)
        if state.snapshot_id != sid:
            problems.append(f"snapshot {sid} content hashes to {state.snapshot_id}")

    for row in conn.execute(f"SELECT {COMMIT_COLUMNS} FROM commits").fetchall():
        c = row_to_commit(row)
        expected = commit_id(
            project_id=c.project_id,
            parents=c.parents,
            snapshot_id=c.snapshot_id,
            committed_at_us=c.committed_at_us,
            author=c.author,
            message=c.message,
            explanation=c.explanation,
            variation_id=c.variation_id,
            accepted_phrase_ids=c.accepted_phrase_ids,
            changeset_json=c.changeset_json,
            metadata_json=c.metadata_json,
        )
        if expected != c.commit_id:
            problems.append(f"commit {c.commit_id} content hashes to {expected}")
    return problems[:limit]


def _manifest_entries(conn: Connection) -> dict[str, list[tuple[str, str, int, int, str]]]:
    rows = conn.execute(
        "SELECT f.manifest_id, m.region_id, m.name, m.start_tick, m.duration_ticks, "
        "o.object_id FROM manifests f LEFT JOIN manifest_regions m USING (manifest_key) "
        "LEFT JOIN region_objects o ON o.object_key = m.object_key"
    ).fetchall()
    out: dict[str, list[tuple[str, str, int, int, str]]] = {}
    for mid, rid, name, start, dur, oid in rows:
        entries = out.setdefault(str(mid), [])
        if rid is not None:
            entries.append((str(rid), str(name), int(start), int(dur), str(oid)))
    return out
