"""The result cache of remote backends: its key, its entries and the storage protocol.

A remote call is slow and the remote model is not deterministic, so a
backend answers a request it has seen before from its cache. The key is
the canonical request (:func:`cache_key`): backend and space, policy
version, style, tempo, key, meter, role, bars, the emotion quantised to
tenths, the seed and candidate count, and the sampling parameters actually
sent (temperature, top_p, generated tokens, primer digest). Two requests
that differ in any of them, sampling parameters included, never share an
entry.

An entry (:class:`CachedGeneration`) keeps what the Space returned, before
any parsing: per candidate and per chunk, the raw MIDI bytes (``None`` when
the Space sent none) and how many beats of primer to cut from their front.
A hit is parsed by the same code as a fresh answer, so it gives the same
candidates, a corrupt file included.

Storage is a :class:`BackendCache`: :class:`MemoryBackendCache` here (one
process), and a DuckDB implementation beside the Muse history (in
``muse_duckdb``), which also records every lookup as a hit or a miss.

Example
-------
>>> from storpheus.backends.base import GenerationRequest
>>> request = GenerationRequest(role="bass", bars=4, seed=1)
>>> a = cache_key("orpheus", "space", request, {"model_temperature": 0.8})
>>> b = cache_key("orpheus", "space", request, {"model_temperature": 0.9})
>>> a == b
False
>>> cache = MemoryBackendCache()
>>> cache.get(a) is None, cache.stats()
(True, CacheStats(hits=0, misses=1, entries=0))
"""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass
from typing import Protocol

from storpheus.backends.base import GenerationRequest
from storpheus.backends.orpheus.policy import POLICY_VERSION
from storpheus.jsontypes import JSONObject


@dataclass(frozen=True)
class CachedPart:
    """One chunk of one candidate as the Space returned it."""

    midi: bytes | None
    prefix_beats: float = 0.0


@dataclass(frozen=True)
class CachedGeneration:
    """A cached answer to one request: its parts per candidate, and what produced them."""

    key: str
    backend_id: str
    space: str
    request: JSONObject
    parameters: JSONObject
    candidates: tuple[tuple[CachedPart, ...], ...]


@dataclass(frozen=True)
class BackendEvent:
    """One remote generation's outcome, for telemetry.

    ``kind`` is ``"remote"`` (answered by the service), ``"unavailable"``
    (every attempt failed, or the breaker refused) or ``"fallback"``
    (answered by the fallback backend); ``breaker_state`` is the circuit
    breaker's state afterwards.
    """

    key: str
    backend_id: str
    space: str
    kind: str
    attempts: int
    retries: tuple[str, ...]
    breaker_state: str
    detail: str | None = None


@dataclass(frozen=True)
class CacheStats:
    """Lookups answered from the cache, lookups not, and entries stored."""

    hits: int
    misses: int
    entries: int


class BackendCache(Protocol):
    """Where a remote backend keeps its answers (see the module docstring)."""

    def get(self, key: str) -> CachedGeneration | None:
        """The entry for ``key``, or ``None``; counts the lookup as a hit or a miss."""

    def put(self, entry: CachedGeneration) -> None:
        """Store ``entry`` (replacing an entry with the same key)."""

    def stats(self) -> CacheStats:
        """Hits, misses and entries so far."""

    def record(self, event: BackendEvent) -> None:
        """Keep one generation's outcome (attempts, retries, breaker state)."""


def quantise(value: float, step: float = 0.1) -> float:
    """``value`` rounded to the nearest multiple of ``step`` (emotion axes in the key)."""
    return round(round(value / step) * step, 6)


def canonical_request(
    backend: str, space: str, request: GenerationRequest, parameters: JSONObject
) -> JSONObject:
    """The fields of ``request`` and ``parameters`` that the cache key covers."""
    emotion = request.emotion
    return {
        "backend": backend,
        "space": space.rstrip("/"),
        "policy": POLICY_VERSION,
        "style": request.style.strip().lower(),
        "bpm": request.bpm,
        "key": request.key,
        "time_signature": list(request.time_signature),
        "role": request.role,
        "bars": request.bars,
        "emotion": None
        if emotion is None
        else {
            name: quantise(float(v))
            for name, v in sorted(emotion.to_dict().items())
            if isinstance(v, int | float)
        },
        "seed": request.seed,
        "num_candidates": request.num_candidates,
        "parameters": parameters,
    }


def cache_key(backend: str, space: str, request: GenerationRequest, parameters: JSONObject) -> str:
    """SHA-256 of :func:`canonical_request` as canonical JSON."""
    text = json.dumps(
        canonical_request(backend, space, request, parameters),
        sort_keys=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(text.encode()).hexdigest()


class MemoryBackendCache:
    """A :class:`BackendCache` in a dict (one process; thread-safe)."""

    def __init__(self) -> None:
        self._entries: dict[str, CachedGeneration] = {}
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0
        self.events: list[BackendEvent] = []

    def get(self, key: str) -> CachedGeneration | None:
        """The entry for ``key`` or ``None`` (counted)."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                self.misses += 1
            else:
                self.hits += 1
            return entry

    def put(self, entry: CachedGeneration) -> None:
        """Store ``entry``."""
        with self._lock:
            self._entries[entry.key] = entry

    def stats(self) -> CacheStats:
        """Hits, misses and entries."""
        with self._lock:
            return CacheStats(self.hits, self.misses, len(self._entries))

    def record(self, event: BackendEvent) -> None:
        """Append ``event`` to :attr:`events`."""
        with self._lock:
            self.events.append(event)


__all__ = [
    "BackendCache",
    "BackendEvent",
    "CacheStats",
    "CachedGeneration",
    "CachedPart",
    "MemoryBackendCache",
    "cache_key",
    "canonical_request",
    "quantise",
]
