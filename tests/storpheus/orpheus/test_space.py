"""The Orpheus backend against a real Gradio server on 127.0.0.1 (see ``space_app``).

Faults are injected into the server; backoff and breaker cooldowns run on a
:class:`ManualClock`, so no test sleeps through them.
"""

from __future__ import annotations

import pytest

from storpheus.backends.base import GenerationRequest
from storpheus.backends.embedded import EmbeddedBackend
from storpheus.backends.orpheus import (
    CachedGeneration,
    CircuitBreaker,
    ManualClock,
    MemoryBackendCache,
    OrpheusBackend,
    RetryPolicy,
    Timeouts,
)
from storpheus.backends.orpheus.client import GradioSession
from storpheus.errors import BackendUnavailable
from storpheus.sampling import rejection_sample
from tests.storpheus.orpheus.space_app import BATCHES, LocalSpaces

REQUEST = GenerationRequest(
    role="bass", bars=8, seed=11, style="house", key="A minor", bpm=124, num_candidates=4
)


def _backend(url: str, clock: ManualClock | None = None, **kwargs: object) -> OrpheusBackend:
    clock = clock or ManualClock()
    options: dict[str, object] = {"cache": MemoryBackendCache(), **kwargs}
    return OrpheusBackend(space=url, clock=clock, sleeper=clock.sleep, **options)  # type: ignore[arg-type]


def test_the_api_shapes_are_read_from_the_servers_own_description(fresh: LocalSpaces) -> None:
    current = GradioSession(fresh.urls["space"], None, 10.0)
    legacy = GradioSession(fresh.urls["legacy"], None, 10.0)
    try:
        assert current.shape().kind == "midi"
        assert current.shape().midi_outputs == tuple(3 * b + 2 for b in range(BATCHES))
        assert (legacy.shape().kind, legacy.shape().batches) == ("audio_plot", BATCHES)
        assert legacy.shape().add_batch_midi == 2
    finally:
        current.close()
        legacy.close()


@pytest.mark.parametrize("name", ["space", "legacy"])
def test_rejection_sampling_scores_candidates_from_the_local_space(
    fresh: LocalSpaces, name: str
) -> None:
    backend = _backend(fresh.urls[name])
    result = rejection_sample(backend, REQUEST)
    assert len(result.candidates) == 4
    assert all(0.0 < s <= 1.0 for s in result.all_scores)
    assert result.backend_id == "orpheus@1"
    beats = REQUEST.bars * 4
    for seen in result.candidates:
        notes = seen.candidate.notes
        assert len(notes) > 0
        assert float(notes.end_beat.max()) <= beats + 1e-9  # trimmed to the requested bars
        assert set(notes.channel.tolist()) == {1}  # the bass role's channel
        assert seen.candidate.metadata["program"] == 33  # taken from the bass track
        assert seen.candidate.metadata["role_match"] == "family"
        params = seen.candidate.metadata["parameters"]
        assert isinstance(params, dict)
        assert params["num_gen_tokens"] == 1024
        assert 0.7 <= params["model_temperature"] <= 1.0  # type: ignore[operator]
    behaviour = fresh.behaviours[name]
    assert behaviour.calls == 1  # 4 candidates from one call of 4 batches
    assert behaviour.add_batch_calls == (4 if name == "legacy" else 0)


def test_both_shapes_give_the_same_candidates_for_the_same_server_answer(
    fresh: LocalSpaces,
) -> None:
    # both stand-ins draw the same batches on their first call: the legacy path
    # (add_batch, composition minus what came before) must recover the same parts
    current = rejection_sample(_backend(fresh.urls["space"]), REQUEST)
    legacy = rejection_sample(_backend(fresh.urls["legacy"]), REQUEST)
    for a, b in zip(current.candidates, legacy.candidates, strict=True):
        assert a.candidate.notes == b.candidate.notes


def test_a_repeated_request_is_answered_from_the_cache(fresh: LocalSpaces) -> None:
    backend = _backend(fresh.urls["space"])
    first = backend.generate(REQUEST)
    again = backend.generate(REQUEST)
    assert fresh.behaviours["space"].calls == 1
    assert (first.metadata["cache"], again.metadata["cache"]) == ("miss", "hit")
    assert [c.notes for c in first.candidates] == [c.notes for c in again.candidates]
    hotter = backend.generate(GenerationRequest(**{**REQUEST.__dict__, "temperature": 2.0}))
    assert fresh.behaviours["space"].calls == 2  # other sampling parameters: not shared
    assert hotter.metadata["parameters"] != first.metadata["parameters"]


def test_requests_over_16_bars_are_generated_in_chunks_that_continue_each_other(
    fresh: LocalSpaces,
) -> None:
    request = GenerationRequest(role="drums", bars=20, seed=5, style="house", num_candidates=2)
    result = _backend(fresh.urls["space"]).generate(request)
    assert result.metadata["chunks"] == [16, 4]
    assert fresh.behaviours["space"].calls == 1 + 2  # one call, then one per candidate
    for candidate in result.candidates:
        starts = candidate.notes.start_beat
        assert float(starts.max()) >= 64.0  # the second chunk contributed
        assert float(candidate.notes.end_beat.max()) <= 80.0 + 1e-9
        assert set(candidate.notes.channel.tolist()) == {9}


