"""The embedded backend: offline, deterministic, musical — the default backend.

:class:`EmbeddedBackend` renders every role from the MusicSpec IR with the
role renderers of this package. Candidate ``i`` of a request is rendered
from ``numpy.random.default_rng(request.candidate_seed(i))``, so it is the
same whichever other candidates were asked for and whatever the scheduling.

Example
-------
>>> from storpheus.backends.base import GenerationRequest
>>> backend = EmbeddedBackend()
>>> result = backend.generate(GenerationRequest(role="bass", bars=4, seed=7, style="house",
...                                             key="A minor", num_candidates=3))
>>> result.n_candidates, result.metadata["style"]
(3, 'house')
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import ClassVar, Final

import numpy as np

from storpheus.backends.base import (
    BackendCapabilities,
    Candidate,
    GenerationRequest,
    GenerationResult,
    MusicGeneratorBackend,
)
from storpheus.backends.embedded.arp import render_arp
from storpheus.backends.embedded.bass import render_bass
from storpheus.backends.embedded.chords import render_chords, render_keys, render_pads
from storpheus.backends.embedded.context import RenderContext, build_context
from storpheus.backends.embedded.dice import Dice
from storpheus.backends.embedded.drums import render_drums
from storpheus.backends.embedded.fx import render_fx
from storpheus.backends.embedded.melody import render_lead, render_melody
from storpheus.backends.embedded.notebuf import RenderedPart
from storpheus.errors import InvalidRequestError
from storpheus.jsontypes import JSONObject
from storpheus.notes import NoteArray
from storpheus.spec import GenerationConstraints, MusicSpec
from storpheus.styles import ROLES

Renderer = Callable[[RenderContext, Dice], RenderedPart]

RENDERERS: Final[dict[str, Renderer]] = {
    "drums": render_drums,
    "bass": render_bass,
    "chords": render_chords,
    "keys": render_keys,
    "pads": render_pads,
    "melody": render_melody,
    "lead": render_lead,
    "arp": render_arp,
    "fx": render_fx,
}
"""The renderer of each role."""

EMBEDDED_VERSION: Final = "1.0"


def render_candidate(ctx: RenderContext, seed: int) -> RenderedPart:
    """Render one candidate of ``ctx.role`` from ``seed`` (a pure function of both)."""
    dice = Dice(np.random.default_rng(seed), temperature=ctx.temperature)
    return RENDERERS[ctx.role](ctx, dice)


def render_role(
    role: str,
    spec: MusicSpec,
    constraints: GenerationConstraints | None,
    rng: np.random.Generator,
    *,
    section_start_bar: int = 0,
    bars: int | None = None,
    previous_notes: NoteArray | None = None,
    drum_kick_beats: tuple[float, ...] | None = None,
) -> RenderedPart:
    """Render one part of ``role`` straight from a spec, constraints and a generator.

    The span is ``bars`` bars (default: the whole piece) from
    ``section_start_bar``; the style, key, tempo and meter come from ``spec``.
    Without ``constraints`` they are derived from the style.

    >>> from storpheus.backends.embedded.defaults import default_spec
    >>> part = render_role("bass", default_spec("funk", bars=4), None, np.random.default_rng(1))
    >>> len(part.notes) > 0
    True
    """
    g = spec.global_spec
    request = GenerationRequest(
        role=role,
        bars=bars if bars is not None else g.bars - section_start_bar,
        seed=0,
        style=spec.style,
        bpm=g.bpm,
        key=g.key,
        time_signature=(g.time_sig_num, g.time_sig_den),
        section_start_bar=section_start_bar,
        spec=spec,
        constraints=constraints,
        previous_notes=previous_notes,
        drum_kick_beats=drum_kick_beats,
    )
    check_role(role)
    if request.bars > EmbeddedBackend.capabilities.max_bars:
        raise InvalidRequestError("bars", request.bars, "must be at most 64")
    ctx = build_context(request)
    return RENDERERS[role](ctx, Dice(rng))


class EmbeddedBackend(MusicGeneratorBackend):
    """Rule-based generator for every role and style, running offline in microseconds.

    Parameters
    ----------
    use_seed_motifs:
        Let the melody renderers borrow motifs from the seed library
        (:mod:`storpheus.seeds`); off, they invent every motif.
    """

    name: ClassVar[str] = "embedded"
    version: ClassVar[str] = EMBEDDED_VERSION
    capabilities = BackendCapabilities(
        roles=frozenset(ROLES),
        max_bars=64,
        needs_network=False,
        deterministic=True,
        styles=None,
        max_candidates=256,
    )

    def __init__(self, *, use_seed_motifs: bool = True) -> None:
        self.use_seed_motifs = use_seed_motifs

    def generate(self, request: GenerationRequest) -> GenerationResult:
        """Render ``request.num_candidates`` candidates of ``request.role``.

        Raises
        ------
        InvalidRequestError
            Unknown role, more than 64 bars, too many candidates, or a key or
            chord symbol that cannot be read; the error names the field.
            An unknown *style* is not an error: the default style is used and
            the result carries a warning.
        """
        began = time.perf_counter()
        self.check_request(request)
        ctx = build_context(request, use_seed_motifs=self.use_seed_motifs)
        candidates = []
        for i in range(request.num_candidates):
            seed = request.candidate_seed(i)
            part = render_candidate(ctx, seed)
            candidates.append(
                Candidate(
                    index=i,
                    seed=seed,
                    notes=part.notes,
                    cc=part.cc,
                    metadata={
                        "program": ctx.program,
                        "channel": ctx.channel,
                        "is_drum": ctx.role == "drums",
                        "register": [ctx.register[0], ctx.register[1]],
                        **part.metadata,
                    },
                )
            )
        warnings = []
        resolution_warning = ctx.resolution.warning
        if resolution_warning:
            warnings.append(resolution_warning)
        spec_key = request.spec.global_spec.key if request.spec is not None else None
        if spec_key is not None and _key_name(request.key) not in (None, ctx.key.name):
            warnings.append(
                f"request key {request.key!r} differs from the spec key {spec_key!r}; "
                "used the spec key"
            )
        metadata: JSONObject = {
            "style": ctx.style.id,
            "style_requested": request.style,
            "style_match": ctx.resolution.match,
            "key": ctx.key.name,
            "groove": ctx.groove.name,
            "swing": ctx.swing,
            "register": [ctx.register[0], ctx.register[1]],
            "program": ctx.program,
            "channel": ctx.channel,
            "chord_schedule": [
                {"beat": round(c.start, 6), "chord": c.chord.symbol} for c in ctx.chords
            ],
        }
        if warnings:
            metadata["warnings"] = list(warnings)
        return GenerationResult(
            request=request,
            backend_id=self.backend_id,
            candidates=tuple(candidates),
            duration_ms=(time.perf_counter() - began) * 1000.0,
            metadata=metadata,
            warnings=tuple(warnings),
        )


def _key_name(text: str) -> str | None:
    from storpheus.backends.embedded.harmony import parse_key

    try:
        return parse_key(text).name
    except ValueError:
        return None


def check_role(role: str) -> None:
    """Raise :class:`InvalidRequestError` unless the embedded backend renders ``role``."""
    if role not in RENDERERS:
        raise InvalidRequestError("role", role, f"unknown role; known: {sorted(RENDERERS)}")
