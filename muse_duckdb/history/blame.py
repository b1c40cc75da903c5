"""Blame and history: who introduced each note, and every version of a region.

:func:`blame` answers "which suggestion introduced this bass line?": for
every note of a region (or of every region of a track or section) at a
commit, the commit that introduced it, with its author (a person, an agent
role or ``muse``), variation and, when the commit recorded phrases, the
phrase. A note is *introduced* by the commit where it appears (identical in
pitch, channel, velocity, onset and duration) without being in a parent;
an edited note (say, a new velocity) is therefore blamed on the edit, and a
moved region keeps the blame of its notes. Merges follow every parent.

It runs on whole arrays: every version of the region along the ancestry is
loaded in one query, each note becomes one int64 key, and the walk from the
newest commit back only does set lookups (``searchsorted``) at commits
where the region's content changed.

:func:`history` answers "show me every version of the chorus, in order":
each commit (oldest first) where a matching region was added, changed,
moved or removed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import duckdb
import numpy as np
import numpy.typing as npt
import pandas as pd

from muse_duckdb.diff.matching import group_ids
from muse_duckdb.errors import UnknownRegionError
from muse_duckdb.history.graph import CommitGraph
from muse_duckdb.model.commit import Commit, JSONValue
from muse_duckdb.model.ids import TPQ
from muse_duckdb.storage.commits import load_commit, load_commits_by_id
from storpheus.notes import NoteArray

Connection = duckdb.DuckDBPyConnection
Ints = npt.NDArray[np.int64]
ChangeKind = Literal["added", "modified", "moved", "moved+modified", "removed"]


@dataclass(frozen=True)
class BlameResult:
    """Per-note attribution at one commit.

    ``notes`` hold every note of the blamed regions with onsets on the
    project timeline; ``region_ids[i]`` and ``commits[commit_index[i]]``
    are the region and the introducing commit of note ``i``;
    ``phrase_ids[i]`` the phrase of that commit covering it, if recorded.
    """

    at: str
    target: str
    notes: NoteArray
    region_ids: tuple[str, ...]
    commit_index: Ints
    commits: tuple[Commit, ...]
    phrase_ids: tuple[str | None, ...]

    def __len__(self) -> int:
        return len(self.notes)

    def commit_of(self, i: int) -> Commit:
        """The commit that introduced note ``i``."""
        return self.commits[int(self.commit_index[i])]

    def to_pandas(self) -> pd.DataFrame:
        """One row per note: region, note fields, commit id, author, kind, variation, phrase."""
        frame = self.notes.to_pandas()
        frame.insert(0, "region_id", list(self.region_ids))
        idx = self.commit_index
        frame["commit_id"] = [self.commits[i].commit_id for i in idx.tolist()]
        frame["author"] = [self.commits[i].author for i in idx.tolist()]
        frame["author_kind"] = [self.commits[i].author_kind for i in idx.tolist()]
        frame["variation_id"] = [self.commits[i].variation_id for i in idx.tolist()]
        frame["phrase_id"] = list(self.phrase_ids)
        frame["message"] = [self.commits[i].message for i in idx.tolist()]
        frame["committed_at"] = [self.commits[i].committed_at for i in idx.tolist()]
        return frame

    def to_dicts(self) -> list[dict[str, JSONValue]]:
        """One JSON-ready dict per note (camelCase)."""
        out: list[dict[str, JSONValue]] = []
        for i, note in enumerate(self.notes.to_dicts(wire=True)):
            c = self.commit_of(i)
            out.append(
                {
                    "regionId": self.region_ids[i],
                    **note,
                    "commitId": c.commit_id,
                    "author": c.author,
                    "authorKind": c.author_kind,
                    "variationId": c.variation_id,
                    "phraseId": self.phrase_ids[i],
                    "message": c.message,
                }
            )
        return out


@dataclass(frozen=True)
class RegionVersion:
    """One version of a region: the commit that made it and what it was."""

    commit: Commit
    region_id: str
    change: ChangeKind
    object_id: str | None
    track_id: str | None
    name: str | None
    start_beat: float | None
    duration_beats: float | None
    n_notes: int

    def to_dict(self) -> dict[str, JSONValue]:
        """JSON-ready dict (camelCase)."""
        return {
            "commitId": self.commit.commit_id,
            "author": self.commit.author,
            "message": self.commit.message,
            "timestamp": self.commit.timestamp,
            "regionId": self.region_id,
            "change": self.change,
            "objectId": self.object_id,
            "trackId": self.track_id,
            "name": self.name,
            "startBeat": self.start_beat,
            "durationBeats": self.duration_beats,
            "notes": self.n_notes,
        }


# -------------------------------------------------------------------- blame
def blame(conn: Connection, project_id: str, at: str, target: str) -> BlameResult:
    """Blame every note of ``target`` (region id, track id or section name) at commit ``at``."""
    graph = CommitGraph.load(conn, project_id)
    head = load_commit(conn, at)
    assert head is not None
    region_ids = resolve_target(conn, head.snapshot_id, target, at)
    ancestry = graph.ancestors(at)
    rows = conn.execute(
        "SELECT c.commit_id, r.region_id, r.object_key, r.start_tick FROM commits c "
        "JOIN snapshot_regions r ON r.snapshot_key = c.snapshot_key "
        "WHERE c.project_id = ? AND r.region_id IN (SELECT unnest(?::VARCHAR[]))",
        [project_id, list(region_ids)],
    ).fetchall()
    objects: dict[str, dict[str, int]] = {rid: {} for rid in region_ids}
    start_of: dict[str, int] = {}
    for cid, rid, okey, start in rows:
        if cid in ancestry:
            objects[rid][cid] = int(okey)
            if cid == at:
                start_of[rid] = int(start)
    keys = sorted({k for per in objects.values() for k in per.values()})
    notes = _load_notes(conn, keys)
    order = sorted(ancestry, key=lambda c: (graph.generation[c], graph.time_us[c], c), reverse=True)
    parts: list[NoteArray] = []
    owners: list[Ints] = []
    regions: list[str] = []
    for rid in region_ids:
        final = notes.of(objects[rid][at])
        owner = _walk(order, graph, objects[rid], notes, final.keys, at)
        parts.append(final.array(start_of[rid]))
        owners.append(owner)
        regions.extend([rid] * len(final.keys))
    owner_all = np.concatenate(owners) if owners else np.empty(0, dtype=np.int64)
    commit_ids = sorted(set(owner_all.tolist()), reverse=True)  # oldest first
    loaded = load_commits_by_id(conn, [order[i] for i in commit_ids])
    commits = tuple(loaded[order[i]] for i in commit_ids)
    position = {i: n for n, i in enumerate(commit_ids)}
    index = np.array([position[i] for i in owner_all.tolist()], dtype=np.int64)
    all_notes = NoteArray.concat(parts) if parts else NoteArray.empty()
    phrases = _phrases(conn, commits, index, regions, all_notes)
    return BlameResult(at, target, all_notes, tuple(regions), index, commits, phrases)


@dataclass(frozen=True)
class _Notes:
    """Notes of several objects, sorted by (object, key), with packed int64 keys."""

    object_key: Ints
    key: Ints
    columns: dict[str, Ints]

    def of(self, okey: int) -> _Version:
        lo, hi = np.searchsorted(self.object_key, [okey, okey + 1])
        sl = slice(int(lo), int(hi))
        return _Version(self.key[sl], {k: v[sl] for k, v in self.columns.items()})

    def keyset(self, okey: int) -> Ints:
        lo, hi = np.searchsorted(self.object_key, [okey, okey + 1])
        return self.key[int(lo) : int(hi)]  # sorted within the object


@dataclass(frozen=True)
class _Version:
    keys: Ints
    columns: dict[str, Ints]

    def array(self, start_tick: int) -> NoteArray:
        c = self.columns
        return NoteArray(
            pitch=c["pitch"],
            velocity=c["velocity"],
            start_beat=(c["start_tick"] + start_tick) / TPQ,
            duration_beats=c["duration_ticks"] / TPQ,
            channel=c["channel"],
        )


def _load_notes(conn: Connection, keys: Sequence[int]) -> _Notes:
    data = conn.execute(
        "SELECT object_key, pitch, velocity, channel, start_tick, duration_ticks FROM object_notes "
        "WHERE object_key IN (SELECT unnest(?::BIGINT[]))",
        [list(keys)],
    ).fetchnumpy()
    cols = {k: np.asarray(v).astype(np.int64) for k, v in data.items()}
    okey = cols.pop("object_key")
    packed = _pack(cols)
    order = np.lexsort((packed, okey))
    return _Notes(okey[order], packed[order], {k: v[order] for k, v in cols.items()})


def _pack(cols: dict[str, Ints]) -> Ints:
    """One int64 per note, equal exactly when all five fields are equal."""
    start, dur = cols["start_tick"], cols["duration_ticks"]
    if len(start) and (start.max() >= 1 << 23 or dur.max() >= 1 << 22 or start.min() < 0):
        (ids,) = group_ids(
            [cols[k] for k in ("pitch", "channel", "velocity", "start_tick")] + [dur]
        )
        return ids
    head = (cols["pitch"] * 16 + cols["channel"]) * 128 + cols["velocity"]
    return (head << 45) | (start << 22) | dur


def _walk(
    order: Sequence[str],
    graph: CommitGraph,
    objects: dict[str, int],
    notes: _Notes,
    final_keys: Ints,
    at: str,
) -> Ints:
    """For each final note, the index (in ``order``) of the commit that introduced it."""
    owner = np.full(len(final_keys), -1, dtype=np.int64)
    pending: dict[str, list[Ints]] = {at: [np.arange(len(final_keys), dtype=np.int64)]}
    for pos, cid in enumerate(order):
        chunks = pending.pop(cid, None)
        if not chunks:
            continue
        idx = chunks[0] if len(chunks) == 1 else np.unique(np.concatenate(chunks))
        mine = objects.get(cid)
        for parent in graph.parents.get(cid, ()):
            if not len(idx):
                break
            theirs = objects.get(parent)
            if theirs is None:
                continue
            if theirs == mine:
                pending.setdefault(parent, []).append(idx)
                idx = idx[:0]
                break
            keyset = notes.keyset(theirs)
            probe = final_keys[idx]
            at_pos = np.clip(np.searchsorted(keyset, probe), 0, max(len(keyset) - 1, 0))
            present = (keyset[at_pos] == probe) if len(keyset) else np.zeros(len(idx), bool)
            if present.any():
                pending.setdefault(parent, []).append(idx[present])
                idx = idx[~present]
        owner[idx] = pos
    return owner


def _phrases(
    conn: Connection,
    commits: Sequence[Commit],
    index: Ints,
    regions: Sequence[str],
    notes: NoteArray,
) -> tuple[str | None, ...]:
    out: list[str | None] = [None] * len(notes)
    with_phrases = [c.commit_id for c in commits if c.variation_id is not None]
    if not with_phrases:
        return tuple(out)
    rows = conn.execute(
        "SELECT commit_id, phrase_id, region_id, start_beat, end_beat FROM commit_phrases "
        "WHERE commit_id IN (SELECT unnest(?::VARCHAR[])) AND accepted",
        [with_phrases],
    ).fetchall()
    if not rows:
        return tuple(out)
    position = {c.commit_id: i for i, c in enumerate(commits)}
    region_arr = np.array(regions, dtype=object)
    starts = notes.start_beat
    for cid, pid, rid, start, end in rows:
        mask = (index == position[cid]) & (region_arr == rid) & (starts >= start) & (starts < end)
        for i in np.flatnonzero(mask).tolist():
            out[i] = str(pid)
    return tuple(out)


# ------------------------------------------------------------------ history
def history(conn: Connection, project_id: str, at: str, name: str) -> list[RegionVersion]:
    """Every version of the regions ``name`` resolves to, oldest first."""
    graph = CommitGraph.load(conn, project_id)
    head = load_commit(conn, at)
    assert head is not None
    ancestry = graph.ancestors(at)
    rows = conn.execute(
        "SELECT c.commit_id, r.region_id, r.track_id, r.name, r.start_tick, r.duration_ticks, "
        "o.object_id, o.n_notes FROM commits c "
        "JOIN snapshot_regions r ON r.snapshot_key = c.snapshot_key "
        "JOIN region_objects o ON o.object_key = r.object_key "
        "WHERE c.project_id = ? AND (r.region_id = ? "
        "OR lower(regexp_replace(trim(r.name), '\\s+', ' ', 'g')) = ? OR r.track_id = ?)",
        [project_id, name, _section_key(name), name],
    ).fetchall()
    exact = any(r[1] == name for r in rows)
    by_commit: dict[str, dict[str, _Placed]] = {}
    for cid, rid, tid, rname, start, dur, oid, n in rows:
        if cid not in ancestry or (exact and rid != name):
            continue
        placed = _Placed(str(tid), str(rname), int(start), int(dur), str(oid), int(n))
        by_commit.setdefault(str(cid), {})[str(rid)] = placed
    if not by_commit:
        raise UnknownRegionError(name, at, _names_at(conn, head.snapshot_id))
    region_ids = sorted({rid for per in by_commit.values() for rid in per})
    changes: list[tuple[str, str, _Placed | None, _Placed | None]] = []
    for cid in graph.topo_order(ancestry):
        now = by_commit.get(cid, {})
        parents = graph.parents.get(cid, ())
        before = by_commit.get(parents[0], {}) if parents else {}
        for rid in region_ids:
            new, old = now.get(rid), before.get(rid)
            if new == old:
                continue
            if parents[1:] and new == by_commit.get(parents[1], {}).get(rid):
                continue  # a merge taking the other branch's version: not a new version
            changes.append((cid, rid, new, old))
    commits = load_commits_by_id(conn, sorted({c[0] for c in changes}))
    return [_version(commits[cid], rid, new, old) for cid, rid, new, old in changes]


@dataclass(frozen=True)
class _Placed:
    track_id: str
    name: str
    start: int
    duration: int
    object_id: str
    n_notes: int

    def same_place(self, other: _Placed) -> bool:
        return (self.track_id, self.name, self.start, self.duration) == (
            other.track_id,
            other.name,
            other.start,
            other.duration,
        )


def _version(commit: Commit, rid: str, new: _Placed | None, old: _Placed | None) -> RegionVersion:
    if new is None:
        return RegionVersion(commit, rid, "removed", None, None, None, None, None, 0)
    change: ChangeKind = "added"
    if old is not None:
        moved = not old.same_place(new)
        changed = old.object_id != new.object_id
        change = "moved+modified" if moved and changed else ("moved" if moved else "modified")
    return RegionVersion(
        commit=commit,
        region_id=rid,
        change=change,
        object_id=new.object_id,
        track_id=new.track_id,
        name=new.name,
        start_beat=new.start / TPQ,
        duration_beats=new.duration / TPQ,
        n_notes=new.n_notes,
    )


def resolve_target(conn: Connection, snapshot_id: str, target: str, at: str) -> tuple[str, ...]:
    """Region ids a blame target names: a region id, else a track id, else a section name."""
    rows = conn.execute(
        "SELECT r.region_id, r.track_id, r.name FROM snapshots s "
        "JOIN snapshot_regions r ON r.snapshot_key = s.snapshot_key WHERE s.snapshot_id = ? "
        "ORDER BY r.start_tick, r.region_id",
        [snapshot_id],
    ).fetchall()
    for test in (
        lambda r: r[0] == target,
        lambda r: r[1] == target,
        lambda r: _section_key(str(r[2])) == _section_key(target),
    ):
        found = tuple(str(r[0]) for r in rows if test(r))
        if found:
            return found
    raise UnknownRegionError(target, at, [str(r[0]) for r in rows])


def _section_key(name: str) -> str:
    """A section name as the project model compares them: trimmed, single spaces, lower case."""
    return " ".join(name.split()).lower()


def _names_at(conn: Connection, snapshot_id: str) -> list[str]:
    rows = conn.execute(
        "SELECT r.region_id FROM snapshots s JOIN snapshot_regions r "
        "ON r.snapshot_key = s.snapshot_key WHERE s.snapshot_id = ? ORDER BY r.region_id",
        [snapshot_id],
    ).fetchall()
    return [str(r[0]) for r in rows]