@pytest.mark.parametrize(
    ("fault", "reason"),
    [
        ("queue_full", "queue is full"),
        ("5xx", "server error (500)"),
        ("no_gpu", "no GPU available"),
    ],
)
def test_transient_answers_are_retried_with_backoff_until_they_succeed(
    fresh: LocalSpaces, fault: str, reason: str
) -> None:
    fresh.behaviours["space"].reset(fault, fail_first=2)
    clock = ManualClock()
    backend = _backend(fresh.urls["space"], clock, retry=RetryPolicy(base_delay=1.5))
    result = backend.generate(REQUEST)
    assert result.metadata["retries"] == [reason, reason]
    assert result.metadata["attempts"] == 3
    assert clock.slept == [1.5, 3.0]
    assert result.metadata["breaker"]["state"] == "closed"  # type: ignore[index]
    assert fresh.behaviours["space"].failures == 2


def test_a_generate_call_that_outlives_its_timeout_is_retried(fresh: LocalSpaces) -> None:
    fresh.behaviours["space"].reset("timeout", fail_first=1, delay=30.0)
    backend = _backend(fresh.urls["space"], timeouts=Timeouts(generate=4.0))
    result = backend.generate(REQUEST)
    assert result.metadata["retries"] == ["timeout"]
    assert result.n_candidates == 4


def test_the_breaker_opens_after_n_failures_fails_fast_then_closes_after_a_probe(
    fresh: LocalSpaces,
) -> None:
    behaviour = fresh.behaviours["space"]
    behaviour.reset("5xx", fail_first=2)
    clock = ManualClock()
    breaker = CircuitBreaker(failure_threshold=2, cooldown=60.0, clock=clock)
    retry = RetryPolicy(max_attempts=2, base_delay=1.0)
    backend = _backend(fresh.urls["space"], clock, breaker=breaker, retry=retry)
    with pytest.raises(BackendUnavailable) as caught:
        backend.generate(REQUEST)
    assert caught.value.space == fresh.urls["space"]
    assert "server error (500)" in caught.value.cause
    assert caught.value.breaker_state == "open"
    # open: refused without a request reaching the server
    behaviour.reset()
    with pytest.raises(BackendUnavailable, match="circuit breaker open") as refused:
        backend.generate(REQUEST)
    assert refused.value.attempts == 0
    assert behaviour.calls == 0
    clock.advance(60.0)  # the cooldown passes on the injected clock, no real waiting
    result = backend.generate(REQUEST)  # the half-open probe succeeds
    assert behaviour.calls == 1
    assert result.metadata["breaker"] == {
        "state": "closed",
        "consecutive_failures": 0,
        "opened_count": 1,
        "last_failure": caught.value.cause,
    }
    assert [s for _, s in breaker.transitions] == ["open", "half_open", "closed"]
    cache = backend.cache
    assert isinstance(cache, MemoryBackendCache)
    assert [(e.kind, e.breaker_state, e.attempts) for e in cache.events] == [
        ("unavailable", "open", 2),
        ("unavailable", "open", 0),
        ("remote", "closed", 1),
    ]


def test_with_a_fallback_an_unavailable_space_is_answered_by_the_embedded_backend(
    fresh: LocalSpaces,
) -> None:
    fresh.behaviours["space"].reset("queue_full", fail_first=5)
    backend = _backend(
        fresh.urls["space"], retry=RetryPolicy(max_attempts=2), fallback=EmbeddedBackend()
    )
    result = rejection_sample(backend, REQUEST)
    assert all(c.candidate.metadata["source"] == "fallback" for c in result.candidates)
    raw = backend.generate(REQUEST)
    fallback = raw.metadata["fallback"]
    assert isinstance(fallback, dict)
    assert fallback["backend"] == "embedded@1.0"
    assert "queue is full" in str(fallback["cause"])
    assert any("fallback" in w for w in raw.warnings)
    embedded = EmbeddedBackend().generate(REQUEST)
    assert [c.notes for c in raw.candidates] == [c.notes for c in embedded.candidates]


class BrokenCache(MemoryBackendCache):
    """A cache whose storage fails (a full disk, a locked file)."""

    def put(self, entry: CachedGeneration) -> None:
        raise OSError("No space left on device")


def test_a_failing_cache_is_reported_but_never_fails_the_generation(fresh: LocalSpaces) -> None:
    backend = _backend(fresh.urls["space"], cache=BrokenCache())
    result = backend.generate(REQUEST)
    assert result.n_candidates == 4
    assert any("No space left on device" in w for w in result.warnings)
    assert backend.generate(REQUEST).metadata["cache"] == "miss"  # nothing was kept


def test_a_corrupt_candidate_is_rejected_without_ending_the_run(fresh: LocalSpaces) -> None:
    fresh.behaviours["space"].reset(corrupt_batches=frozenset({1}))
    backend = _backend(fresh.urls["space"])
    result = rejection_sample(backend, REQUEST)
    corrupt = result.candidates[1].candidate
    assert "corrupt MIDI" in str(corrupt.metadata["invalid"])
    assert len(corrupt.notes) == 0
    assert result.all_scores[1] == 0.0
    assert result.best_position != 1
    assert result.decisions()[1].startswith("rejected")
    assert all(len(c.candidate.notes) > 0 for i, c in enumerate(result.candidates) if i != 1)
    # the cache keeps the raw answer: the hit is rejected the same way
    again = backend.generate(REQUEST)
    assert again.metadata["cache"] == "hit"
    assert again.metadata["invalid_candidates"] == [1]
