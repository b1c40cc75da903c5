"""The staging protocol on a repository: variations and commit candidates.

Part of :class:`~muse_duckdb.Repository`: propose a variation against HEAD,
accept some or all of its phrases, or apply a structural change set; either
way a :class:`~muse_duckdb.variations.candidate.CommitCandidate` is prepared, then
recorded with an optimistic check that HEAD has not moved.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from muse_duckdb.errors import StaleBaseError, VariationStateError
from muse_duckdb.history import refs
from muse_duckdb.model.commit import Commit
from muse_duckdb.project import ProjectState
from muse_duckdb.repository.context import ProjectContext, StateLike
from muse_duckdb.storage.append import CommitFields
from muse_duckdb.variations.candidate import CommitCandidate
from muse_duckdb.variations.changes import ChangeSet

if TYPE_CHECKING:
    from muse_duckdb.variations import Variation, VariationStore


class StagingService:
    """Variations (reviewed content) and change sets (auto-accepted structure)."""

    def __init__(self, context: ProjectContext) -> None:
        self.context = context
        self._variations: VariationStore | None = None

    @property
    def variations(self) -> VariationStore:
        """The staging area: variations proposed against HEAD (in memory)."""
        if self._variations is None:
            from muse_duckdb.variations import VariationStore

            self._variations = VariationStore(clock=self.context.clock)
        return self._variations

    def propose(
        self,
        proposed: StateLike,
        intent: str,
        *,
        explanation: str | None = None,
        phrase_bars: int | None = None,
    ) -> Variation:
        """Stage the difference between HEAD and ``proposed`` as a READY variation of phrases."""
        from muse_duckdb.variations import variation_from_states

        with self.context.database.read() as conn:
            head = refs.read_head(conn, self.context.project_id)
            base = self.context.load(conn, head.commit_id) if head.commit_id else ProjectState()
            target = self.context.as_state(conn, proposed, None, head.commit_id)
        return variation_from_states(
            self.variations, base, target, intent, head.commit_id, explanation, phrase_bars
        )

    def commit_variation(
        self,
        variation_id: str,
        accepted_phrase_ids: Sequence[str] | None = None,
        *,
        author: str = "muse",
        metadata: Mapping[str, object] | None = None,
        base: ProjectState | None = None,
    ) -> Commit:
        """Accept a READY variation: apply its structural changes and accepted phrases to HEAD.

        ``accepted_phrase_ids=None`` accepts every phrase; a subset is a
        partial acceptance. The commit records the variation id, the accepted
        phrase ids and a summary of every phrase (accepted or not). Same as
        ``record(prepare_variation(...))``; ``base`` as there.

        Raises
        ------
        StaleBaseError
            HEAD moved since the variation was proposed (optimistic concurrency).
        VariationStateError
            The variation is not READY.
        PhraseNotFoundError
            An accepted id names no phrase of the variation.
        """
        candidate = self.prepare_variation(
            variation_id, accepted_phrase_ids, author=author, metadata=metadata, base=base
        )
        return self.record(candidate)

    def prepare_variation(
        self,
        variation_id: str,
        accepted_phrase_ids: Sequence[str] | None = None,
        *,
        author: str = "muse",
        metadata: Mapping[str, object] | None = None,
        base: ProjectState | None = None,
    ) -> CommitCandidate:
        """The commit candidate of accepting a READY variation (nothing is written).

        ``base`` is the state of the variation's base commit if the caller
        holds it (used when its snapshot id is that commit's, saving reading
        the state back); otherwise it is loaded.
        """
        from muse_duckdb.variations import VariationState, accepted_phrases, apply_phrases

        v = self.variations.get(variation_id)
        if v.state is not VariationState.READY:
            raise VariationStateError(variation_id, v.state.value, "commit", "ready")
        chosen = accepted_phrases(v, accepted_phrase_ids)
        accepted = {p.phrase_id for p in chosen}
        with self.context.database.read() as conn:
            head = refs.read_head(conn, self.context.project_id)
            if head.commit_id != v.base_commit_id:
                raise StaleBaseError(variation_id, v.base_commit_id, head.commit_id)
            if head.commit_id is None:
                base = ProjectState()
            elif (
                base is None
                or base.snapshot_id != self.context.commit(conn, head.commit_id).snapshot_id
            ):
                base = self.context.load(conn, head.commit_id)
        return CommitCandidate(
            parent=v.base_commit_id,
            state=apply_phrases(v.changeset.apply(base), chosen),
            message=v.intent.strip() or f"accept variation {variation_id}",
            author=author,
            explanation=v.explanation,
            variation_id=variation_id,
            accepted_phrase_ids=tuple(p.phrase_id for p in chosen),
            phrases=tuple(p.summary(p.phrase_id in accepted) for p in v.phrases),
            changeset=v.changeset if len(v.changeset) else None,
            metadata=dict(metadata or {}),
        )

    def prepare_changes(
        self,
        changeset: ChangeSet,
        *,
        author: str = "muse",
        message: str | None = None,
        metadata: Mapping[str, object] | None = None,
    ) -> CommitCandidate:
        """The commit candidate of applying a structural change set to HEAD."""
        with self.context.database.read() as conn:
            head = refs.read_head(conn, self.context.project_id)
            base = self.context.load(conn, head.commit_id)
        return CommitCandidate(
            parent=head.commit_id,
            state=changeset.apply(base),
            message=message or changeset.describe(),
            author=author,
            changeset=changeset,
            metadata=dict(metadata or {}),
        )

    def record(self, candidate: CommitCandidate) -> Commit:
        """Persist a commit candidate on HEAD (one transaction).

        Raises
        ------
        StaleBaseError
            HEAD is no longer the candidate's parent.
        """
        fields = CommitFields.build(
            candidate.message,
            author=candidate.author,
            explanation=candidate.explanation,
            variation_id=candidate.variation_id,
            accepted_phrase_ids=candidate.accepted_phrase_ids,
            changeset_json=None if candidate.changeset is None else candidate.changeset.to_json(),
            metadata=candidate.metadata,
            phrases=candidate.phrases,
        )
        with self.context.writing("record a commit") as conn:
            head = refs.read_head(conn, self.context.project_id)
            if head.commit_id != candidate.parent:
                what = candidate.variation_id or candidate.kind
                raise StaleBaseError(what, candidate.parent, head.commit_id)
            parents = (head.commit_id,) if head.commit_id else ()
            commit, _ = self.context.append(conn, candidate.state, parents, fields, None)
            self.context.advance(conn, head.branch, commit, moves_head=True)
        if candidate.variation_id is not None:
            self.variations.mark_committed(candidate.variation_id, commit.commit_id)
        return commit

    def discard_variation(self, variation_id: str) -> None:
        """Discard a variation (idempotent)."""
        self.variations.discard(variation_id)

    def apply(
        self,
        changeset: ChangeSet,
        *,
        author: str = "muse",
        message: str | None = None,
        metadata: Mapping[str, object] | None = None,
    ) -> Commit:
        """Apply a structural change set to HEAD and auto-commit it (no review)."""
        candidate = self.prepare_changes(
            changeset, author=author, message=message, metadata=metadata
        )
        return self.record(candidate)
