"""Commit records: the immutable, content-addressed nodes of Muse history.

A :class:`Commit` records one transition of a project: its parents (none
for a root, two for a merge), the snapshot it leads to, who made it (a
person, an agent role written ``"agent:<role>"``, or ``"muse"``), why
(message = intent, explanation), and provenance (variation id, accepted
phrase ids, a change set for structural edits, and free metadata such as
seed, plan hash, scorer id and run id). Its id hashes all of that together
(:func:`commit_id`), so a commit can never be altered without changing id.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final, Literal

from muse_duckdb.errors import InvalidCommitError
from muse_duckdb.model.digest import canonical_json, json_digest
from storpheus.jsontypes import JSONValue as JSONValue  # the one JSON alias, re-exported

AuthorKind = Literal["person", "agent", "muse"]
MUSE_AUTHOR: Final = "muse"
AGENT_PREFIX: Final = "agent:"


def author_kind(author: str) -> AuthorKind:
    """``"muse"`` -> muse, ``"agent:<role>"`` -> agent, anything else -> person.

    >>> author_kind("agent:bass"), author_kind("ada"), author_kind("muse")
    ('agent', 'person', 'muse')
    """
    if author == MUSE_AUTHOR:
        return "muse"
    if author.startswith(AGENT_PREFIX) and len(author) > len(AGENT_PREFIX):
        return "agent"
    return "person"


def check_author(author: object) -> str:
    """Validate an author string; return it stripped."""
    if not isinstance(author, str) or not author.strip():
        raise InvalidCommitError("author", author, "must be non-empty text")
    if author.strip() == AGENT_PREFIX.rstrip(":") or author.strip() == AGENT_PREFIX:
        raise InvalidCommitError("author", author, "agent authors are written 'agent:<role>'")
    return author.strip()


def metadata_json(metadata: Mapping[str, object] | None) -> str:
    """Canonical JSON of commit metadata; raises if a value is not JSON."""
    if metadata is None:
        return "{}"
    if not isinstance(metadata, Mapping):
        raise InvalidCommitError("metadata", metadata, "must be a mapping of str to JSON values")
    for key, value in metadata.items():
        if not isinstance(key, str):
            raise InvalidCommitError("metadata", key, "keys must be text")
        _check_json(f"metadata[{key!r}]", value)
    return canonical_json(dict(metadata))


def _check_json(where: str, value: object) -> None:
    if value is None or isinstance(value, str | bool | int):
        return
    if isinstance(value, float):
        if not math.isfinite(value):
            raise InvalidCommitError(where, value, "must be a finite number")
        return
    if isinstance(value, list | tuple):
        for i, item in enumerate(value):
            _check_json(f"{where}[{i}]", item)
        return
    if isinstance(value, Mapping):
        for key, item in value.items():
            if not isinstance(key, str):
                raise InvalidCommitError(where, key, "keys must be text")
            _check_json(f"{where}[{key!r}]", item)
        return
    raise InvalidCommitError(where, value, f"{type(value).__name__} is not a JSON value")


@dataclass(frozen=True, slots=True)
class Commit:
    """One commit (immutable).

    Times are kept as integer microseconds since the Unix epoch (UTC);
    :attr:`timestamp` gives POSIX seconds and :attr:`committed_at` an aware
    ``datetime``. Metadata and the change set are kept as canonical JSON text
    and parsed on access.
    """

    commit_id: str
    project_id: str
    parents: tuple[str, ...]
    snapshot_id: str
    generation: int
    committed_at_us: int
    author: str
    message: str
    explanation: str | None = None
    variation_id: str | None = None
    accepted_phrase_ids: tuple[str, ...] = ()
    affected_regions: tuple[str, ...] = ()
    changeset_json: str | None = None
    metadata_json: str = "{}"

    @property
    def short_id(self) -> str:
        """The first 12 hex digits."""
        return self.commit_id[:12]

    @property
    def parent(self) -> str | None:
        """The first parent (``None`` for a root commit)."""
        return self.parents[0] if self.parents else None

    @property
    def parent2(self) -> str | None:
        """The second parent of a merge commit."""
        return self.parents[1] if len(self.parents) > 1 else None

    @property
    def is_merge(self) -> bool:
        """Whether the commit has two parents."""
        return len(self.parents) > 1

    @property
    def author_kind(self) -> AuthorKind:
        """``person``, ``agent`` or ``muse`` (see :func:`author_kind`)."""
        return author_kind(self.author)

    @property
    def timestamp(self) -> float:
        """POSIX seconds."""
        return self.committed_at_us / 1_000_000

    @property
    def committed_at(self) -> datetime:
        """Commit time as an aware UTC datetime."""
        return datetime.fromtimestamp(self.committed_at_us / 1_000_000, tz=UTC)

    @property
    def metadata(self) -> dict[str, JSONValue]:
        """Metadata (seed, plan hash, scorer id, run id...), parsed."""
        value = json.loads(self.metadata_json)
        assert isinstance(value, dict)
        return value

    @property
    def changeset(self) -> list[JSONValue] | None:
        """The structural change set, parsed, if the commit recorded one."""
        if self.changeset_json is None:
            return None
        value = json.loads(self.changeset_json)
        assert isinstance(value, list)
        return value

    def to_dict(self) -> dict[str, JSONValue]:
        """JSON-ready dict (camelCase keys, the wire convention)."""
        return {
            "commitId": self.commit_id,
            "projectId": self.project_id,
            "parents": list(self.parents),
            "snapshotId": self.snapshot_id,
            "generation": self.generation,
            "timestamp": self.timestamp,
            "committedAt": self.committed_at.isoformat(),
            "author": self.author,
            "authorKind": self.author_kind,
            "message": self.message,
            "explanation": self.explanation,
            "variationId": self.variation_id,
            "acceptedPhraseIds": list(self.accepted_phrase_ids),
            "affectedRegions": list(self.affected_regions),
            "changeset": self.changeset,
            "metadata": self.metadata,
        }


def commit_id(
    *,
    project_id: str,
    parents: Sequence[str],
    snapshot_id: str,
    committed_at_us: int,
    author: str,
    message: str,
    explanation: str | None,
    variation_id: str | None,
    accepted_phrase_ids: Sequence[str],
    changeset_json: str | None,
    metadata_json: str,
) -> str:
    """The content id of a commit (every field hashed, parents in order)."""
    doc = {
        "project": project_id,
        "parents": list(parents),
        "snapshot": snapshot_id,
        "time_us": int(committed_at_us),
        "author": author,
        "message": message,
        "explanation": explanation,
        "variation": variation_id,
        "accepted_phrases": list(accepted_phrase_ids),
        "changeset": changeset_json,
        "metadata": metadata_json,
    }
    return json_digest("muse.commit.v1", doc)
