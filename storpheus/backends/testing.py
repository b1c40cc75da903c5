"""A small seeded backend for tests: deterministic, varied, and able to fail on purpose.

:class:`SeededTestBackend` draws each candidate from its own seed
(``request.candidate_seed(i)``), so the same request always gives the same
candidates, and candidates differ in quality (how many notes leave the key,
the register and the velocity range) so that scoring and rejection sampling
have something to choose between. It is not musical; the embedded backend is.

Failure injection, for testing what happens when a backend breaks mid-run:

* ``fail_after=N`` — the first ``N`` calls to :meth:`generate` succeed, the
  next ones raise ``fail_with`` (a :class:`~storpheus.errors.BackendError` by
  default);
* ``fail_roles`` — requests for these roles always fail;
* ``report_failure=True`` — return ``GenerationResult(success=False)``
  instead of raising;
* ``empty_candidates`` — candidate indices that come back with no notes.

Example
-------
>>> from storpheus.backends.base import GenerationRequest
>>> backend = SeededTestBackend()
>>> result = backend.generate(GenerationRequest(role="bass", bars=2, seed=7, num_candidates=3))
>>> [c.seed for c in result.candidates] == [result.request.candidate_seed(i) for i in range(3)]
True
>>> broken = SeededTestBackend(fail_after=0)
>>> broken.generate(GenerationRequest(role="bass", bars=2, seed=7))
Traceback (most recent call last):
...
storpheus.errors.BackendError: backend 'testing' failed: injected failure on call 1
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import ClassVar, Final

import numpy as np
import numpy.typing as npt

from storpheus.backends.base import (
    BackendCapabilities,
    Candidate,
    GenerationRequest,
    GenerationResult,
    MusicGeneratorBackend,
)
from storpheus.errors import BackendError, KeyParseError
from storpheus.midi_types import DRUM_CHANNEL
from storpheus.notes import NoteArray
from storpheus.theory import parse_key

TEST_ROLES: Final = frozenset(
    {"drums", "bass", "chords", "keys", "pads", "melody", "lead", "arp", "fx"}
)
_CENTRES: Final = {"bass": 40, "chords": 60, "keys": 60, "pads": 60, "melody": 72, "lead": 74}
_DRUM_PITCHES: Final = np.array([36, 38, 42, 46, 49], dtype=np.int64)


class SeededTestBackend(MusicGeneratorBackend):
    """Deterministic per-seed random parts with tunable failures (see the module doc).

    Parameters
    ----------
    notes_per_bar:
        Average number of notes per bar (candidates vary around it).
    fail_after:
        Number of successful :meth:`generate` calls before every later call fails.
    fail_roles:
        Roles whose requests always fail.
    fail_with:
        Builds the exception to raise from a message (default ``BackendError``).
    report_failure:
        Return an unsuccessful :class:`GenerationResult` instead of raising.
    empty_candidates:
        Candidate indices returned without notes.
    roles:
        Roles declared in :attr:`capabilities`.
    """

    name: ClassVar[str] = "testing"
    version: ClassVar[str] = "1"

    def __init__(
        self,
        *,
        notes_per_bar: int = 12,
        fail_after: int | None = None,
        fail_roles: frozenset[str] = frozenset(),
        fail_with: Callable[[str], Exception] | None = None,
        report_failure: bool = False,
        empty_candidates: frozenset[int] = frozenset(),
        roles: frozenset[str] = TEST_ROLES,
    ) -> None:
        if notes_per_bar < 1:
            raise ValueError(f"notes_per_bar={notes_per_bar} must be >= 1")
        self.notes_per_bar = notes_per_bar
        self.fail_after = fail_after
        self.fail_roles = frozenset(fail_roles)
        self.fail_with = fail_with
        self.report_failure = report_failure
        self.empty_candidates = frozenset(empty_candidates)
        self.capabilities = BackendCapabilities(roles=frozenset(roles), max_bars=64)
        self._lock = threading.Lock()
        self._calls = 0
        self.requests: list[GenerationRequest] = []

    @property
    def calls(self) -> int:
        """Number of :meth:`generate` calls so far (failed ones included)."""
        return self._calls

    def generate(self, request: GenerationRequest) -> GenerationResult:
        """Generate ``request.num_candidates`` candidates, or fail as configured."""
        self.check_request(request)
        with self._lock:
            self._calls += 1
            call = self._calls
            self.requests.append(request)
        reason = None
        if self.fail_after is not None and call > self.fail_after:
            reason = f"injected failure on call {call}"
        elif request.role in self.fail_roles:
            reason = f"injected failure for role {request.role!r}"
        if reason is not None:
            if self.report_failure:
                return GenerationResult(
                    request=request, backend_id=self.backend_id, success=False, error=reason
                )
            raise self.fail_with(reason) if self.fail_with else BackendError(self.name, reason)
        try:
            key = parse_key(request.key)
        except KeyParseError as exc:
            raise BackendError(self.name, str(exc)) from exc
        candidates = tuple(
            Candidate(
                index=i,
                seed=request.candidate_seed(i),
                notes=NoteArray.empty()
                if i in self.empty_candidates
                else self._part(request, request.candidate_seed(i), key.pitch_classes),
                metadata={"generator": "testing"},
            )
            for i in range(request.num_candidates)
        )
        return GenerationResult(request=request, backend_id=self.backend_id, candidates=candidates)

    def _part(self, request: GenerationRequest, seed: int, scale: tuple[int, ...]) -> NoteArray:
        rng = np.random.default_rng(seed)
        total = request.total_beats
        sloppiness = float(rng.uniform(0.0, 0.6))  # how far this candidate strays
        n = max(1, int(rng.poisson(self.notes_per_bar * request.bars * rng.uniform(0.5, 1.5))))
        grid = 0.25
        steps = max(1, int(total / grid))
        start = np.sort(rng.integers(0, steps, size=n)).astype(np.float64) * grid
        duration = np.minimum(rng.choice(np.array([0.25, 0.5, 1.0, 2.0]), size=n), total - start)
        velocity = np.clip(rng.normal(90, 12 + 40 * sloppiness, size=n), 1, 127).round()
        if request.role == "drums":
            pitch = rng.choice(_DRUM_PITCHES, size=n)
            channel = np.full(n, DRUM_CHANNEL)
        else:
            centre = _CENTRES.get(request.role, 64)
            spread = 7 + 24 * sloppiness
            raw = np.clip(rng.normal(centre, spread, size=n).round(), 0, 127).astype(np.int64)
            in_key = np.asarray(scale)[rng.integers(0, len(scale), size=n)]
            octave = raw - raw % 12
            snapped = np.clip(octave + in_key, 0, 127)
            pitch = np.where(rng.random(n) < sloppiness, raw, snapped)
            channel = np.zeros(n, dtype=np.int64)
        return _without_same_pitch_overlaps(pitch, velocity, start, duration, channel)


def _without_same_pitch_overlaps(
    pitch: npt.NDArray[np.int64],
    velocity: npt.NDArray[np.float64],
    start: npt.NDArray[np.float64],
    duration: npt.NDArray[np.float64],
    channel: npt.NDArray[np.int64],
) -> NoteArray:
    """Cut notes at the next onset of their pitch; drop repeated onsets (MIDI cannot hold them)."""
    order = np.lexsort((start, pitch))
    pitch, velocity, start = pitch[order], velocity[order], start[order]
    duration, channel = duration[order], channel[order]
    same_next = np.append(pitch[1:] == pitch[:-1], False)
    next_start = np.append(start[1:], np.inf)
    keep = ~(same_next & (next_start == start))
    duration = np.where(same_next, np.minimum(duration, next_start - start), duration)
    return NoteArray(
        pitch[keep], velocity[keep], start[keep], duration[keep], channel=channel[keep]
    ).sort()
