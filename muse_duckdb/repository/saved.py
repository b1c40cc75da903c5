"""Variations kept in the database between processes: the ``muse variations`` commands.

:meth:`~muse_duckdb.Repository.propose` stages a variation in memory, for a
session that proposes and reviews in one process. From the command line
each step is a separate process, so :class:`SavedVariations` stores what a
variation is made of - its base commit, the proposed state (a snapshot,
content-addressed like every other) and its intent - in the ``variations``
table, and rebuilds the variation's phrases from the two states when it is
shown or accepted. Phrase ids derive from the variation id, so they are the
same every time.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from muse_duckdb.errors import StaleBaseError, VariationNotFoundError, VariationStateError
from muse_duckdb.history import refs
from muse_duckdb.model.commit import Commit, JSONValue
from muse_duckdb.project import ProjectState
from muse_duckdb.repository.context import ProjectContext, StateLike
from muse_duckdb.repository.staging import StagingService
from muse_duckdb.storage.batch import Batch
from muse_duckdb.storage.snapshots import load_snapshot
from muse_duckdb.variations.model import Variation, VariationStore
from muse_duckdb.variations.phrasing import variation_from_states

SavedStatus = Literal["ready", "committed", "discarded"]


@dataclass(frozen=True)
class SavedVariation:
    """One row of the ``variations`` table."""

    variation_id: str
    base_commit_id: str | None
    proposed_snapshot_id: str
    intent: str
    explanation: str | None
    phrase_bars: int | None
    status: SavedStatus
    created_at_us: int
    commit_id: str | None

    def to_dict(self) -> dict[str, JSONValue]:
        """JSON-ready dict (camelCase)."""
        return {
            "variationId": self.variation_id,
            "baseCommitId": self.base_commit_id,
            "proposedSnapshotId": self.proposed_snapshot_id,
            "intent": self.intent,
            "explanation": self.explanation,
            "phraseBars": self.phrase_bars,
            "status": self.status,
            "createdAt": self.created_at_us,
            "commitId": self.commit_id,
        }


_COLUMNS = (
    "variation_id, base_commit_id, proposed_snapshot_id, intent, explanation, phrase_bars, "
    "status, created_at, commit_id"
)


class SavedVariations:
    """Propose, list, show, accept (all phrases or some) and discard stored variations."""

    def __init__(self, context: ProjectContext, staging: StagingService) -> None:
        self.context = context
        self.staging = staging

    def propose(
        self,
        proposed: StateLike,
        intent: str,
        *,
        explanation: str | None = None,
        phrase_bars: int | None = None,
    ) -> Variation:
        """Store ``proposed`` as a variation against HEAD and return it (READY, with phrases)."""
        if not isinstance(intent, str) or not intent.strip():
            raise VariationStateError("(new)", "none", "propose", "a non-empty intent")
        vid = str(uuid.uuid4())
        project = self.context.project_id
        with self.context.writing("propose a variation") as conn:
            head = refs.read_head(conn, project)
            base = self.context.load(conn, head.commit_id)
            state = self.context.as_state(conn, proposed, None, head.commit_id)
            batch = Batch(conn)
            batch.add_snapshot(state, None)
            batch.flush()
            now = self.context.now(None)
            conn.execute(
                "INSERT INTO variations VALUES (?, ?, ?, ?, ?, ?, ?, 'ready', ?, ?, NULL)",
                [vid, project, head.commit_id, state.snapshot_id, intent.strip(), explanation,
                 phrase_bars, now, now],
            )  # fmt: skip
        return self._build(vid, base, state, head.commit_id, intent.strip(), explanation,
                           phrase_bars)  # fmt: skip

    def list(self, *, status: SavedStatus | None = None) -> list[SavedVariation]:
        """Saved variations of the project, oldest first (``status`` filters)."""
        with self.context.database.read() as conn:
            rows = conn.execute(
                f"SELECT {_COLUMNS} FROM variations WHERE project_id = ? "
                "AND (? IS NULL OR status = ?) ORDER BY created_at, variation_id",
                [self.context.project_id, status, status],
            ).fetchall()
        return [_row(r) for r in rows]

    def get(self, variation_id: str) -> SavedVariation:
        """One saved variation (:class:`VariationNotFoundError` if there is none)."""
        with self.context.database.read() as conn:
            return self._get(conn, variation_id)

    def load(self, variation_id: str) -> Variation:
        """The variation with its phrases, rebuilt from the stored states."""
        with self.context.database.read() as conn:
            saved = self._get(conn, variation_id)
            base = self.context.load(conn, saved.base_commit_id)
            proposed = load_snapshot(conn, saved.proposed_snapshot_id)
        return self._build(saved.variation_id, base, proposed, saved.base_commit_id,
                           saved.intent, saved.explanation, saved.phrase_bars)  # fmt: skip

    def accept(
        self,
        variation_id: str,
        phrase_ids: Sequence[str] | None = None,
        *,
        author: str = "muse",
        metadata: Mapping[str, object] | None = None,
    ) -> Commit:
        """Commit the variation's structural changes and its phrases (all, or ``phrase_ids``).

        Raises
        ------
        StaleBaseError
            HEAD moved since the variation was proposed.
        VariationStateError
            It was already committed or discarded.
        PhraseNotFoundError
            A phrase id names no phrase of it.
        """
        saved = self.get(variation_id)
        _ready(saved, "accept")
        with self.context.database.read() as conn:
            head = refs.read_head(conn, self.context.project_id)
        if head.commit_id != saved.base_commit_id:
            raise StaleBaseError(variation_id, saved.base_commit_id, head.commit_id)
        store = self.staging.variations
        try:
            store.get(variation_id)
        except VariationNotFoundError:
            store.adopt(self.load(variation_id))
        candidate = self.staging.prepare_variation(
            variation_id, phrase_ids, author=author, metadata=metadata
        )
        commit = self.staging.record(candidate)
        # A second transaction: if the process dies in between, the variation stays
        # "ready" and accepting it again is refused because HEAD moved (StaleBaseError).
        self._set(variation_id, "committed", commit.commit_id)
        return commit

    def discard(self, variation_id: str) -> None:
        """Discard a saved variation (nothing is committed; idempotent)."""
        saved = self.get(variation_id)
        if saved.status == "discarded":
            return
        _ready(saved, "discard")
        self._set(variation_id, "discarded", None)

    # ------------------------------------------------------------ helpers
    def _get(self, conn: object, variation_id: str) -> SavedVariation:
        import duckdb

        assert isinstance(conn, duckdb.DuckDBPyConnection)
        rows = conn.execute(
            f"SELECT {_COLUMNS} FROM variations WHERE project_id = ? AND variation_id = ?",
            [self.context.project_id, variation_id],
        ).fetchall()
        if not rows:
            raise VariationNotFoundError(variation_id)
        return _row(rows[0])

    def _set(self, variation_id: str, status: SavedStatus, commit_id: str | None) -> None:
        with self.context.writing(f"mark a variation {status}") as conn:
            conn.execute(
                "UPDATE variations SET status = ?, commit_id = ?, updated_at = ? "
                "WHERE project_id = ? AND variation_id = ?",
                [status, commit_id, self.context.now(None), self.context.project_id,
                 variation_id],
            )  # fmt: skip

    def _build(
        self,
        variation_id: str,
        base: ProjectState,
        proposed: ProjectState,
        base_commit_id: str | None,
        intent: str,
        explanation: str | None,
        phrase_bars: int | None,
    ) -> Variation:
        store = VariationStore(clock=self.context.clock)
        return variation_from_states(store, base, proposed, intent, base_commit_id,
                                     explanation, phrase_bars, variation_id)  # fmt: skip


def _ready(saved: SavedVariation, action: str) -> None:
    if saved.status != "ready":
        raise VariationStateError(saved.variation_id, saved.status, action, "ready")


def _row(row: tuple[object, ...]) -> SavedVariation:
    vid, base, snap, intent, expl, bars, status, created, commit = row
    assert status in ("ready", "committed", "discarded")
    return SavedVariation(
        str(vid),
        None if base is None else str(base),
        str(snap),
        str(intent),
        None if expl is None else str(expl),
        None if bars is None else int(str(bars)),
        status,
        int(str(created)),
        None if commit is None else str(commit),
    )
