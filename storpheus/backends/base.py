"""The backend plug-in boundary: requests, candidates, results, capabilities.

A backend turns one :class:`GenerationRequest` (a role, its part of the
MusicSpec, constraints, a seed and a candidate count) into a
:class:`GenerationResult` holding that many :class:`Candidate` parts. Each
candidate has its own seed, derived from the request seed and its index, so
candidate ``i`` is the same whichever other candidates were asked for.

Example
-------
>>> class Silence(MusicGeneratorBackend):
...     name, version = "silence", "1"
...     capabilities = BackendCapabilities(roles=frozenset({"pads"}), max_bars=64)
...     def generate(self, request):
...         self.check_request(request)
...         return GenerationResult(request=request, backend_id=self.backend_id,
...             candidates=tuple(Candidate(i, request.candidate_seed(i), NoteArray.empty())
...                              for i in range(request.num_candidates)))
>>> Silence().generate(GenerationRequest(role="pads", bars=4, seed=1)).n_candidates
1
"""

from __future__ import annotations

import hashlib
import json
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import ClassVar

from storpheus import midi_types as mt
from storpheus.errors import InvalidRequestError
from storpheus.events import AftertouchArray, ControlChangeArray, PitchBendArray
from storpheus.jsontypes import JSONObject
from storpheus.notes import NoteArray
from storpheus.seeding import derive_seed
from storpheus.spec import EmotionVector, GenerationConstraints, MusicSpec


