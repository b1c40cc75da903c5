r"""PromptEditor: edit a prompt, see it parsed and planned as you type, compose when valid.

The controller holds the text and re-validates on every change
(:meth:`PromptEditor.set_text`): each problem names its field
(``Tempo``, ``Key``, ``body`` ...), the parsed fields and the plan's emotion
vector are shown when the prompt is valid. :meth:`PromptEditor.compose`
refuses an invalid prompt (nothing is written) and returns ``None``.

Example
-------
>>> editor = PromptEditor(None, "MAESTRO PROMPT\\nMode: compose\\nTempo: 900")
>>> editor.check.valid, [p.field for p in editor.check.problems]
(False, ['Tempo'])
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from maestro_lab.errors import InvalidMaestroPrompt, MaestroLabError

if TYPE_CHECKING:
    from maestro_lab.lab.facade import Lab
    from maestro_lab.planner import CompositionPlan
    from maestro_lab.prompts import MaestroPrompt
    from maestro_lab.runtime.commit import PendingComposition
    from maestro_lab.runtime.events import MaestroEvent
    from maestro_lab.runtime.results import CompositionResult

_FIELD = re.compile(r"^\s*(?P<field>[A-Za-z][\w .-]{0,40}?)\s*:\s*(?P<message>.+)$", re.S)


@dataclass(frozen=True)
class PromptProblem:
    """One problem of a prompt, with the field it is about (``None``: the prompt as a whole)."""

    field: str | None
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}" if self.field else self.message


@dataclass(frozen=True)
class PromptCheck:
    """The result of validating a prompt text.

    Attributes
    ----------
    text:
        The text checked.
    problems:
        Every problem found (empty when valid).
    fields:
        The parsed fields, as text (mode, style, key, tempo, roles, vibes ...).
    emotion:
        The plan's emotion vector (energy, valence, tension, intimacy, motion).
    plan:
        The plan of a valid prompt.
    """

    text: str
    problems: tuple[PromptProblem, ...] = ()
    fields: dict[str, str] = field(default_factory=dict)
    emotion: dict[str, float] = field(default_factory=dict)
    plan: CompositionPlan | None = None

    @property
    def valid(self) -> bool:
        """No problem and a plan."""
        return not self.problems and self.plan is not None

    def problems_by_field(self) -> dict[str, list[str]]:
        """Field (``"prompt"`` for whole-prompt problems) -> its problems."""
        out: dict[str, list[str]] = {}
        for problem in self.problems:
            out.setdefault(problem.field or "prompt", []).append(problem.message)
        return out


def _problems(exc: BaseException) -> tuple[PromptProblem, ...]:
    if isinstance(exc, InvalidMaestroPrompt):
        out = []
        for detail in exc.details:
            match = _FIELD.match(detail)
            if match:
                out.append(PromptProblem(match["field"].strip(), match["message"].strip()))
            else:
                out.append(PromptProblem(None, detail))
        return tuple(out)
    return (PromptProblem(None, str(exc)),)


def _fields(prompt: MaestroPrompt | None, plan: CompositionPlan) -> dict[str, str]:
    out: dict[str, str] = {}
    if prompt is not None:
        out["mode"] = str(prompt.mode)
        if prompt.request:
            out["request"] = str(prompt.request)
        for name in ("style", "key", "tempo", "energy", "section"):
            value = getattr(prompt, name, None)
            if value not in (None, "", ()):
                out[name] = str(value)
        if prompt.roles:
            out["roles"] = ", ".join(str(r) for r in prompt.roles)
        if prompt.vibes:
            out["vibes"] = ", ".join(str(v) for v in prompt.vibes)
        if prompt.constraints:
            out["constraints"] = ", ".join(f"{k}={v}" for k, v in prompt.constraints.items())
    else:
        out["mode"] = "natural language"
    out["plan"] = (
        f"{plan.style} | {plan.tempo} BPM | {plan.key} | {plan.bars} bars | "
        f"{len(plan.sections)} sections x {len(plan.roles)} roles | "
        f"{plan.num_candidates} candidates"
    )
    return out


def _emotion(plan: CompositionPlan) -> dict[str, float]:
    vector = plan.emotion
    if dataclasses.is_dataclass(vector) and not isinstance(vector, type):
        return {f.name: float(getattr(vector, f.name)) for f in dataclasses.fields(vector)}
    return {}


def check_prompt(
    text: str, *, seed: int | None = None, candidates: int | None = None
) -> PromptCheck:
    """Parse and plan ``text``; every problem is reported, nothing raises for bad input."""
    from maestro_lab.planner import plan
    from maestro_lab.prompts import parse_prompt

    if not text.strip():
        return PromptCheck(text, (PromptProblem(None, "the prompt is empty"),))
    try:
        prompt = parse_prompt(text)
        planned = plan(prompt if prompt is not None else text, seed=seed, num_candidates=candidates)
    except MaestroLabError as exc:
        return PromptCheck(text, _problems(exc))
    if planned.is_empty:
        return PromptCheck(text, (PromptProblem(None, "the prompt plans nothing to compose"),))
    return PromptCheck(text, (), _fields(prompt, planned), _emotion(planned), planned)


class PromptEditor:
    """A prompt being edited: live validation, then compose.

    Parameters
    ----------
    lab:
        Where compositions are committed (``None``: validation only).
    text:
        The starting text.
    seed, candidates:
        Passed to the planner and to :meth:`compose`.
    """

    def __init__(
        self,
        lab: Lab | None,
        text: str = "",
        *,
        seed: int | None = None,
        candidates: int | None = None,
    ) -> None:
        self.lab = lab
        self.seed = seed
        self.candidates = candidates
        self._listeners: list[Callable[[PromptCheck], None]] = []
        self.check = check_prompt(text, seed=seed, candidates=candidates)
        self.result: CompositionResult | None = None

    @property
    def text(self) -> str:
        """The current text."""
        return self.check.text

    def on_change(self, listener: Callable[[PromptCheck], None]) -> None:
        """Call ``listener`` with every new check."""
        self._listeners.append(listener)

    def set_text(self, text: str) -> PromptCheck:
        """Replace the text and re-validate it."""
        if text != self.check.text:
            self.check = check_prompt(text, seed=self.seed, candidates=self.candidates)
            for listener in self._listeners:
                listener(self.check)
        return self.check

    def propose(self) -> PendingComposition | None:
        """Run the prompt and stage its variation for review (nothing committed yet).

        ``None`` (and nothing run) when the prompt is invalid; otherwise accept
        or discard the phrases (e.g. with :class:`~maestro_lab.lab.CandidateBrowser`).
        """
        if not self.check.valid:
            return None
        if self.lab is None:
            raise MaestroLabError("this editor has no Lab to compose into")
        return self.lab.propose(self.text, seed=self.seed, candidates=self.candidates)

    def compose(
        self, progress: Callable[[MaestroEvent], None] | None = None
    ) -> CompositionResult | None:
        """Compose and commit the prompt if it is valid; ``None`` (and nothing written) if not.

        ``progress`` receives every runtime event as it happens (the
        composition then runs in the background while this call follows it).
        """
        if not self.check.valid:
            return None
        if self.lab is None:
            raise MaestroLabError("this editor has no Lab to compose into")
        if progress is None:
            self.result = self.lab.compose(self.text, seed=self.seed, candidates=self.candidates)
            return self.result
        run = self.lab.start(self.text, seed=self.seed, candidates=self.candidates)
        for event in run.events():
            progress(event)
        self.result = run.result()
        return self.result


__all__ = ["PromptCheck", "PromptEditor", "PromptProblem", "check_prompt"]
