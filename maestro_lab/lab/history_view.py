"""HistoryView: the Muse history of a project — graph, branches, checkout, diff, blame.

Example
-------
>>> view = HistoryView(lab)                          # doctest: +SKIP
>>> view.graph()                                     # the commit DAG, inline  # doctest: +SKIP
>>> view.diff("HEAD~1", "HEAD")                      # added / removed notes   # doctest: +SKIP
>>> view.blame_note("bass", 0)["commit_id"]          # doctest: +SKIP
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from maestro_lab.errors import LabError

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure

    from maestro_lab.lab.facade import Lab, NoteDiff
    from muse_duckdb import CheckoutResult


class HistoryView:
    """Look at and move through the history of the lab's project."""

    def __init__(self, lab: Lab) -> None:
        self.lab = lab
        self.last_diff: NoteDiff | None = None

    def log(self, ref: str = "HEAD", *, limit: int | None = None) -> pd.DataFrame:
        """Commits reachable from ``ref``, newest first."""
        return self.lab.history(ref, limit=limit)

    def branches(self) -> dict[str, str]:
        """Branch name -> tip commit id."""
        return self.lab.branches()

    def head(self) -> tuple[str | None, str | None]:
        """HEAD's branch and commit."""
        return self.lab.head()

    def graph(self, title: str | None = None) -> Figure:
        """The commit DAG with branch names at the tips and HEAD ringed."""
        from maestro_lab.viz.history import plot_commit_dag

        commits, head = self.lab.graph()
        tags = self.lab.repository().tags()
        return plot_commit_dag(commits, self.branches(), head=head, tags=tags, title=title)

    def checkout(self, ref: str, *, force: bool = False) -> CheckoutResult:
        """Move HEAD to ``ref`` (a branch name attaches HEAD to it)."""
        return self.lab.checkout(ref, force=force)

    def diff(self, a: str = "HEAD~1", b: str = "HEAD") -> NoteDiff:
        """Notes added, removed and unchanged from ``a`` to ``b``."""
        self.last_diff = self.lab.diff_notes(a, b)
        return self.last_diff

    def diff_pianoroll(self, a: str = "HEAD~1", b: str = "HEAD") -> Figure:
        """The diff of two commits as a piano roll: added green, removed red, unchanged grey."""
        from maestro_lab.viz.pianoroll import plot_note_diff

        d = self.diff(a, b)
        score = self.lab.score(d.after)
        return plot_note_diff(
            d.added,
            d.removed,
            d.unchanged,
            beats_per_bar=score.beats_per_bar,
            title=(
                f"{d.before[:10]} → {d.after[:10]}: {len(d.added)} notes added, "
                f"{len(d.removed)} removed"
            ),
        )

    def blame(self, target: str, at: str = "HEAD") -> pd.DataFrame:
        """One row per note of a region, track or section: the commit that introduced it."""
        return self.lab.blame(target, at).to_pandas()

    def blame_note(self, target: str, index: int, at: str = "HEAD") -> dict[str, object]:
        """The row of note ``index`` (in time order) of ``target``: its commit, author, message."""
        frame = self.blame(target, at)
        if not 0 <= index < len(frame):
            raise LabError(f"{target!r} has {len(frame)} notes at {at}; no note {index}")
        return {str(k): v for k, v in frame.iloc[index].to_dict().items()}

    def versions(self, name: str, at: str = "HEAD") -> pd.DataFrame:
        """Every version of a region, track or section, oldest first."""
        return self.lab.versions(name, at)


__all__ = ["HistoryView"]