@dataclass(frozen=True)
class GenerationRequest:
    """Everything a backend may use to generate one role's part (``GenerationContext``).

    Times in the result are relative to the start of the requested span
    (``section_start_bar`` only tells the backend where it sits).
    """

    role: str
    bars: int
    seed: int
    style: str = "pop"
    bpm: int = 120
    key: str = "C major"
    time_signature: tuple[int, int] = (4, 4)
    num_candidates: int = 1
    section_name: str | None = None
    section_start_bar: int = 0
    spec: MusicSpec | None = None
    constraints: GenerationConstraints | None = None
    emotion: EmotionVector | None = None
    chord_progression: tuple[str, ...] = ()
    previous_notes: NoteArray | None = None
    drum_kick_beats: tuple[float, ...] | None = None
    temperature: float = 1.0
    quality_preset: str = "balanced"

    def __post_init__(self) -> None:
        if not self.role or not self.role.strip():
            raise InvalidRequestError("role", self.role, "must be a non-empty role name")
        if isinstance(self.bars, bool) or not isinstance(self.bars, int) or self.bars < 1:
            raise InvalidRequestError("bars", self.bars, "must be an integer >= 1")
        if not isinstance(self.bpm, int) or not 20 <= self.bpm <= 300:
            raise InvalidRequestError("bpm", self.bpm, "must be an integer 20-300")
        if not isinstance(self.num_candidates, int) or self.num_candidates < 1:
            raise InvalidRequestError("num_candidates", self.num_candidates, "must be >= 1")
        if self.seed < 0:
            raise InvalidRequestError("seed", self.seed, "must be >= 0")
        if self.section_start_bar < 0:
            raise InvalidRequestError("section_start_bar", self.section_start_bar, "must be >= 0")
        if not 0.0 < self.temperature <= 4.0:
            raise InvalidRequestError("temperature", self.temperature, "must be in (0, 4]")
        num, den = self.time_signature
        if not 1 <= num <= 64 or den not in (1, 2, 4, 8, 16, 32):
            raise InvalidRequestError("time_signature", self.time_signature, "is not a meter")

    @property
    def beats_per_bar(self) -> float:
        """Quarter-note beats in one bar."""
        return self.time_signature[0] * 4.0 / self.time_signature[1]

    @property
    def total_beats(self) -> float:
        """Length of the requested span in beats."""
        return self.bars * self.beats_per_bar

    def candidate_seed(self, index: int) -> int:
        """The seed of candidate ``index`` (depends on the request seed and index only)."""
        return derive_seed(self.seed, "candidate", index)

    def canonical_dict(self) -> JSONObject:
        """A JSON-ready dict of every field that can change the output (cache keys, logs)."""
        return {
            "role": self.role,
            "bars": self.bars,
            "seed": self.seed,
            "style": self.style,
            "bpm": self.bpm,
            "key": self.key,
            "time_signature": list(self.time_signature),
            "num_candidates": self.num_candidates,
            "section_name": self.section_name,
            "section_start_bar": self.section_start_bar,
            "spec": self.spec.to_dict() if self.spec else None,
            "constraints": self.constraints.to_dict() if self.constraints else None,
            "emotion": self.emotion.to_dict() if self.emotion else None,
            "chord_progression": list(self.chord_progression),
            "previous_notes": _notes_digest(self.previous_notes),
            "drum_kick_beats": list(self.drum_kick_beats) if self.drum_kick_beats else None,
            "temperature": self.temperature,
            "quality_preset": self.quality_preset,
        }

    @property
    def request_hash(self) -> str:
        """SHA-256 of :meth:`canonical_dict` (stable across processes)."""
        text = json.dumps(self.canonical_dict(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()


def _notes_digest(notes: NoteArray | None) -> str | None:
    if notes is None:
        return None
    from storpheus.identity import content_id

    return content_id(notes)


@dataclass(frozen=True)
class Candidate:
    """One generated part: notes and controller events for one role."""

    index: int
    seed: int
    notes: NoteArray
    cc: ControlChangeArray = field(default_factory=ControlChangeArray.empty)
    bends: PitchBendArray = field(default_factory=PitchBendArray.empty)
    aftertouch: AftertouchArray = field(default_factory=AftertouchArray.empty)
    metadata: JSONObject = field(default_factory=dict)


@dataclass(frozen=True)
class GenerationResult:
    """A backend's answer to one request: its candidates, or why it failed."""

    request: GenerationRequest
    backend_id: str
    candidates: tuple[Candidate, ...] = ()
    success: bool = True
    error: str | None = None
    duration_ms: float = 0.0
    metadata: JSONObject = field(default_factory=dict)
    warnings: tuple[str, ...] = ()

    @property
    def n_candidates(self) -> int:
        """Number of candidates."""
        return len(self.candidates)


@dataclass(frozen=True)
class BackendCapabilities:
    """What a backend can do; requests outside it are refused before generating."""

    roles: frozenset[str]
    max_bars: int = 64
    needs_network: bool = False
    deterministic: bool = True
    styles: frozenset[str] | None = None
    max_candidates: int = 256


class MusicGeneratorBackend(ABC):
    """The plug-in boundary every generation backend implements.

    Subclasses set :attr:`name` and :attr:`version`, declare
    :attr:`capabilities` and implement :meth:`generate`, which must return
    ``request.num_candidates`` candidates, candidate ``i`` generated from
    ``request.candidate_seed(i)``.
    """

    name: ClassVar[str]
    version: ClassVar[str]
    capabilities: BackendCapabilities

    @property
    def backend_id(self) -> str:
        """``name@version``, recorded with every generation."""
        return f"{self.name}@{self.version}"

    def replay_options(self) -> dict[str, str | int | float | bool]:
        """Options that build this backend again by name (recorded with a commit).

        Reproducing a commit rebuilds its backend from these; they must never
        hold secrets (tokens). The default backend needs none.
        """
        return {}

    @abstractmethod
    def generate(self, request: GenerationRequest) -> GenerationResult:
        """Generate ``request.num_candidates`` candidates for one role."""

    def check_request(self, request: GenerationRequest) -> None:
        """Raise :class:`InvalidRequestError` if the request is outside the capabilities."""
        caps = self.capabilities
        if request.role not in caps.roles:
            raise InvalidRequestError(
                "role",
                request.role,
                f"unknown to backend {self.name!r}; known: {sorted(caps.roles)}",
            )
        if request.bars > caps.max_bars:
            raise InvalidRequestError("bars", request.bars, f"must be at most {caps.max_bars}")
        if request.num_candidates > caps.max_candidates:
            raise InvalidRequestError(
                "num_candidates", request.num_candidates, f"must be at most {caps.max_candidates}"
            )
        mt.assert_range(request.bpm, mt.BPM)
