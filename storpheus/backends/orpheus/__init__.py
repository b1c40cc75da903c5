"""The Orpheus backend: the Orpheus Music Transformer Gradio Space as a generation backend.

One module per concern: :mod:`.policy` (request -> API parameters),
:mod:`.api` (the Space's API shape, detected from its description),
:mod:`.client` (``gradio_client`` sessions with timeouts), :mod:`.resilience`
(retries with backoff, circuit breaker, injectable clock), :mod:`.cache`
(the cache key and the storage protocol), :mod:`.parts` (returned MIDI ->
one role's part) and :mod:`.backend` (:class:`OrpheusBackend`).

Needs the ``orpheus`` extra (``pip install 'maestro-lab[orpheus]'``) to talk
to a Space; ``gradio_client`` is imported only when a session opens.

Example
-------
>>> from storpheus.backends.orpheus import OrpheusBackend, MemoryBackendCache
>>> backend = OrpheusBackend(space="http://127.0.0.1:7860/", cache=MemoryBackendCache())
>>> backend.backend_id, backend.capabilities.needs_network
('orpheus@1', True)
"""

from storpheus.backends.orpheus.api import ApiShape, detect_shape
from storpheus.backends.orpheus.backend import DEFAULT_SPACE, OrpheusBackend, Timeouts
from storpheus.backends.orpheus.cache import (
    BackendCache,
    BackendEvent,
    CachedGeneration,
    CachedPart,
    CacheStats,
    MemoryBackendCache,
    cache_key,
)
from storpheus.backends.orpheus.policy import OrpheusParameters, parameters_for
from storpheus.backends.orpheus.resilience import (
    BreakerSnapshot,
    CircuitBreaker,
    ManualClock,
    RetryPolicy,
    transient_reason,
)
from storpheus.errors import BackendUnavailable

__all__ = [
    "DEFAULT_SPACE",
    "ApiShape",
    "BackendCache",
    "BackendEvent",
    "BackendUnavailable",
    "BreakerSnapshot",
    "CacheStats",
    "CachedGeneration",
    "CachedPart",
    "CircuitBreaker",
    "ManualClock",
    "MemoryBackendCache",
    "OrpheusBackend",
    "OrpheusParameters",
    "RetryPolicy",
    "Timeouts",
    "cache_key",
    "detect_shape",
    "parameters_for",
    "transient_reason",
]
