"""Plan serialisation: the lossless plan JSON and the compact wire format.

:class:`~maestro_lab.planner.model.CompositionPlan` delegates ``to_dict``
and ``wire`` here so the model module stays about the model. This module only
reads plans (the model imports it, never the reverse); rebuilding a plan from
JSON, which constructs model objects, is ``CompositionPlan.from_dict``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from maestro_lab.planner.wire import (
    CompositionPlanDict,
    ConstraintsDict,
    EditStepDict,
    EmotionDict,
    GenerationDict,
    GenerationStepDict,
    MixStepDict,
    PlanJsonDict,
    RoleDict,
    SectionDict,
)
from maestro_lab.prompts.schema import MaestroPromptDict
from storpheus.spec import EmotionVector, GenerationConstraints

if TYPE_CHECKING:
    from maestro_lab.planner.model import CompositionPlan, GenerationStep, RolePlan, SectionPlan


def plan_wire(plan: CompositionPlan) -> PlanJsonDict:
    """The compact wire JSON of ``plan`` (``generations``, ``edits``, ``mix``)."""
    generations: list[GenerationStepDict] = [
        {
            "role": s.role,
            "style": plan.style,
            "tempo": plan.tempo,
            "bars": s.bars,
            "key": plan.key,
            "constraints": s.constraints.to_dict(),
            "trackName": s.track_name,
        }
        for s in plan.generations
    ]
    edits: list[EditStepDict] = [
        {"action": "add_track", "name": r.track_name}
        for r in plan.roles
        if r.existing_track_id is None
    ]
    for s in plan.generations:
        edits.append(
            {
                "action": "add_region",
                "track": s.track_name,
                "barStart": int(s.start_beat // plan.beats_per_bar),
                "bars": s.bars,
            }
        )
    mix: list[MixStepDict] = []
    for r in plan.roles:
        mix.extend({"action": "add_insert", "track": r.track_name, "type": e} for e in r.inserts)
        mix.extend({"action": "add_send", "track": r.track_name, "bus": b} for b in r.sends)
    for r in plan.roles:
        mix.append({"action": "set_volume", "track": r.track_name, "value": r.volume_db})
        mix.append({"action": "set_pan", "track": r.track_name, "value": r.pan})
    return {
        "generations": generations,
        "edits": edits,
        "mix": mix,
        "explanation": plan.explanation,
    }


def plan_to_dict(plan: CompositionPlan) -> CompositionPlanDict:
    """The lossless JSON of ``plan``, without ``planHash``."""
    out: CompositionPlanDict = {
        "format": plan.format,
        "plannerVersion": plan.planner_version,
        "prompt": cast("MaestroPromptDict", plan.prompt.to_dict()),
        "promptHash": plan.prompt.prompt_hash,
        "intent": plan.intent,
        "intentLabel": plan.intent_label,
        "mode": plan.prompt.mode,
        "baseSeed": plan.base_seed,
        "seedSource": plan.seed_source,
        "style": plan.style,
        "styleMatched": plan.style_matched,
        "tempo": plan.tempo,
        "key": plan.key,
        "timeSignature": list(plan.time_signature),
        "startBeat": plan.start_beat,
        "bars": plan.bars,
        "form": plan.form,
        "numCandidates": plan.num_candidates,
        "emotion": _emotion(plan.emotion),
        "spec": plan.spec.to_dict() if plan.spec else None,
        "sections": [_section_dict(s) for s in plan.sections],
        "roles": [_role_dict(r) for r in plan.roles],
        "generations": [_step_dict(g) for g in plan.generations],
        "toolCalls": [c.to_step() for c in plan.tool_calls],
        "explanation": plan.explanation,
        "notes": list(plan.notes),
        "warnings": list(plan.warnings),
    }
    return out


def _emotion(vector: EmotionVector) -> EmotionDict:
    return {
        "energy": vector.energy,
        "valence": vector.valence,
        "tension": vector.tension,
        "intimacy": vector.intimacy,
        "motion": vector.motion,
    }


def _constraints_dict(constraints: GenerationConstraints) -> ConstraintsDict:
    return cast(ConstraintsDict, constraints.to_dict())


def _section_dict(s: SectionPlan) -> SectionDict:
    return {
        "name": s.name,
        "kind": s.kind,
        "startBar": s.start_bar,
        "bars": s.bars,
        "startBeat": s.start_beat,
        "seed": s.seed,
        "emotion": _emotion(s.emotion),
        "constraints": _constraints_dict(s.constraints),
        "chords": list(s.chords),
        "spec": s.spec.to_dict(),
    }


def _role_dict(r: RolePlan) -> RoleDict:
    return {
        "key": r.key,
        "role": r.role,
        "source": r.source,
        "trackName": r.track_name,
        "program": r.program,
        "isDrum": r.is_drum,
        "channel": r.channel,
        "seed": r.seed,
        "color": r.color,
        "icon": r.icon,
        "drumKit": r.drum_kit,
        "drumParts": list(r.drum_parts),
        "existingTrackId": r.existing_track_id,
        "inserts": list(r.inserts),
        "sends": list(r.sends),
        "volumeDb": r.volume_db,
        "pan": r.pan,
    }


def _step_dict(g: GenerationStep) -> GenerationDict:
    return {
        "id": g.id,
        "section": g.section,
        "roleKey": g.role_key,
        "role": g.role,
        "trackName": g.track_name,
        "startBar": g.start_bar,
        "bars": g.bars,
        "startBeat": g.start_beat,
        "seed": g.seed,
        "candidateSeeds": list(g.candidate_seeds),
        "constraints": _constraints_dict(g.constraints),
    }
