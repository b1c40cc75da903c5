"""Reference corpora cached in the Muse DuckDB file, with their provenance.

Building a reference set from music21's corpus parses hundreds of files;
the ``"references"`` schema component keeps the result beside history and
telemetry so it is built once per file:

``reference_corpora``
    One row per cached (corpus, limit): the provenance JSON (package and
    version, piece count, SHA-256 over every source file's digest) and when
    it was stored.
``reference_pieces``
    One row per piece: its position, name, source file and that file's
    SHA-256, the time signature, and the notes as list columns (pitch,
    velocity, start and duration in beats, and the part each note belongs to).

Example
-------
>>> from storpheus.evaluation import reference_corpus
>>> corpus = reference_corpus("bach-chorales", limit=2)          # doctest: +SKIP
>>> store_reference_corpus(":memory:", corpus)                   # doctest: +SKIP
>>> load_reference_corpus(":memory:", "bach-chorales", 2)        # doctest: +SKIP
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from typing import Final

import numpy as np
import pyarrow as pa

from muse_duckdb.storage.database import Connection, Database
from muse_duckdb.storage.schema import MUSE_SCHEMA, Migration, SchemaComponent
from muse_duckdb.telemetry.schema import TELEMETRY_SCHEMA
from storpheus.evaluation.corpora import ReferenceCorpus, ReferencePiece
from storpheus.notes import NoteArray
from storpheus.score import Score, TimeSignature, Track

_V1: Final = (
    """CREATE TABLE reference_corpora (
        corpus VARCHAR NOT NULL,
        piece_limit INTEGER NOT NULL,
        provenance VARCHAR NOT NULL,
        stored_at TIMESTAMP NOT NULL,
        PRIMARY KEY (corpus, piece_limit)
    )""",
    """CREATE TABLE reference_pieces (
        corpus VARCHAR NOT NULL,
        piece_limit INTEGER NOT NULL,
        position INTEGER NOT NULL,
        name VARCHAR NOT NULL,
        source VARCHAR NOT NULL,
        sha256 VARCHAR NOT NULL,
        ts_numerator SMALLINT NOT NULL,
        ts_denominator SMALLINT NOT NULL,
        part UTINYINT[] NOT NULL,
        pitch UTINYINT[] NOT NULL,
        velocity UTINYINT[] NOT NULL,
        start_beat DOUBLE[] NOT NULL,
        duration_beats DOUBLE[] NOT NULL,
        PRIMARY KEY (corpus, piece_limit, position)
    )""",
)

REFERENCES_SCHEMA: Final = SchemaComponent(
    "references", (Migration(1, "reference corpora and their pieces", _V1),)
)
"""The reference corpora's schema component (see the module docstring)."""

Target = str | os.PathLike[str] | Database


def _database(db: Target, *, read_only: bool = False) -> Database:
    if isinstance(db, Database):
        return db
    return Database(
        db, read_only=read_only, components=(MUSE_SCHEMA, TELEMETRY_SCHEMA, REFERENCES_SCHEMA)
    )


def store_reference_corpus(db: Target, corpus: ReferenceCorpus) -> None:
    """Store (or replace) ``corpus`` under its name and ``limit``, in one transaction."""
    limit = int(corpus.provenance.get("limit") or len(corpus))
    rows: dict[str, list[object]] = {
        k: []
        for k in (
            "corpus",
            "piece_limit",
            "position",
            "name",
            "source",
            "sha256",
            "ts_numerator",
            "ts_denominator",
            "part",
            "pitch",
            "velocity",
            "start_beat",
            "duration_beats",
        )
    }
    for position, piece in enumerate(corpus.pieces):
        parts = [np.full(len(t.notes), i, dtype=np.int64) for i, t in enumerate(piece.score.tracks)]
        notes = [t.notes for t in piece.score.tracks]
        values = {
            "corpus": corpus.name,
            "piece_limit": limit,
            "position": position,
            "name": piece.name,
            "source": piece.source,
            "sha256": piece.sha256,
            "ts_numerator": piece.score.time_signature.numerator,
            "ts_denominator": piece.score.time_signature.denominator,
            "part": np.concatenate(parts).tolist(),
            "pitch": np.concatenate([n.pitch for n in notes]).tolist(),
            "velocity": np.concatenate([n.velocity for n in notes]).tolist(),
            "start_beat": np.concatenate([n.start_beat for n in notes]).tolist(),
            "duration_beats": np.concatenate([n.duration_beats for n in notes]).tolist(),
        }
        for key, value in values.items():
            rows[key].append(value)
    table = pa.table(rows)
    stored = datetime.now(UTC).replace(tzinfo=None)
    with _database(db).write("store a reference corpus") as conn:
        conn.execute(
            "DELETE FROM reference_pieces WHERE corpus = ? AND piece_limit = ?",
            [corpus.name, limit],
        )
        conn.execute(
            "DELETE FROM reference_corpora WHERE corpus = ? AND piece_limit = ?",
            [corpus.name, limit],
        )
        conn.execute(
            "INSERT INTO reference_corpora VALUES (?, ?, ?, ?)",
            [corpus.name, limit, json.dumps(corpus.provenance, sort_keys=True), stored],
        )
        if len(corpus.pieces):
            conn.register("_pieces", table)
            try:
                conn.execute(
                    "INSERT INTO reference_pieces BY NAME SELECT * REPLACE ("
                    "part::UTINYINT[] AS part, pitch::UTINYINT[] AS pitch, "
                    "velocity::UTINYINT[] AS velocity) FROM _pieces"
                )
            finally:
                conn.unregister("_pieces")


def load_reference_corpus(db: Target, name: str, limit: int) -> ReferenceCorpus | None:
    """The cached corpus ``name`` of ``limit`` pieces, or ``None`` if it is not stored."""
    database = _database(db)
    with database.read() as conn:
        if not _has_tables(conn):
            return None
        head = conn.execute(
            "SELECT provenance FROM reference_corpora WHERE corpus = ? AND piece_limit = ?",
            [name, limit],
        ).fetchone()
        if head is None:
            return None
        rows = conn.execute(
            "SELECT name, source, sha256, ts_numerator, ts_denominator, part, pitch, velocity, "
            "start_beat, duration_beats FROM reference_pieces "
            "WHERE corpus = ? AND piece_limit = ? ORDER BY position",
            [name, limit],
        ).fetchall()
    pieces = []
    for piece, source, sha, num, den, part, pitch, velocity, start, duration in rows:
        part_a = np.asarray(part, dtype=np.int64)
        tracks = []
        for index in range(int(part_a.max()) + 1 if part_a.size else 0):
            mask = part_a == index
            notes = NoteArray(
                np.asarray(pitch)[mask],
                np.asarray(velocity)[mask],
                np.asarray(start, dtype=np.float64)[mask],
                np.asarray(duration, dtype=np.float64)[mask],
            )
            tracks.append(Track(f"part {index + 1}", notes))
        score = Score(tuple(tracks), time_signature=TimeSignature(int(num), int(den)))
        pieces.append(ReferencePiece(str(piece), str(source), str(sha), score))
    provenance = json.loads(str(head[0]))
    return ReferenceCorpus(name, tuple(pieces), dict(provenance))


def _has_tables(conn: Connection) -> bool:
    found = conn.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'reference_corpora'"
    ).fetchone()
    return bool(found and found[0])


__all__ = ["REFERENCES_SCHEMA", "load_reference_corpus", "store_reference_corpus"]
