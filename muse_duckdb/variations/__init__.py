"""Variations: the staging protocol (propose, stream phrases, review, commit).

A :class:`Variation` is a reviewed content change set proposed against a
base commit (HEAD when it was proposed). It holds :class:`Phrase` values -
the note changes (added / removed / modified) and controller changes of one
region within a beat span - and moves through the state machine

``CREATED -> STREAMING -> READY -> COMMITTED | DISCARDED | FAILED | EXPIRED``

(:data:`TRANSITIONS`). Committing (:meth:`muse_duckdb.Repository.commit_variation`)
accepts all phrases or some (``accepted_phrase_ids``, partial acceptance),
checks optimistic concurrency (base != HEAD raises
:class:`~muse_duckdb.errors.StaleBaseError`) and records the commit with the
variation id, accepted phrase ids and a summary of every phrase. Discard is
idempotent. Variations live in memory (:class:`VariationStore`): only
accepted work becomes history.

Structural differences in a proposal (new tracks, tempo, region moves) are
kept as the variation's :class:`~muse_duckdb.variations.changes.ChangeSet`; they apply
on commit without review, whatever phrases are accepted.
"""

from muse_duckdb.variations.model import (
    DEFAULT_TTL_US,
    TERMINAL,
    TRANSITIONS,
    Phrase,
    Variation,
    VariationState,
    VariationStore,
)
from muse_duckdb.variations.phrasing import (
    accepted_phrases,
    apply_phrases,
    structural_changes,
    variation_from_states,
)

__all__ = [
    "DEFAULT_TTL_US",
    "TERMINAL",
    "TRANSITIONS",
    "Phrase",
    "Variation",
    "VariationState",
    "VariationStore",
    "accepted_phrases",
    "apply_phrases",
    "structural_changes",
    "variation_from_states",
]
