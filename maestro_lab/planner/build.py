"""``plan()``: a prompt (and optionally a project) in, a :class:`CompositionPlan` out.

Pure and deterministic: the same prompt, project and seed give the same plan
(and ``plan_hash``) in any process, whatever ``PYTHONHASHSEED``. The only
randomness (which progression of a style's pool a section kind uses) comes
from :func:`storpheus.seeding.rng_for` with the base seed and a label.

Seeds
-----
- base: the explicit ``seed``, else :func:`~storpheus.seeding.seed_from_text`
  of the normalised prompt (:meth:`MaestroPrompt.canonical_json`);
- section ``s``: ``derive_seed(base, "section", s)``;
- role ``r``: ``derive_seed(base, "role", r)``;
- generation (s, r): ``derive_seed(base, "section", s, "role", r)``;
- candidate ``i`` of a generation: ``derive_seed(generation_seed, "candidate", i)``
  (exactly :meth:`GenerationRequest.candidate_seed`).

Modes: ``compose`` plans new material; ``edit`` plans tempo/key/meter
changes and the ``Effects`` block on existing tracks (or, when it names
roles, regenerates them on their tracks); ``ask`` plans nothing.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from contextlib import nullcontext
from dataclasses import replace

from maestro_lab.errors import PlanningError
from maestro_lab.intent import IntentClassifier, IntentResult, classify_intent
from maestro_lab.planner import mixing
from maestro_lab.planner.compose import compose_plan
from maestro_lab.planner.context import PlanContext
from maestro_lab.planner.cost import PlanLimits, check_plan_cost, plan_limits
from maestro_lab.planner.model import CompositionPlan, RolePlan
from maestro_lab.planner.natural import prompt_from_text
from maestro_lab.planner.project import ProjectView, as_project
from maestro_lab.prompts.base import MaestroPrompt
from maestro_lab.prompts.fields import FieldError, edit_fields
from maestro_lab.prompts.parser import parse_prompt
from maestro_lab.roles import ROLE_COLORS, ROLE_ICONS, normalise_role
from storpheus.project import ProjectState, Section
from storpheus.seeding import derive_seed


def plan(
    prompt: MaestroPrompt | str,
    project: ProjectView | ProjectState | Mapping[str, object] | None = None,
    seed: int | None = None,
    *,
    num_candidates: int | None = None,
    limits: PlanLimits | None = None,
    classifier: IntentClassifier | None = None,
) -> CompositionPlan:
    r"""Plan a composition (or an edit) from a structured or natural-language prompt.

    Parameters
    ----------
    prompt:
        A :class:`MaestroPrompt`, MAESTRO PROMPT text, or natural language
        (read by :func:`~maestro_lab.planner.natural.prompt_from_text`).
    project:
        The existing project (a :class:`ProjectState` or a camelCase
        ``ProjectContext`` dict): positions resolve against its sections,
        existing tracks are reused, unchanged tempo/key steps are dropped.
    seed:
        The base seed; by default a hash of the normalised prompt.
    num_candidates:
        Candidates per generation (default: ``Constraints: candidates``, else 4).
    classifier:
        An :class:`~maestro_lab.intent.IntentClassifier` (an LLM client, a
        small model...) asked about natural-language requests the intent
        rules are unsure of; its answer decides the mode and the plan's
        intent label. Structured prompts never consult it.
    limits:
        Bounds on the plan's cost (default: the limits in force, see
        :mod:`maestro_lab.planner.cost`).

    Raises
    ------
    PromptParseError
        For malformed MAESTRO PROMPT text.
    PlanningError
        When the request cannot be planned (bad seed or project, too many roles...);
        :class:`~maestro_lab.planner.cost.PlanLimitError` when it asks for more work
        than ``limits`` allow.

    Example
    -------
    >>> p = plan("MAESTRO PROMPT\nMode: compose\nStyle: house\nConstraints: {bars: 8}", seed=1)
    >>> p.style, p.tempo, [s.name for s in p.sections], p.roles[0].track_name
    ('house', 124, ['intro', 'buildup', 'drop', 'outro'], 'Drums')
    >>> p.plan_hash == plan(p.prompt, seed=1).plan_hash
    True
    """
    parsed, text_intent = _as_prompt(prompt, classifier)
    state = as_project(project)
    try:
        given_sections, layer = edit_fields(dict(parsed.extensions))
    except FieldError as exc:
        raise PlanningError(str(exc)) from None
    if given_sections is not None:
        state = _with_sections(state, given_sections, parsed)
    parsed = _with_target_role(parsed, state)
    intent = classify_intent(parsed)
    if text_intent is not None and text_intent.source == "fallback":
        intent = text_intent  # the classifier's answer, not the mode's default label
    ctx = PlanContext.create(parsed, state, seed, num_candidates)
    ctx.layer = layer if layer is not None else _LAYER_RE.search(parsed.request) is not None
    if ctx.layer:
        ctx.notes.append("layer: new regions go over the existing ones (nothing is replaced)")
    if parsed.mode == "ask":
        ctx.notes.append("ask mode: reasoning only, nothing to execute")
        return ctx.finish(intent.intent.value, intent.label, setup=False)
    if parsed.mode == "edit" and not parsed.roles:
        return _edit_plan(ctx, intent.intent.value, intent.label)
    with plan_limits(limits) if limits is not None else nullcontext(limits):
        planned = compose_plan(ctx, intent.intent.value, intent.label)
        check_plan_cost(planned)
    return planned


_LAYER_RE = re.compile(r"\b(layer|on top of|over the existing)\b", re.IGNORECASE)


def _with_sections(
    state: ProjectView, given: tuple[tuple[str, int, int], ...], prompt: MaestroPrompt
) -> ProjectView:
    """``state`` with the arrangement of a ``Sections:`` field (bars of the prompt's meter)."""
    meter = prompt.constraints.get("time_signature")
    num, den = state.time_signature or (4, 4)
    if isinstance(meter, str):
        top, _, bottom = meter.partition("/")
        num, den = int(top), int(bottom)
    bpb = num * 4.0 / den
    sections = tuple(
        Section(name, first * bpb, bars * bpb)
        for name, first, bars in sorted(given, key=lambda s: s[1])
    )
    return replace(state, sections=sections)


def _with_target_role(prompt: MaestroPrompt, state: ProjectView) -> MaestroPrompt:
    """A ``Target: track:<name>`` without ``Role`` regenerates that existing track's role."""
    target = prompt.target
    if prompt.roles or target is None or target.kind != "track" or target.name is None:
        return prompt
    wanted = target.name.casefold()
    track = next(
        (t for t in state.tracks if wanted in (t.name.casefold(), t.track_id.casefold())), None
    )
    word = (track.role or track.name) if track is not None else target.name
    return replace(prompt, roles=(word,))


def _as_prompt(
    prompt: MaestroPrompt | str, classifier: IntentClassifier | None
) -> tuple[MaestroPrompt, IntentResult | None]:
    """The structured prompt, and the intent of natural-language text (``None`` otherwise)."""
    if isinstance(prompt, MaestroPrompt):
        return prompt, None
    if not isinstance(prompt, str):
        raise PlanningError(f"prompt must be text or a MaestroPrompt, got {type(prompt).__name__}")
    parsed = parse_prompt(prompt)
    if parsed is not None:
        return parsed, None
    intent = classify_intent(prompt, fallback=classifier)
    return prompt_from_text(prompt, intent=intent), intent


def _edit_plan(ctx: PlanContext, intent: str, label: str) -> CompositionPlan:
    """Tempo/key/meter changes and ``Effects`` inserts on existing tracks."""
    prompt = ctx.prompt
    meter = "time_signature" in prompt.constraints
    ctx.project = replace(
        ctx.project,
        tempo=ctx.project.tempo if prompt.tempo is not None else ctx.tempo,
        key=ctx.project.key if prompt.key is not None else str(ctx.key),
        time_signature=ctx.project.time_signature if meter else ctx.time_signature,
    )
    block = None
    for key, value in prompt.extensions.items():
        if key.strip().lower() == "effects" and isinstance(value, dict):
            block = value
    roles: list[RolePlan] = []
    channels = iter([c for c in range(16) if c != 9] * 8)
    for index, track in enumerate(ctx.project.tracks):
        match = normalise_role(track.role or track.name)
        requested, _ = mixing.effects_block_for(block, track.name, match.role, match.word)
        if not requested:
            continue
        fx = mixing.plan_track_mix(
            role=match.role, style=ctx.style, requested=requested, no_effects=False, no_reverb=False
        )
        roles.append(
            RolePlan(
                key=f"track_{index}",
                role=match.role,
                source=track.name,
                track_name=track.name,
                program=track.program,
                is_drum=track.is_drum,
                channel=9 if track.is_drum else next(channels),
                seed=derive_seed(ctx.base_seed, "role", f"track_{index}"),
                color=ROLE_COLORS[match.role],
                icon=ROLE_ICONS[match.role],
                existing_track_id=track.track_id,
                inserts=tuple(e for e in requested if e != "reverb"),
                sends=(mixing.REVERB_BUS,) if "reverb" in requested else (),
                volume_db=fx.volume_db,
                pan=fx.pan,
            )
        )
    plan_ = ctx.finish(intent, label, roles=tuple(roles), form="edit")
    calls = tuple(
        c
        for c in plan_.tool_calls
        if c.tool not in ("stori_set_track_volume", "stori_set_track_pan")
    )
    if not calls:
        ctx.warnings.append(
            "edit: nothing deterministic to plan (no tempo, key, meter or Effects change); "
            "the request is left to the runtime's tool layer"
        )
    return replace(plan_, tool_calls=calls, warnings=tuple(ctx.warnings))
