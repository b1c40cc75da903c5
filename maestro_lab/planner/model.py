"""The :class:`CompositionPlan` and its parts: sections, roles, generations, tool calls.

A plan is what the runtime executes. Read it as:

- ``sections``: the new material's sections, each with its bars, absolute
  start beat, emotion, role-neutral constraints, the chord of every bar and
  the MusicSpec its generations use: the whole timeline (bars counted from
  the start of the new material, every section, every chord) with this
  section's drum, bass, voicing and melody parts;
- ``roles``: one per track, with its canonical role, GM program (``None``
  for drums, which use ``drum_kit``), MIDI channel, seed and mix settings;
- ``generations``: one per (section, role): the span, the seed, the
  candidate seeds and the role's :class:`~storpheus.spec.GenerationConstraints`;
  :meth:`CompositionPlan.request_for` turns one into a storpheus
  :class:`~storpheus.backends.base.GenerationRequest`;
- ``tool_calls``: the execution plan in ``setup``, ``instrument`` and
  ``mixing`` phases with the tool catalogue's ``stori_*`` tools
  (:meth:`CompositionPlan.phases` groups them into a ``PhaseSplit``);
  :meth:`CompositionPlan.wire` gives the compact ``{generations, edits, mix}``
  plan JSON.

Plans serialise losslessly (``from_dict(to_dict(p)) == p``) and carry a
``plan_hash``: SHA-256 of the canonical JSON, the same in every process.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal, cast

from pydantic import ValidationError

from maestro_lab.errors import InvalidMaestroPrompt, InvalidPlanError
from maestro_lab.planner.preview import render_preview
from maestro_lab.planner.serialise import plan_to_dict, plan_wire
from maestro_lab.planner.wire import (
    CompositionPlanDict,
    PlanJsonDict,
    plan_adapter,
)
from maestro_lab.prompts.base import MaestroPrompt
from maestro_lab.prompts.schema import prompt_from_json, validation_details
from maestro_lab.roles import RoleName
from maestro_lab.tools.phases import PhaseSplit
from maestro_lab.tools.validation import ToolCall
from storpheus.jsontypes import JSONObject
from storpheus.spec import EmotionVector, GenerationConstraints, MusicSpec

if TYPE_CHECKING:
    from storpheus.backends.base import GenerationRequest
    from storpheus.notes import NoteArray

PLAN_FORMAT = "maestro-lab/composition-plan"
PLANNER_VERSION = "1"
IntentName = Literal["COMPOSING", "EDITING", "REASONING"]


@dataclass(frozen=True)
class SectionPlan:
    """One section of the new material."""

    name: str
    kind: str
    start_bar: int
    bars: int
    start_beat: float
    seed: int
    emotion: EmotionVector
    constraints: GenerationConstraints
    chords: tuple[str, ...]
    spec: MusicSpec

    @property
    def end_bar(self) -> int:
        """First bar after the section (relative to the new material)."""
        return self.start_bar + self.bars


@dataclass(frozen=True)
class RolePlan:
    """One instrument track: role, program, channel, seed and mix settings."""

    key: str
    role: RoleName
    source: str
    track_name: str
    program: int | None
    is_drum: bool
    channel: int
    seed: int
    color: str
    icon: str
    drum_kit: str | None = None
    drum_parts: tuple[str, ...] = ()
    existing_track_id: str | None = None
    inserts: tuple[str, ...] = ()
    sends: tuple[str, ...] = ()
    volume_db: float = 0.0
    pan: float = 0.0


@dataclass(frozen=True)
class GenerationStep:
    """One (section, role) generation: span, seeds and constraints."""

    id: str
    section: str
    role_key: str
    role: str
    track_name: str
    start_bar: int
    bars: int
    start_beat: float
    seed: int
    candidate_seeds: tuple[int, ...]
    constraints: GenerationConstraints


@dataclass(frozen=True)
class CompositionPlan:
    """A deterministic plan: IR, sections, roles, seeds and the execution steps."""

    prompt: MaestroPrompt
    intent: IntentName
    intent_label: str
    base_seed: int
    seed_source: Literal["explicit", "prompt"]
    style: str
    style_matched: bool
    tempo: int
    key: str
    time_signature: tuple[int, int]
    start_beat: float
    bars: int
    form: str
    num_candidates: int
    emotion: EmotionVector
    spec: MusicSpec | None
    sections: tuple[SectionPlan, ...] = ()
    roles: tuple[RolePlan, ...] = ()
    generations: tuple[GenerationStep, ...] = ()
    tool_calls: tuple[ToolCall, ...] = ()
    explanation: str = ""
    notes: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    format: str = PLAN_FORMAT
    planner_version: str = PLANNER_VERSION
    _hash: list[str] = field(default_factory=list, compare=False, repr=False)

    # --------------------------------------------------------------- lookups
    @property
    def beats_per_bar(self) -> float:
        """Quarter-note beats in one bar."""
        return self.time_signature[0] * 4.0 / self.time_signature[1]

    @property
    def is_empty(self) -> bool:
        """True when there is nothing to execute (ask mode, or nothing deterministic)."""
        return not self.tool_calls

    def section(self, name: str) -> SectionPlan:
        """The section called ``name`` (``KeyError`` naming the known ones)."""
        for section in self.sections:
            if section.name == name:
                return section
        raise KeyError(f"no section {name!r}; sections: {[s.name for s in self.sections]}")

    def role(self, key: str) -> RolePlan:
        """The role/track whose key is ``key``."""
        for role in self.roles:
            if role.key == key:
                return role
        raise KeyError(f"no role {key!r}; roles: {[r.key for r in self.roles]}")

    def step(self, step_id: str) -> GenerationStep:
        """The generation step ``"<section>/<role key>"``."""
        for step in self.generations:
            if step.id == step_id:
                return step
        raise KeyError(f"no generation {step_id!r}")

    def steps_for(self, role_key: str) -> tuple[GenerationStep, ...]:
        """The generations of one role, in section order (an instrument agent's work)."""
        return tuple(s for s in self.generations if s.role_key == role_key)

    # -------------------------------------------------------------- runtime
    def request_for(
        self,
        step: GenerationStep | str,
        *,
        num_candidates: int | None = None,
        previous_notes: NoteArray | None = None,
        drum_kick_beats: tuple[float, ...] | None = None,
        temperature: float = 1.0,
        quality_preset: str = "balanced",
    ) -> GenerationRequest:
        """The storpheus request of one generation step.

        The request's spec is the section's; ``section_start_bar`` says where
        the span starts in it (the backends' convention) and ``bars`` how long
        it is. Its seed is the step's, so ``request.candidate_seed(i)`` equals
        ``step.candidate_seeds[i]``.
        """
        from storpheus.backends.base import GenerationRequest

        chosen = self.step(step) if isinstance(step, str) else step
        section = self.section(chosen.section)
        return GenerationRequest(
            role=chosen.role,
            bars=chosen.bars,
            seed=chosen.seed,
            style=self.style,
            bpm=self.tempo,
            key=self.key,
            time_signature=self.time_signature,
            num_candidates=num_candidates or self.num_candidates,
            section_name=section.name,
            section_start_bar=section.start_bar,
            spec=section.spec,
            constraints=chosen.constraints,
            emotion=section.emotion,
            chord_progression=section.chords,
            previous_notes=previous_notes,
            drum_kick_beats=drum_kick_beats,
            temperature=temperature,
            quality_preset=quality_preset,
        )

    def requests(self, num_candidates: int | None = None) -> tuple[GenerationRequest, ...]:
        """Every generation step as a request, in plan order."""
        return tuple(self.request_for(s, num_candidates=num_candidates) for s in self.generations)

    def phases(self) -> PhaseSplit:
        """The tool calls split into setup, per-role groups and mixing (the catalogue's split)."""
        setup = [c for c in self.tool_calls if c.phase == "setup"]
        mixing = [c for c in self.tool_calls if c.phase == "mixing"]
        groups: dict[str, list[ToolCall]] = {}
        for call in self.tool_calls:
            if call.phase == "instrument":
                groups.setdefault(call.instrument or "", []).append(call)
        return PhaseSplit(setup, groups, list(groups), mixing)

    def preview(self, *, width: int = 120) -> str:
        """A compact, human-readable summary (see :mod:`maestro_lab.planner.preview`)."""
        return render_preview(self, width=width)

    # ---------------------------------------------------------------- wire
    def wire(self) -> PlanJsonDict:
        """The compact plan JSON: ``generations``, ``edits``, ``mix``, ``explanation``."""
        return plan_wire(self)

    # ------------------------------------------------------------ serialise
    def to_dict(self, *, include_hash: bool = True) -> CompositionPlanDict:
        """Lossless camelCase JSON (with ``planHash`` unless ``include_hash=False``)."""
        out = plan_to_dict(self)
        if include_hash:
            out["planHash"] = self.plan_hash
        return out

    def to_json(self, *, indent: int | None = 2) -> str:
        """The plan as JSON text (key-sorted)."""
        return json.dumps(self.to_dict(), indent=indent, sort_keys=True, ensure_ascii=False)

    @property
    def plan_hash(self) -> str:
        """SHA-256 of the canonical JSON (sorted keys, compact), stable across processes."""
        if not self._hash:
            text = json.dumps(
                self.to_dict(include_hash=False), sort_keys=True, separators=(",", ":")
            )
            self._hash.append(hashlib.sha256(text.encode()).hexdigest())
        return self._hash[0]

    @classmethod
    def from_dict(cls, data: object) -> CompositionPlan:
        """Rebuild a plan from :meth:`to_dict` output, validating it.

        Raises
        ------
        InvalidPlanError
            With one detail per problem (JSON location and message), or when
            ``planHash`` does not match the content.
        """
        try:
            checked = plan_adapter().validate_python(data)
        except ValidationError as exc:
            raise InvalidPlanError(validation_details(exc)) from None
        try:
            plan = _plan_from_checked(checked)
        except InvalidMaestroPrompt as exc:
            raise InvalidPlanError([f"prompt.{d}" for d in exc.details]) from None
        except (ValueError, KeyError, TypeError) as exc:
            raise InvalidPlanError([str(exc)]) from None
        given = checked.get("planHash")
        if given is not None and given != plan.plan_hash:
            raise InvalidPlanError(
                [f"planHash {given[:12]}... does not match the content ({plan.plan_hash[:12]}...)"]
            )
        return plan

    @classmethod
    def from_json(cls, text: str) -> CompositionPlan:
        """Rebuild a plan from :meth:`to_json` text."""
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InvalidPlanError([f"not JSON: {exc}"]) from None
        return cls.from_dict(data)


def _constraints(data: object) -> GenerationConstraints:
    return GenerationConstraints.from_dict(dict(cast(JSONObject, data)))


def _plan_from_checked(d: CompositionPlanDict) -> CompositionPlan:
    """Build a plan from validated plan JSON (``CompositionPlan.from_dict`` validates first)."""
    ts = d["timeSignature"]
    spec = d["spec"]
    return CompositionPlan(
        prompt=prompt_from_json(d["prompt"]),
        intent=d["intent"],
        intent_label=d["intentLabel"],
        base_seed=d["baseSeed"],
        seed_source=d["seedSource"],
        style=d["style"],
        style_matched=d["styleMatched"],
        tempo=d["tempo"],
        key=d["key"],
        time_signature=(ts[0], ts[1]),
        start_beat=float(d["startBeat"]),
        bars=d["bars"],
        form=d["form"],
        num_candidates=d["numCandidates"],
        emotion=EmotionVector(**d["emotion"]),
        spec=MusicSpec.from_dict(dict(spec)) if spec is not None else None,
        sections=tuple(
            SectionPlan(
                name=s["name"],
                kind=s["kind"],
                start_bar=s["startBar"],
                bars=s["bars"],
                start_beat=float(s["startBeat"]),
                seed=s["seed"],
                emotion=EmotionVector(**s["emotion"]),
                constraints=_constraints(s["constraints"]),
                chords=tuple(s["chords"]),
                spec=MusicSpec.from_dict(dict(s["spec"])),
            )
            for s in d["sections"]
        ),
        roles=tuple(
            RolePlan(
                key=r["key"],
                role=r["role"],
                source=r["source"],
                track_name=r["trackName"],
                program=r["program"],
                is_drum=r["isDrum"],
                channel=r["channel"],
                seed=r["seed"],
                color=r["color"],
                icon=r["icon"],
                drum_kit=r["drumKit"],
                drum_parts=tuple(r["drumParts"]),
                existing_track_id=r["existingTrackId"],
                inserts=tuple(r["inserts"]),
                sends=tuple(r["sends"]),
                volume_db=float(r["volumeDb"]),
                pan=float(r["pan"]),
            )
            for r in d["roles"]
        ),
        generations=tuple(
            GenerationStep(
                id=g["id"],
                section=g["section"],
                role_key=g["roleKey"],
                role=g["role"],
                track_name=g["trackName"],
                start_bar=g["startBar"],
                bars=g["bars"],
                start_beat=float(g["startBeat"]),
                seed=g["seed"],
                candidate_seeds=tuple(g["candidateSeeds"]),
                constraints=_constraints(g["constraints"]),
            )
            for g in d["generations"]
        ),
        tool_calls=tuple(ToolCall.from_step(c) for c in d["toolCalls"]),
        explanation=d["explanation"],
        notes=tuple(d["notes"]),
        warnings=tuple(d["warnings"]),
        format=d["format"],
        planner_version=d["plannerVersion"],
    )
