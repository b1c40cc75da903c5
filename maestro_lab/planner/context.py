"""The planning context: the resolved style, tempo, key, meter and seed of one plan.

Resolution order for each value: the prompt, then the project, then the
style's default; every choice is recorded in ``notes`` so the plan says why.
:meth:`PlanContext.finish` turns the planned parts into a
:class:`CompositionPlan` with its tool calls and explanation.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, TypeVar

from maestro_lab.emotion import emotion_vector, explain_emotion
from maestro_lab.errors import PlanningError
from maestro_lab.planner.execution import ExecutionInputs, build_tool_calls
from maestro_lab.planner.model import (
    CompositionPlan,
    GenerationStep,
    IntentName,
    RolePlan,
    SectionPlan,
)
from maestro_lab.planner.project import ProjectView
from maestro_lab.prompts.base import MaestroPrompt
from maestro_lab.prompts.constraints import CONSTRAINT_KEYS
from maestro_lab.prompts.keys import Key, parse_key
from maestro_lab.tools.registry import get_registry
from maestro_lab.tools.validation import ToolCall, check_tool_call
from storpheus.seeding import SEED_BITS, seed_from_text
from storpheus.spec import MusicSpec
from storpheus.styles import StyleProfile, resolve_style

DEFAULT_CANDIDATES: Final = 4
"""Candidates per generation when neither the prompt nor the caller says."""

_T = TypeVar("_T")


def pick(prompt_value: _T | None, project_value: _T | None, default: _T) -> tuple[_T, str]:
    """The first value given, and where it came from."""
    if prompt_value is not None:
        return prompt_value, "from the prompt"
    if project_value is not None:
        return project_value, "from the project"
    return default, "style default"


def base_seed(prompt: MaestroPrompt, seed: int | None) -> tuple[int, str]:
    """The explicit seed (validated) or the hash of the normalised prompt, and its source."""
    if seed is None:
        return seed_from_text(prompt.canonical_json()), "prompt"
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**SEED_BITS:
        raise PlanningError(f"seed={seed!r} must be an integer 0 <= seed < 2**{SEED_BITS}")
    return seed, "explicit"


def refused_calls(calls: tuple[ToolCall, ...]) -> list[str]:
    """What the registry that will execute ``calls`` refuses in them (checked when planned)."""
    registry = get_registry()
    out = []
    for call in calls:
        checked = check_tool_call(call, registry=registry)
        if not checked.valid:
            out.append(f"{call.id} {call.name}: " + ", ".join(map(str, checked.errors)))
    return out


def intent_name(value: str) -> IntentName:
    """Narrow an intent value to its literal type."""
    if value == "COMPOSING":
        return "COMPOSING"
    if value == "EDITING":
        return "EDITING"
    return "REASONING"


@dataclass
class PlanContext:
    """Resolved global choices plus the notes and warnings collected while planning."""

    prompt: MaestroPrompt
    project: ProjectView
    base_seed: int
    seed_source: str
    style: StyleProfile
    style_matched: bool
    tempo: int
    key: Key
    time_signature: tuple[int, int]
    num_candidates: int
    notes: list[str]
    warnings: list[str]
    layer: bool = False

    @classmethod
    def create(
        cls,
        prompt: MaestroPrompt,
        project: ProjectView,
        seed: int | None,
        candidates: int | None,
    ) -> PlanContext:
        """Resolve style, tempo, key, meter, candidates and the base seed."""
        notes: list[str] = []
        warnings: list[str] = []
        seed_value, seed_source = base_seed(prompt, seed)
        style_text = prompt.style or project.style
        match = resolve_style(style_text)
        if style_text and not match.matched:
            warnings.append(
                f"Style: {style_text!r} is not a known style; using {match.profile.name!r} defaults"
            )
        elif match.matched:
            source = "" if prompt.style else " (the project's style)"
            notes.append(f"style {style_text!r} -> {match.id}{source}")
        style = match.profile
        unknown = explain_emotion(vibes=prompt.vibes).unknown_vibes
        if unknown:
            notes.append(f"vibes outside the emotion vocabulary, ignored: {', '.join(unknown)}")
        tempo, tempo_from = pick(prompt.tempo, project.tempo, style.default_tempo)
        notes.append(f"tempo {tempo} BPM ({tempo_from})")
        low, high = style.tempo_range
        if not low <= tempo <= high:
            notes.append(f"tempo {tempo} is outside {style.name}'s usual {low}-{high} BPM")
        key_text, key_from = pick(prompt.key, project.key, style.default_key)
        notes.append(f"key {key_text} ({key_from})")
        meter = prompt.constraints.get("time_signature")
        if isinstance(meter, str):
            num, _, den = meter.partition("/")
            time_signature = (int(num), int(den))
        else:
            time_signature = project.time_signature or (4, 4)
        count = candidates if candidates is not None else prompt.constraints.get("candidates")
        if count is None:
            count = DEFAULT_CANDIDATES
        if not isinstance(count, int) or isinstance(count, bool) or not 1 <= count <= 64:
            raise PlanningError(f"num_candidates={count!r} must be an integer 1-64")
        return cls(
            prompt=prompt,
            project=project,
            base_seed=seed_value,
            seed_source=seed_source,
            style=style,
            style_matched=match.matched,
            tempo=tempo,
            key=parse_key(key_text),
            time_signature=time_signature,
            num_candidates=count,
            notes=notes,
            warnings=warnings,
        )

    @property
    def beats_per_bar(self) -> float:
        """Quarter-note beats in one bar."""
        return self.time_signature[0] * 4.0 / self.time_signature[1]

    def finish(
        self,
        intent: str,
        label: str,
        *,
        sections: tuple[SectionPlan, ...] = (),
        roles: tuple[RolePlan, ...] = (),
        generations: tuple[GenerationStep, ...] = (),
        form: str = "none",
        start_beat: float = 0.0,
        spec: MusicSpec | None = None,
        setup: bool = True,
    ) -> CompositionPlan:
        """The plan, with its tool calls (none in ask mode) and explanation."""
        calls = (
            build_tool_calls(
                ExecutionInputs(
                    tempo=self.tempo,
                    key=str(self.key),
                    time_signature=self.time_signature,
                    style=self.style.id,
                    num_candidates=self.num_candidates,
                    roles=roles,
                    sections=sections,
                    generations=generations,
                    project=self.project,
                    layer=self.layer,
                    key_given=self.prompt.key is not None,
                )
            )
            if setup
            else ()
        )
        refused = refused_calls(calls)
        if refused:
            raise PlanningError(
                "the tool catalogue refuses steps of this plan: " + "; ".join(refused)
            )
        unused = sorted(set(self.prompt.constraints) - set(CONSTRAINT_KEYS))
        if unused:
            self.notes.append(f"constraints kept but not used by the planner: {', '.join(unused)}")
        return CompositionPlan(
            prompt=MaestroPrompt.from_dict(self.prompt.to_dict(include_raw=False)),
            intent=intent_name(intent),
            intent_label=label,
            base_seed=self.base_seed,
            seed_source="explicit" if self.seed_source == "explicit" else "prompt",
            style=self.style.id,
            style_matched=self.style_matched,
            tempo=self.tempo,
            key=str(self.key),
            time_signature=self.time_signature,
            start_beat=start_beat,
            bars=sum(s.bars for s in sections),
            form=form,
            num_candidates=self.num_candidates,
            emotion=emotion_vector(self.prompt),
            spec=spec,
            sections=sections,
            roles=roles,
            generations=generations,
            tool_calls=calls,
            explanation=self.explain(sections, roles, form, calls),
            notes=tuple(self.notes),
            warnings=tuple(self.warnings),
        )

    def explain(
        self,
        sections: tuple[SectionPlan, ...],
        roles: tuple[RolePlan, ...],
        form: str,
        calls: tuple[object, ...],
    ) -> str:
        """One paragraph saying what the plan does and why."""
        mode = self.prompt.mode
        if mode == "ask":
            return "Ask mode: answer the request; no changes to the project."
        seed_from = "given" if self.seed_source == "explicit" else "hashed from the prompt"
        if not sections:
            return (
                f"{mode.capitalize()}: {len(calls)} project step(s) at {self.tempo} BPM in "
                f"{self.key}; no new material. Base seed {self.base_seed} ({seed_from})."
            )
        bars = sum(s.bars for s in sections)
        names = ", ".join(s.name for s in sections)
        tracks = ", ".join(f"{r.track_name} ({r.role})" for r in roles)
        return (
            f"{mode.capitalize()} {bars} bars of {self.style.name} at {self.tempo} BPM in "
            f"{self.key} ({self.time_signature[0]}/{self.time_signature[1]}), {form} form: "
            f"{names}. Tracks: {tracks}. {len(sections) * len(roles)} generation(s) with "
            f"{self.num_candidates} candidate(s) each. Base seed {self.base_seed} ({seed_from})."
        )
