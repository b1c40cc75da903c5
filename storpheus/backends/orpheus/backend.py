"""The Orpheus backend: the Orpheus Music Transformer Space behind the backend boundary.

:class:`OrpheusBackend` answers a :class:`~storpheus.backends.base.GenerationRequest`
with candidates from a Gradio Space that serves ``/generate_music_and_state``
(and, for older versions, ``/add_batch``). For each request it

1. derives the API parameters (:mod:`.policy`) and the cache key
   (:mod:`.cache`), and answers from the cache when it can;
2. otherwise opens a fresh session per call (:mod:`.client`), detects the
   Space's return shape from its API description (:mod:`.api`), and asks
   for ``ceil(num_candidates / batches)`` generations; candidate ``i`` is
   batch ``i % batches`` of call ``i // batches``. Requests longer than 16
   bars are generated in chunks, each candidate's next chunk continuing its
   own notes so far;
3. retries transient failures with backoff, through a circuit breaker
   (:mod:`.resilience`); when every attempt fails it raises
   :class:`~storpheus.errors.BackendUnavailable` naming the space and the
   last cause, or, with a ``fallback`` backend, answers from that backend
   and says so in the result;
4. parses every file (:mod:`.parts`): primer cut, trimmed to the requested
   bars, mapped from channels and programs to the role. A file that cannot
   be parsed becomes an empty candidate flagged ``invalid`` in its
   metadata, which scores 0 and is rejected, so one corrupt answer never
   ends a run.

The chosen parameters, the API shape, the cache outcome (``hit`` or
``miss``), the attempts and the breaker state are recorded in the result's
metadata and in every candidate's metadata.

Example
-------
>>> backend = OrpheusBackend(space="http://127.0.0.1:7860/")       # doctest: +SKIP
>>> from storpheus.sampling import rejection_sample                  # doctest: +SKIP
>>> rejection_sample(backend, GenerationRequest(role="bass", bars=8, seed=1,
...                                             num_candidates=4))   # doctest: +SKIP
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import partial
from typing import ClassVar, Final, TypeVar

from storpheus.backends.base import (
    BackendCapabilities,
    Candidate,
    GenerationRequest,
    GenerationResult,
    MusicGeneratorBackend,
)
from storpheus.backends.orpheus.api import ApiShape
from storpheus.backends.orpheus.cache import (
    BackendCache,
    BackendEvent,
    CachedGeneration,
    CachedPart,
    cache_key,
    canonical_request,
)
from storpheus.backends.orpheus.client import Connector, OrpheusSession, gradio_connector
from storpheus.backends.orpheus.parts import composition_end, extract_part
from storpheus.backends.orpheus.policy import OrpheusParameters, chunk_bars, parameters_for
from storpheus.backends.orpheus.resilience import (
    CircuitBreaker,
    Clock,
    RetryPolicy,
    Sleeper,
    transient_reason,
)
from storpheus.errors import BackendError, BackendUnavailable, MidiFileError
from storpheus.jsontypes import JSONObject, JSONValue
from storpheus.notes import NoteArray
from storpheus.styles import ROLES

ORPHEUS_VERSION: Final = "1"
DEFAULT_SPACE: Final = "asigalov61/Orpheus-Music-Transformer"
"""The public Space of the Orpheus Music Transformer."""

T = TypeVar("T")


@dataclass(frozen=True)
class Timeouts:
    """Seconds allowed to connect (and read the API description), to generate, to add a batch."""

    connect: float = 30.0
    generate: float = 180.0
    add_batch: float = 60.0

    def __post_init__(self) -> None:
        for name in ("connect", "generate", "add_batch"):
            if getattr(self, name) <= 0:
                raise ValueError(f"timeout {name}={getattr(self, name)} must be > 0")


@dataclass
class _Tally:
    """What one :meth:`OrpheusBackend.generate` call went through (for its metadata)."""

    attempts: int = 0
    calls: int = 0
    retries: list[str] = field(default_factory=list)
    shape: ApiShape | None = None


class OrpheusBackend(MusicGeneratorBackend):
    """Candidates from an Orpheus Music Transformer Gradio Space (see the module docstring).

    Parameters
    ----------
    space:
        A Space name (``"owner/name"``) or the URL of a Gradio app.
    hf_token:
        Hugging Face token for private or paid Spaces.
    cache:
        Where answers are kept (``None``: no cache).
    fallback:
        Backend that answers when the Space is unavailable (``None``: raise).
    timeouts, retry:
        Per-call timeouts and the retry policy.
    breaker:
        The circuit breaker (default: opens after 5 consecutive failures,
        60 s cooldown, on ``clock``).
    clock, sleeper:
        Time source and wait function for backoff and the breaker (tests
        pass a :class:`~storpheus.backends.orpheus.resilience.ManualClock`).
    connector:
        Opens a session (default: a fresh ``gradio_client.Client``).
    """

    name: ClassVar[str] = "orpheus"
    version: ClassVar[str] = ORPHEUS_VERSION
    capabilities = BackendCapabilities(
        roles=frozenset(ROLES),
        max_bars=64,
        needs_network=True,
        deterministic=False,
        styles=None,
        max_candidates=100,
    )

    def __init__(
        self,
        space: str = DEFAULT_SPACE,
        hf_token: str | None = None,
        *,
        cache: BackendCache | None = None,
        fallback: MusicGeneratorBackend | None = None,
        timeouts: Timeouts | None = None,
        retry: RetryPolicy | None = None,
        breaker: CircuitBreaker | None = None,
        clock: Clock = time.monotonic,
        sleeper: Sleeper = time.sleep,
        connector: Connector = gradio_connector,
    ) -> None:
        if not isinstance(space, str) or not space.strip():
            raise ValueError(f"space={space!r} must be a Space name or a URL")
        self.space = space.strip()
        self.hf_token = hf_token
        self.cache = cache
        self.fallback = fallback
        self.timeouts = timeouts or Timeouts()
        self.retry = retry or RetryPolicy()
        self.clock = clock
        self.sleeper = sleeper
        self.breaker = breaker or CircuitBreaker(clock=clock)
        self.connector = connector

    def replay_options(self) -> dict[str, str | int | float | bool]:
        """The Space this backend talks to (its token is never recorded)."""
        return {"space": self.space}

    def __repr__(self) -> str:
        return f"OrpheusBackend(space={self.space!r})"

    # ------------------------------------------------------------ generate
    def generate(self, request: GenerationRequest) -> GenerationResult:
        """Candidates for ``request`` from the cache, the Space, or the fallback.

        Raises
        ------
        InvalidRequestError
            The request is outside the capabilities.
        BackendUnavailable
            The Space failed every attempt (or the breaker is open) and there
            is no fallback.
        BackendError
            The Space answered in a way this backend cannot use (no such
            endpoint, a non-transient error).
        """
        began = time.perf_counter()
        self.check_request(request)
        chunks = chunk_bars(request.bars)
        first = parameters_for(request, bars=chunks[0])
        key = cache_key(self.name, self.space, request, first.to_dict())
        tally = _Tally()
        problems: list[str] = []
        entry = self._cache_call(lambda c: c.get(key), problems)
        outcome = "hit" if entry is not None else "miss"
        if entry is None:
            try:
                parts = self._fetch(request, chunks, first, tally)
            except BackendUnavailable as exc:
                kind = "unavailable" if self.fallback is None else "fallback"
                self._record(key, kind, tally, exc.cause)
                if self.fallback is None:
                    raise
                return self._fall_back(request, exc, tally, began)
            self._record(key, "remote", tally, None)
            entry = CachedGeneration(
                key=key,
                backend_id=self.backend_id,
                space=self.space,
                request=canonical_request(self.name, self.space, request, first.to_dict()),
                parameters=first.to_dict(),
                candidates=parts,
            )
            stored = entry
            self._cache_call(lambda c: c.put(stored), problems)
        metadata: JSONObject = {
            "space": self.space,
            "parameters": first.to_dict(),
            "chunks": list(chunks),
            "cache": outcome if self.cache is not None else "off",
            "cache_key": key,
            "attempts": tally.attempts,
            "calls": tally.calls,
            "retries": list(tally.retries),
            "api_shape": tally.shape.to_dict() if tally.shape else None,
            "breaker": self.breaker.snapshot().to_dict(),
        }
        candidates = self._candidates(request, chunks, entry, metadata)
        invalid = [c.index for c in candidates if "invalid" in c.metadata]
        warnings = tuple(problems) + tuple(
            f"candidate {i}: {candidates[i].metadata['invalid']}" for i in invalid
        )
        if invalid:
            metadata["invalid_candidates"] = list(invalid)
        return GenerationResult(
            request=request,
            backend_id=self.backend_id,
            candidates=candidates,
            duration_ms=(time.perf_counter() - began) * 1000.0,
            metadata=metadata,
            warnings=warnings,
        )

    # --------------------------------------------------------------- cache
    def _cache_call(
        self, call: Callable[[BackendCache], T], problems: list[str] | None = None
    ) -> T | None:
        """``call(cache)``; a failing cache is reported in ``problems``, never fatal."""
        if self.cache is None:
            return None
        try:
            return call(self.cache)
        except Exception as exc:  # a cache is an optimisation: the generation goes on
            if problems is not None:
                problems.append(f"result cache {self.cache!r} failed: {type(exc).__name__}: {exc}")
            return None

    # -------------------------------------------------------------- remote
    def _record(self, key: str, kind: str, tally: _Tally, detail: str | None) -> None:
        event = BackendEvent(
            key=key,
            backend_id=self.backend_id,
            space=self.space,
            kind=kind,
            attempts=tally.attempts,
            retries=tuple(tally.retries),
            breaker_state=self.breaker.state,
            detail=detail,
        )
        self._cache_call(lambda c: c.record(event))

    def _fetch(
        self,
        request: GenerationRequest,
        chunks: tuple[int, ...],
        first: OrpheusParameters,
        tally: _Tally,
    ) -> tuple[tuple[CachedPart, ...], ...]:
        n = request.num_candidates
        parts: list[list[CachedPart]] = [[] for _ in range(n)]
        index = 0
        while index < n:
            got = self._guarded(partial(self._one_call, first, n - index, request, tally), tally)
            for part in got[: n - index]:
                parts[index].append(part)
                index += 1
        batches = tally.shape.batches if tally.shape else 1
        for number, bars in enumerate(chunks[1:], start=1):
            for i in range(n):
                try:
                    so_far, _ = assemble(request, parts[i], chunks[:number], self.space, i)
                except MidiFileError:  # an earlier chunk is unreadable: the candidate stays so
                    parts[i].append(CachedPart(None, 0.0))
                    continue
                params = parameters_for(request, bars=bars, primer=so_far, chunk=number)
                call = partial(self._one_call, params, i % batches + 1, request, tally)
                got = self._guarded(call, tally)
                parts[i].append(got[min(i % batches, len(got) - 1)])
        return tuple(tuple(p) for p in parts)

    def _one_call(
        self, params: OrpheusParameters, wanted: int, request: GenerationRequest, tally: _Tally
    ) -> list[CachedPart]:
        """One fresh session: generate, and with the old API shape, ``/add_batch`` per batch."""
        session: OrpheusSession = self.connector(self.space, self.hf_token, self.timeouts.connect)
        try:
            shape = session.shape()
            tally.shape = shape
            files = session.generate(params, self.timeouts.generate)
            if shape.kind == "midi":
                if not files:
                    raise BackendError(self.name, f"space {self.space!r} returned no MIDI files")
                return [CachedPart(data, params.primer_beats) for data in files[:wanted]]
            out: list[CachedPart] = []
            prefix = params.primer_beats
            for batch in range(min(wanted, shape.batches)):
                data = session.add_batch(batch, self.timeouts.add_batch)
                out.append(CachedPart(data, prefix))
                end = composition_end(data, request.beats_per_bar) if data else None
                prefix = max(prefix, end) if end is not None else prefix
            return out
        finally:
            session.close()

    def _guarded(self, call: Callable[[], T], tally: _Tally) -> T:
        """``call()`` through the breaker, retrying transient failures with backoff."""
        began = self.clock()
        attempts = 0
        cause = "no attempt made"
        while True:
            if not self.breaker.allow():
                snap = self.breaker.snapshot()
                last = snap.last_failure or cause
                raise BackendUnavailable(
                    self.backend_id,
                    self.space,
                    f"circuit breaker open (retry in {self.breaker.retry_after():.1f} s); "
                    f"last failure: {last}",
                    attempts=attempts,
                    breaker_state=snap.state,
                )
            attempts += 1
            tally.attempts += 1
            tally.calls += 1
            try:
                result = call()
            except (BackendError, MidiFileError) as exc:
                if isinstance(exc, BackendUnavailable):
                    raise
                self.breaker.record_failure(str(exc))
                raise
            except Exception as exc:  # any transport or application failure of the client
                reason = transient_reason(exc)
                cause = f"{reason or 'error'}: {type(exc).__name__}: {exc}"
                self.breaker.record_failure(cause)
                if reason is None:
                    raise BackendError(
                        self.backend_id, f"space {self.space!r}: {type(exc).__name__}: {exc}"
                    ) from exc
                tally.retries.append(reason)
                delay = self.retry.delay(attempts)
                spent = self.clock() - began
                if attempts >= self.retry.max_attempts or spent + delay > self.retry.max_total:
                    raise BackendUnavailable(
                        self.backend_id,
                        self.space,
                        cause,
                        attempts=attempts,
                        breaker_state=self.breaker.state,
                    ) from exc
                self.sleeper(delay)
                continue
            self.breaker.record_success()
            return result

    # ----------------------------------------------------------- candidates
    def _candidates(
        self,
        request: GenerationRequest,
        chunks: tuple[int, ...],
        entry: CachedGeneration,
        shared: JSONObject,
    ) -> tuple[Candidate, ...]:
        out = []
        for i, parts in enumerate(entry.candidates):
            meta: JSONObject = {
                "source": "cache" if shared.get("cache") == "hit" else "remote",
                "space": self.space,
                "parameters": shared["parameters"],
                "cache": shared["cache"],
                "breaker_state": self.breaker.state,
                "is_drum": request.role == "drums",
            }
            try:
                notes, info = assemble(request, list(parts), chunks, self.space, i)
                meta.update(info)
            except MidiFileError as exc:
                meta["invalid"] = f"corrupt MIDI from the space: {exc.reason}"
                notes = NoteArray.empty()
            out.append(
                Candidate(index=i, seed=request.candidate_seed(i), notes=notes, metadata=meta)
            )
        return tuple(out)

    # ------------------------------------------------------------ fallback
    def _fall_back(
        self, request: GenerationRequest, exc: BackendUnavailable, tally: _Tally, began: float
    ) -> GenerationResult:
        assert self.fallback is not None
        result = self.fallback.generate(request)
        record: JSONObject = {
            "backend": self.fallback.backend_id,
            "reason": str(exc),
            "cause": exc.cause,
        }
        candidates = tuple(
            replace(
                c,
                metadata={
                    **c.metadata,
                    "source": "fallback",
                    "fallback": self.fallback.backend_id,
                    "breaker_state": self.breaker.state,
                },
            )
            for c in result.candidates
        )
        metadata: JSONObject = {
            **result.metadata,
            "space": self.space,
            "fallback": record,
            "cache": "miss" if self.cache is not None else "off",
            "attempts": tally.attempts,
            "retries": list(tally.retries),
            "breaker": self.breaker.snapshot().to_dict(),
        }
        warning = (
            f"space {self.space!r} unavailable ({exc.cause}); "
            f"candidates from the fallback {self.fallback.backend_id}"
        )
        return GenerationResult(
            request=request,
            backend_id=self.backend_id,
            candidates=candidates,
            duration_ms=(time.perf_counter() - began) * 1000.0,
            metadata=metadata,
            warnings=(*result.warnings, warning),
        )


def assemble(
    request: GenerationRequest,
    parts: list[CachedPart],
    chunks: tuple[int, ...],
    space: str,
    index: int,
) -> tuple[NoteArray, JSONObject]:
    """One candidate's notes from its chunks' files, and where they came from.

    Each chunk's part is cut, trimmed to the chunk's bars and placed after
    the chunks before it.

    Raises
    ------
    MidiFileError
        A chunk's file cannot be parsed.
    """
    pieces: list[NoteArray] = []
    offset = 0.0
    info: JSONObject = {}
    tracks: list[JSONValue] = []
    for number, (part, bars) in enumerate(zip(parts, chunks, strict=False)):
        span = bars * request.beats_per_bar
        got = extract_part(
            part.midi,
            role=request.role,
            prefix_beats=part.prefix_beats,
            span_beats=span,
            source=f"{space} candidate {index} chunk {number}",
        )
        if number == 0:
            info["program"] = got.program
            info["role_match"] = got.match
        tracks.append(list(got.tracks))
        pieces.append(got.notes.shift(offset) if len(got.notes) else got.notes)
        offset += span
    info["tracks"] = tracks
    return (NoteArray.concat(pieces).sort() if pieces else NoteArray.empty()), info


def calls_needed(num_candidates: int, batches: int) -> int:
    """Generate calls for ``num_candidates`` candidates at ``batches`` per call."""
    return math.ceil(num_candidates / max(1, batches))


__all__ = [
    "DEFAULT_SPACE",
    "ORPHEUS_VERSION",
    "OrpheusBackend",
    "Timeouts",
    "assemble",
    "calls_needed",
]
