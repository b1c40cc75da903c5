"""ComposeProgress: live progress of a composition, folded from its event stream.

Feed it every event (:meth:`ComposeProgress.update`); it keeps the plan's
steps and their status, the generations done out of planned, the last
message and the outcome. Widgets redraw from it; tests drive it with the
events of a real run.

Example
-------
>>> from maestro_lab.runtime.events import StatusEvent
>>> progress = ComposeProgress()
>>> progress.update(StatusEvent(message="drums: verse", seq=0))
>>> progress.message
'drums: verse'
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from maestro_lab.runtime.events import MaestroEvent


@dataclass
class ComposeProgress:
    """What a running composition has done so far.

    Attributes
    ----------
    steps:
        Plan step id -> ``[label, status]`` (pending, active, completed, failed, skipped).
    generations_planned, generations_done:
        Instrument generations expected and finished.
    message:
        The latest human-readable line.
    log:
        Every line so far.
    finished, success:
        The run ended (``complete`` seen) and whether it succeeded.
    commit_id, error:
        The commit made, or what failed.
    """

    steps: dict[str, list[str]] = field(default_factory=dict)
    generations_planned: int = 0
    generations_done: int = 0
    events: int = 0
    message: str = ""
    log: list[str] = field(default_factory=list)
    finished: bool = False
    success: bool | None = None
    commit_id: str | None = None
    error: str | None = None

    @property
    def fraction(self) -> float:
        """Share of the run done, 0-1 (1.0 once finished)."""
        if self.finished:
            return 1.0
        if self.generations_planned:
            return min(0.99, self.generations_done / self.generations_planned)
        return 0.0

    def _say(self, line: str) -> None:
        self.message = line
        self.log.append(line)

    def update(self, event: MaestroEvent) -> None:
        """Fold one event into the progress."""
        self.events += 1
        kind = event.type
        get = event.__dict__.get  # the event's fields by their Python names
        if kind == "plan":
            steps = get("steps") or []
            for step in steps:
                self.steps[str(step.step_id)] = [str(step.label), str(step.status)]
            generating = sum(1 for s in steps if s.tool_name == "stori_generate_midi")
            self.generations_planned = generating or self.generations_planned
            self._say(f"plan: {get('title', '')} ({len(self.steps)} steps)")
        elif kind == "planStepUpdate":
            step_id = str(get("step_id"))
            if step_id in self.steps:
                self.steps[step_id][1] = str(get("status"))
        elif kind == "generatorStart":
            self._say(f"{get('role')}: generating {get('section_name') or get('label')}")
        elif kind == "generatorComplete":
            self.generations_done += 1
            self.generations_planned = max(self.generations_planned, self.generations_done)
            score = get("best_score")
            shown = f", best {score:.3f}" if isinstance(score, float) else ""
            self._say(
                f"{get('role')}: {get('section_name') or ''} done "
                f"({get('candidates')} candidates{shown})"
            )
        elif kind == "status":
            self._say(str(get("message")))
        elif kind == "error":
            self.error = str(get("message"))
            self._say(f"error: {self.error}")
        elif kind == "complete":
            self.finished = True
            self.success = bool(get("success"))
            commit = get("commit_id")
            self.commit_id = commit if isinstance(commit, str) else None
            if not self.success and get("error"):
                self.error = str(get("error"))
            self._say(
                f"committed {str(self.commit_id)[:12]}"
                if self.success
                else f"failed: {self.error or 'unknown error'}"
            )

    def counts(self) -> dict[str, int]:
        """Plan steps per status."""
        out: dict[str, int] = {}
        for _, status in self.steps.values():
            out[status] = out.get(status, 0) + 1
        return out


__all__ = ["ComposeProgress"]
