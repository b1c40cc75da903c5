"""Typed exceptions raised by Muse.

Every error names what is wrong and where: the offending ref, path, id or
value is kept as an attribute and repeated in the message. All inherit from
:class:`MuseError`, so ``except MuseError`` catches everything Muse raises on
purpose. Errors about bad values also subclass :class:`ValueError`; errors
about a key that does not exist also subclass :class:`LookupError`.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from muse_duckdb.merge.conflicts import Conflict
    from storpheus.project.errors import ProjectStateError as ProjectStateError


class MuseError(Exception):
    """Base class of every error Muse raises on purpose."""


# ----------------------------------------------------------------- database
class NotARepositoryError(MuseError):
    """The file is not a Muse database: missing, corrupt, or foreign.

    Attributes
    ----------
    path:
        The database file.
    reason:
        What is wrong with it, in plain words.
    """

    def __init__(self, path: str | os.PathLike[str], reason: str) -> None:
        self.path = Path(path)
        self.reason = reason
        super().__init__(f"{self.path}: not a Muse repository: {reason}")


class StorageError(MuseError):
    """Reading or writing the database file failed: damaged, disk full, I/O error.

    Nothing half-written is kept: the operation's transaction is rolled back.

    Attributes
    ----------
    path:
        The database file.
    reason:
        What failed, in plain words (DuckDB's message included).
    """

    def __init__(self, path: str | os.PathLike[str], reason: str) -> None:
        self.path = Path(path)
        self.reason = reason
        super().__init__(f"{self.path}: storage failure: {reason}")


class CorruptRepositoryError(NotARepositoryError, StorageError):
    """The file is a DuckDB database, but reading it failed (truncated, damaged)."""

    def __init__(self, path: str | os.PathLike[str], reason: str) -> None:
        self.path = Path(path)
        self.reason = reason
        Exception.__init__(self, f"{self.path}: damaged Muse repository: {reason}")


class InvalidDatabasePathError(NotARepositoryError):
    """The database path is not a local file (``http://``, ``s3://``, ``md:``...).

    Muse opens local files only, so DuckDB never reaches for the network or
    loads an extension to read one.
    """


class InputFileError(MuseError, ValueError):
    """A file given to read is not a regular file, or is too large.

    Attributes
    ----------
    path:
        The file.
    reason:
        What is wrong with it.
    """

    def __init__(self, path: str | os.PathLike[str], reason: str) -> None:
        self.path = Path(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")


class SchemaVersionError(MuseError):
    """The database schema is newer than this version of Muse understands.

    Attributes
    ----------
    path:
        The database file.
    component:
        The schema component (``"muse"``, ``"telemetry"``...).
    found, supported:
        The version in the file and the newest version this code knows.
    """

    def __init__(self, path: str, component: str, found: int, supported: int) -> None:
        self.path = path
        self.component = component
        self.found = found
        self.supported = supported
        super().__init__(
            f"{path}: schema {component!r} is at version {found}, but this version of Muse "
            f"supports up to {supported}; upgrade maestro-lab to open it"
        )


class RepositoryLockedError(MuseError):
    """Another process holds the database open for writing.

    DuckDB allows one writing process per file. Muse keeps connections
    short-lived, so this only happens while another process is inside a
    write (or holds a :meth:`~muse_duckdb.Repository.session`).

    Attributes
    ----------
    path:
        The database file.
    holder:
        The lock holder as DuckDB reports it (program and PID), or ``None``.
    pid:
        The holder's process id when known.
    """

    def __init__(self, path: str, holder: str | None, pid: int | None, waited: float) -> None:
        self.path = path
        self.holder = holder
        self.pid = pid
        self.waited = waited
        who = holder or "another process"
        super().__init__(
            f"{path}: database is locked by {who}; waited {waited:.1f} s. DuckDB allows one "
            "writing process per file: close the other session or retry when it is done"
        )


class ReadOnlyRepositoryError(MuseError):
    """A write was attempted on a repository opened read-only."""

    def __init__(self, path: str, operation: str) -> None:
        self.path = path
        self.operation = operation
        super().__init__(f"{path}: opened read-only; cannot {operation}")


class FileInUseError(MuseError):
    """The file is open in this process through another DuckDB instance.

    Raised by :func:`muse_duckdb.storage.engine.attach` (the caller's own
    ``duckdb.connect`` holds the file, or the engine holds it read-only
    while a write is asked for); :class:`~muse_duckdb.storage.database.Database`
    then opens the file with ``duckdb.connect`` instead.
    """


class IntegrityError(MuseError):
    """The integrity check found missing or inconsistent objects.

    Attributes
    ----------
    problems:
        One line per problem, naming the object and what is wrong.
    """

    def __init__(self, path: str, problems: Sequence[str]) -> None:
        self.path = path
        self.problems = tuple(problems)
        shown = "; ".join(self.problems[:5])
        more = f" (and {len(self.problems) - 5} more)" if len(self.problems) > 5 else ""
        super().__init__(f"{path}: integrity check failed: {shown}{more}")


# --------------------------------------------------------------------- refs
class RefError(MuseError):
    """Base class of errors about refs (branches, tags, commit ids)."""


class BranchNotMergedError(RefError):
    """Deleting a branch would lose commits no other branch or tag reaches.

    Attributes
    ----------
    name:
        The branch.
    commit_id:
        Its tip.
    unmerged:
        How many of its commits only it reaches.
    """

    def __init__(self, name: str, commit_id: str, unmerged: int) -> None:
        self.name = name
        self.commit_id = commit_id
        self.unmerged = unmerged
        super().__init__(
            f"branch {name!r} is not merged: {unmerged} commit(s) up to {commit_id[:12]} are "
            "reachable from no other branch, tag or HEAD; merge it first, or delete it anyway "
            "with `muse branch -D` (force=True)"
        )


class RefNotFoundError(RefError, LookupError):
    """A ref names no branch, tag or commit of the project.

    Attributes
    ----------
    ref:
        The ref as given.
    suggestions:
        Similar branch or tag names, if any.
    """

    def __init__(
        self, ref: str, project: str, suggestions: Sequence[str] = (), reason: str | None = None
    ) -> None:
        self.ref = ref
        self.project = project
        self.suggestions = tuple(suggestions)
        hint = f"; did you mean {', '.join(map(repr, self.suggestions))}?" if suggestions else ""
        why = f": {reason}" if reason else ""
        super().__init__(f"unknown ref {ref!r} in project {project!r}{why}{hint}")

    def __str__(self) -> str:  # LookupError would quote the message otherwise
        return str(self.args[0])


class AmbiguousRefError(RefError, LookupError):
    """A commit id prefix (or name) matches more than one commit.

    Attributes
    ----------
    ref:
        The ref as given.
    candidates:
        The matching commit ids (or qualified names).
    """

    def __init__(self, ref: str, candidates: Sequence[str]) -> None:
        self.ref = ref
        self.candidates = tuple(candidates)
        shown = ", ".join(c[:12] for c in self.candidates[:6])
        super().__init__(
            f"ambiguous ref {ref!r}: matches {len(self.candidates)} commits ({shown}); "
            "give more characters"
        )

    def __str__(self) -> str:
        return str(self.args[0])


class InvalidRefNameError(RefError, ValueError):
    """A branch or tag name is not allowed (see :func:`muse_duckdb.history.refs.check_ref_name`)."""

    def __init__(self, name: str, reason: str) -> None:
        self.name = name
        self.reason = reason
        super().__init__(f"invalid ref name {name!r}: {reason}")


class RefExistsError(RefError, ValueError):
    """A branch or tag of that name already exists."""

    def __init__(self, kind: str, name: str, commit_id: str) -> None:
        self.kind = kind
        self.name = name
        self.commit_id = commit_id
        super().__init__(f"{kind} {name!r} already exists (at {commit_id[:12]})")


class NoCommitsError(RefError, LookupError):
    """The operation needs a commit, but the branch (or project) has none yet."""

    def __init__(self, project: str, branch: str | None) -> None:
        self.project = project
        self.branch = branch
        on = f" on branch {branch!r}" if branch else ""
        super().__init__(f"project {project!r} has no commits yet{on}")

    def __str__(self) -> str:
        return str(self.args[0])


# -------------------------------------------------------------------- state
def __getattr__(name: str) -> object:
    """``ProjectStateError``: the project model's own error, loaded when first asked for.

    (:class:`storpheus.project.errors.ProjectStateError`, a ``ValueError``,
    raised by the model wherever a state is built.) Loading it lazily keeps
    ``import muse_duckdb.errors`` - done by every ``muse`` start - free of
    the project model and its numpy and pandas.
    """
    if name == "ProjectStateError":
        from storpheus.project.errors import ProjectStateError

        globals()[name] = ProjectStateError
        return ProjectStateError
    raise AttributeError(f"module 'muse_duckdb.errors' has no attribute {name!r}")


class DirtyWorkingTreeError(MuseError):
    """Checkout refused: the working state differs from HEAD (use ``force=True``).

    Attributes
    ----------
    head:
        The HEAD commit id.
    changed:
        What differs: region ids and property paths.
    """

    def __init__(self, head: str | None, changed: Sequence[str]) -> None:
        self.head = head
        self.changed = tuple(changed)
        shown = ", ".join(self.changed[:8])
        more = f" and {len(self.changed) - 8} more" if len(self.changed) > 8 else ""
        super().__init__(
            f"working state has uncommitted changes ({shown}{more}); commit them or pass "
            "force=True (--force) to discard them"
        )


# -------------------------------------------------------------------- merge
class UnrelatedHistoriesError(MuseError):
    """The two commits share no ancestor, so there is no base to merge from."""

    def __init__(self, ours: str, theirs: str) -> None:
        self.ours = ours
        self.theirs = theirs
        super().__init__(
            f"refusing to merge unrelated histories: {ours[:12]} and {theirs[:12]} "
            "have no common ancestor"
        )


class MergeConflictError(MuseError):
    """A merge (or revert / cherry-pick) has conflicts; nothing was committed.

    Attributes
    ----------
    conflicts:
        Every conflict, each with its location (:class:`muse_duckdb.merge.conflicts.Conflict`).
    ours, theirs, base:
        The commits involved.
    """

    def __init__(
        self, conflicts: Sequence[Conflict], ours: str, theirs: str, base: str | None
    ) -> None:
        self.conflicts = tuple(conflicts)
        self.ours = ours
        self.theirs = theirs
        self.base = base
        lines = "; ".join(str(c) for c in self.conflicts[:5])
        more = f" (and {len(self.conflicts) - 5} more)" if len(self.conflicts) > 5 else ""
        super().__init__(
            f"merge of {theirs[:12]} into {ours[:12]} has {len(self.conflicts)} conflict(s): "
            f"{lines}{more}; resolve with strategy='ours' or 'theirs'"
        )


# --------------------------------------------------------------- variations
class VariationError(MuseError):
    """Base class of errors of the variation (staging) protocol."""


class VariationNotFoundError(VariationError, LookupError):
    """No variation with that id exists in this store."""

    def __init__(self, variation_id: str) -> None:
        self.variation_id = variation_id
        super().__init__(f"unknown variation {variation_id!r}")

    def __str__(self) -> str:
        return str(self.args[0])


class VariationStateError(VariationError):
    """The variation is not in a state that allows the operation."""

    def __init__(self, variation_id: str, state: str, operation: str, allowed: str) -> None:
        self.variation_id = variation_id
        self.state = state
        self.operation = operation
        super().__init__(
            f"variation {variation_id!r} is {state}; cannot {operation} (needs {allowed})"
        )


class PhraseNotFoundError(VariationError, LookupError):
    """Accepted phrase ids name phrases the variation does not have."""

    def __init__(self, variation_id: str, phrase_ids: Sequence[str]) -> None:
        self.variation_id = variation_id
        self.phrase_ids = tuple(phrase_ids)
        super().__init__(f"variation {variation_id!r} has no phrase(s) {list(self.phrase_ids)}")

    def __str__(self) -> str:
        return str(self.args[0])


class StaleBaseError(VariationError):
    """Optimistic concurrency: the variation (or candidate) base is no longer HEAD.

    Attributes
    ----------
    variation_id:
        The variation, or the kind of commit candidate (``"changeset"``).
    base, head:
        The commit it was computed against, and the current HEAD.
    """

    def __init__(self, variation_id: str, base: str | None, head: str | None) -> None:
        self.variation_id = variation_id
        self.base = base
        self.head = head
        super().__init__(
            f"{variation_id!r} was computed against {_short(base)} but HEAD is now "
            f"{_short(head)}; propose it again against the new HEAD"
        )


def _short(commit: str | None) -> str:
    return "an empty project" if commit is None else commit[:12]


class InvalidCommitError(MuseError, ValueError):
    """Commit arguments are invalid (empty message, metadata that is not JSON...).

    Attributes
    ----------
    field:
        The offending argument.
    value:
        Its value, as given.
    """

    def __init__(self, field: str, value: object, reason: str) -> None:
        self.field = field
        self.value = value
        super().__init__(f"{field}={value!r}: {reason}")


class NothingToCommitError(MuseError):
    """The state to commit is identical to HEAD (pass ``allow_empty=True`` to commit anyway)."""

    def __init__(self, snapshot_id: str, head: str) -> None:
        self.snapshot_id = snapshot_id
        self.head = head
        super().__init__(
            f"nothing to commit: the state (snapshot {snapshot_id[:12]}) is identical to HEAD "
            f"({head[:12]}); pass allow_empty=True to record it anyway"
        )


class UnknownRegionError(MuseError, LookupError):
    """No region, track or section of that name exists at the given commit.

    Attributes
    ----------
    name:
        What was asked for.
    available:
        Region ids (and names) that do exist there.
    """

    def __init__(self, name: str, commit: str, available: Sequence[str]) -> None:
        self.name = name
        self.commit = commit
        self.available = tuple(available)
        shown = ", ".join(self.available[:10])
        more = f" and {len(self.available) - 10} more" if len(self.available) > 10 else ""
        super().__init__(
            f"no region, track or section named {name!r} at {commit[:12]}; "
            f"regions are {shown or 'none'}{more}"
        )

    def __str__(self) -> str:
        return str(self.args[0])
