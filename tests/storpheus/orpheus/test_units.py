"""The Orpheus backend's parts that need no server: policy, API shape, breaker, retries, cache."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from muse_duckdb.telemetry.backend_cache import DuckDBBackendCache, cache_lookups
from storpheus.backends.base import GenerationRequest
from storpheus.backends.orpheus import (
    CachedGeneration,
    CachedPart,
    CircuitBreaker,
    ManualClock,
    MemoryBackendCache,
    OrpheusBackend,
    RetryPolicy,
    cache_key,
    detect_shape,
    parameters_for,
    transient_reason,
)
from storpheus.backends.orpheus.api import GENERATE_PARAMETERS
from storpheus.backends.orpheus.parts import extract_part
from storpheus.backends.orpheus.policy import chunk_bars, gen_tokens, sampling
from storpheus.errors import BackendError, BackendUnavailable, MidiFileError
from storpheus.io import score_to_midi_bytes
from storpheus.notes import NoteArray
from storpheus.score import Score, Track
from storpheus.spec import EmotionVector, GenerationConstraints

unit = st.floats(0.0, 1.0, allow_nan=False)
emotions = st.builds(EmotionVector, unit, unit, unit, unit, unit)


# ------------------------------------------------------------------ policy
@given(bars=st.integers(1, 64), density=unit)
def test_generated_tokens_follow_bars_times_128_scaled_by_density_within_512_1024(
    bars: int, density: float
) -> None:
    tokens = gen_tokens(bars, density)
    assert 512 <= tokens <= 1024
    assert tokens == min(1024, max(512, round(bars * 128 * (0.75 + 0.5 * density))))


@given(
    emotion=st.none() | emotions,
    style=st.sampled_from(["pop", "jazz", "house", "lofi", "ambient", "no such style"]),
    scale=st.floats(0.1, 4.0),
)
def test_temperature_and_top_p_stay_in_their_documented_ranges(
    emotion: EmotionVector | None, style: str, scale: float
) -> None:
    request = GenerationRequest(
        role="melody", bars=4, seed=1, style=style, emotion=emotion, temperature=scale
    )
    temperature, top_p = sampling(request)
    assert 0.7 <= temperature <= 1.0
    assert 0.90 <= top_p <= 0.98


def test_more_energy_and_tension_mean_a_hotter_temperature() -> None:
    calm = GenerationRequest(
        role="melody", bars=4, seed=1, emotion=EmotionVector(0, 0.5, 0, 0.5, 0)
    )
    wild = GenerationRequest(
        role="melody", bars=4, seed=1, emotion=EmotionVector(1, 0.5, 1, 0.5, 1)
    )
    assert sampling(wild)[0] > sampling(calm)[0]


@given(bars=st.integers(1, 200))
def test_chunks_cover_the_request_with_at_most_16_bars_each(bars: int) -> None:
    chunks = chunk_bars(bars)
    assert sum(chunks) == bars
    assert all(1 <= c <= 16 for c in chunks)
    assert list(chunks[:-1]) == [16] * (len(chunks) - 1)


def test_the_primer_comes_from_the_seed_library_in_the_requested_key() -> None:
    params = parameters_for(GenerationRequest(role="bass", bars=8, seed=3, key="B minor"))
    assert params.input_midi is not None
    assert params.input_midi[:4] == b"MThd"
    assert params.primer is not None
    assert "bass" in params.primer
    assert params.primer_beats % 4 == 0
    assert params.primer_beats > 0
    assert params.prime_instruments == ()
    assert params.api_arguments(None)["num_prime_tokens"] == 6656


def test_a_continuation_primes_with_the_previous_notes_and_fx_names_an_instrument() -> None:
    previous = NoteArray([60, 62], 90, [0.0, 5.0], 1.0)
    params = parameters_for(GenerationRequest(role="keys", bars=4, seed=1, previous_notes=previous))
    assert params.primer == "previous_notes"
    assert params.primer_beats == 8.0
    fx = parameters_for(GenerationRequest(role="fx", bars=4, seed=1))
    assert fx.input_midi is None
    assert fx.prime_instruments == ("FX 4 (atmosphere)",)


def test_constraints_set_the_density() -> None:
    sparse = GenerationConstraints(rest_density=1.0)
    busy = GenerationConstraints(rest_density=0.0)
    low = parameters_for(GenerationRequest(role="bass", bars=5, seed=1, constraints=sparse))
    high = parameters_for(GenerationRequest(role="bass", bars=5, seed=1, constraints=busy))
    assert (low.num_gen_tokens, high.num_gen_tokens) == (512, 800)


# --------------------------------------------------------------- API shape
def _info(batches: int, with_midi: bool, add_batch: bool = True) -> dict[str, object]:
    kinds = [("audio", "Audio"), ("plot", "Plot")] + ([("MIDI", "File")] if with_midi else [])
    endpoints: dict[str, object] = {
        "/generate_music_and_state": {
            "parameters": [{"parameter_name": n, "component": "X"} for n in GENERATE_PARAMETERS],
            "returns": [
                {"label": f"Batch # {b} {kind}", "component": comp}
                for b in range(batches)
                for kind, comp in kinds
            ],
        }
    }
    if add_batch:
        endpoints["/add_batch"] = {
            "parameters": [{"parameter_name": "batch_number"}],
            "returns": [{"component": "Audio"}, {"component": "Plot"}, {"component": "File"}],
        }
    return {"named_endpoints": endpoints, "unnamed_endpoints": {}}


@given(batches=st.integers(1, 12), with_midi=st.booleans())
def test_both_return_shapes_are_detected_from_the_api_description(
    batches: int, with_midi: bool
) -> None:
    shape = detect_shape(_info(batches, with_midi))
    assert shape.batches == batches
    if with_midi:
        assert shape.kind == "midi"
        assert shape.midi_outputs == tuple(3 * b + 2 for b in range(batches))
    else:
        assert (shape.kind, shape.midi_outputs, shape.add_batch_midi) == ("audio_plot", (), 2)


def test_a_space_without_the_endpoint_or_any_midi_is_refused_by_name() -> None:
    with pytest.raises(BackendError, match="no /generate_music_and_state"):
        detect_shape({"named_endpoints": {"/predict": {}}}, "someone/space")
    with pytest.raises(BackendError, match="no MIDI"):
        detect_shape(_info(2, with_midi=False, add_batch=False))
    info = _info(2, True)
    generate = info["named_endpoints"]["/generate_music_and_state"]  # type: ignore[index]
    generate["parameters"] = generate["parameters"][:-1]
    with pytest.raises(BackendError, match="add_outro"):
        detect_shape(info)


# ----------------------------------------------------------------- retries
def _status(code: int) -> httpx.HTTPStatusError:
    request = httpx.Request("POST", "http://127.0.0.1/queue/join")
    return httpx.HTTPStatusError(
        "x", request=request, response=httpx.Response(code, request=request)
    )


@pytest.mark.parametrize(
    ("exc", "reason"),
    [
        (TimeoutError("late"), "timeout"),
        (httpx.ConnectError("refused"), "connection error"),
        (ConnectionRefusedError(), "connection error"),
        (_status(502), "server error (502)"),
        (_status(429), "rate limited"),
        (ValueError("Queue is full! Please try again."), "queue is full"),
        (ValueError("No GPU is currently available for you after 60s"), "no GPU available"),
        (ValueError("Could not fetch config for https://x.hf.space/"), "space not ready"),
        (_status(404), None),
        (ValueError("input_midi is not MIDI"), None),
    ],
)
def test_transient_failures_are_told_apart_from_permanent_ones(
    exc: BaseException, reason: str | None
) -> None:
    assert transient_reason(exc) == reason


def test_backoff_doubles_up_to_its_cap() -> None:
    policy = RetryPolicy(base_delay=1.0, multiplier=2.0, max_delay=5.0)
    assert [policy.delay(k) for k in range(1, 6)] == [1.0, 2.0, 4.0, 5.0, 5.0]


# ----------------------------------------------------------------- breaker
def test_breaker_opens_after_n_failures_lets_one_probe_after_cooldown_and_closes() -> None:
    clock = ManualClock()
    breaker = CircuitBreaker(failure_threshold=3, cooldown=60.0, clock=clock)
    for _ in range(2):
        assert breaker.allow()
        breaker.record_failure("500")
    assert breaker.state == "closed"
    breaker.record_failure("500")
    assert breaker.state == "open"
    assert not breaker.allow()
    clock.advance(59.0)
    assert not breaker.allow()
    assert breaker.retry_after() == pytest.approx(1.0)
    clock.advance(1.0)
    assert breaker.allow()
    assert breaker.state == "half_open"
    assert not breaker.allow()  # one probe only
    breaker.record_failure("still down")
    assert breaker.state == "open"
    assert breaker.snapshot().opened_count == 2
    clock.advance(60.0)
    assert breaker.allow()
    breaker.record_success()
    assert breaker.snapshot().to_dict() == {
        "state": "closed",
        "consecutive_failures": 0,
        "opened_count": 2,
        "last_failure": "still down",
    }
    assert [s for _, s in breaker.transitions] == [
        "open",
        "half_open",
        "open",
        "half_open",
        "closed",
    ]


def test_an_unreachable_space_is_unavailable_naming_it_and_the_cause() -> None:
    clock = ManualClock()
    backend = OrpheusBackend(
        space="http://127.0.0.1:9/",
        retry=RetryPolicy(max_attempts=3, base_delay=2.0),
        clock=clock,
        sleeper=clock.sleep,
    )
    with pytest.raises(BackendUnavailable) as caught:
        backend.generate(GenerationRequest(role="bass", bars=4, seed=1))
    assert caught.value.space == "http://127.0.0.1:9/"
    assert caught.value.attempts == 3
    assert "connection error" in caught.value.cause
    assert "http://127.0.0.1:9/" in str(caught.value)
    assert clock.slept == [2.0, 4.0]


def test_retries_stop_at_the_total_time_budget() -> None:
    clock = ManualClock()
    backend = OrpheusBackend(
        space="http://127.0.0.1:9/",
        retry=RetryPolicy(max_attempts=10, base_delay=10.0, max_total=25.0),
        clock=clock,
        sleeper=clock.sleep,
    )
    with pytest.raises(BackendUnavailable) as caught:
        backend.generate(GenerationRequest(role="bass", bars=4, seed=1))
    assert caught.value.attempts == 2
    assert clock.slept == [10.0]


# ------------------------------------------------------------------- parts
def _midi(*tracks: Track) -> bytes:
    return score_to_midi_bytes(Score(tracks))


def test_parts_map_programs_and_channels_to_roles_cut_the_primer_and_trim() -> None:
    data = _midi(
        Track("primer", NoteArray([50, 52], 80, [0.0, 2.0], 1.0), program=0),
        Track("kit", NoteArray([36, 38, 36], 100, [4.0, 5.0, 12.0], 0.5), is_drum=True),
        Track("bass", NoteArray([40, 43, 45], 90, [4.0, 6.0, 7.5], 1.0), program=33),
        Track("flute", NoteArray([72, 74], 70, [4.0, 5.0], 0.5), program=73),
    )
    bass = extract_part(data, role="bass", prefix_beats=4.0, span_beats=4.0)
    assert (bass.match, bass.program) == ("family", 33)
    assert bass.notes.pitch.tolist() == [40, 43, 45]
    assert bass.notes.start_beat.tolist() == [0.0, 2.0, 3.5]
    assert bass.notes.duration_beats.tolist() == [1.0, 1.0, 0.5]  # trimmed at the span's end
    assert set(bass.notes.channel.tolist()) == {1}
    drums = extract_part(data, role="drums", prefix_beats=4.0, span_beats=4.0)
    assert drums.match == "drums"
    assert drums.notes.pitch.tolist() == [36, 38]
    assert set(drums.notes.channel.tolist()) == {9}
    pads = extract_part(data, role="pads", prefix_beats=4.0, span_beats=8.0)
    assert pads.match == "fallback"  # no pad program: every pitched track after the primer
    assert sorted(pads.notes.pitch.tolist()) == [40, 43, 45, 72, 74]


def test_a_corrupt_file_raises_a_midi_error_naming_its_source() -> None:
    data = _midi(Track("bass", NoteArray([40], 90, [0.0], 1.0), program=33))
    with pytest.raises(MidiFileError, match="candidate 3"):
        extract_part(
            data[: len(data) // 2],
            role="bass",
            prefix_beats=0,
            span_beats=4,
            source="space candidate 3",
        )


# ------------------------------------------------------------------- cache
@given(
    t1=st.floats(0.7, 1.0),
    t2=st.floats(0.7, 1.0),
    p1=st.floats(0.9, 0.98),
    p2=st.floats(0.9, 0.98),
    seed=st.integers(0, 2**40),
)
def test_requests_differing_in_sampling_parameters_never_share_a_key(
    t1: float, t2: float, p1: float, p2: float, seed: int
) -> None:
    request = GenerationRequest(role="bass", bars=4, seed=seed)
    a = cache_key("orpheus", "s", request, {"model_temperature": t1, "model_top_p": p1})
    b = cache_key("orpheus", "s", request, {"model_temperature": t2, "model_top_p": p2})
    assert (a == b) == (t1 == t2 and p1 == p2)


def test_emotion_is_quantised_in_the_key_but_seed_and_style_are_not() -> None:
    def key(**changes: object) -> str:
        fields: dict[str, object] = {"role": "bass", "bars": 4, "seed": 1, **changes}
        return cache_key("orpheus", "s", GenerationRequest(**fields), {})  # type: ignore[arg-type]

    assert key(emotion=EmotionVector(energy=0.51)) == key(emotion=EmotionVector(energy=0.52))
    assert key(emotion=EmotionVector(energy=0.5)) != key(emotion=EmotionVector(energy=0.7))
    assert key(seed=1) != key(seed=2)
    assert key(style="house") != key(style="jazz")
    assert key(bpm=120) != key(bpm=121)


parts = st.lists(
    st.lists(
        st.builds(CachedPart, st.none() | st.binary(max_size=64), st.floats(0, 64)),
        min_size=1,
        max_size=3,
    ),
    min_size=1,
    max_size=4,
)


_SHARED = DuckDBBackendCache(":memory:")  # one database for every example (migrating is slow)


@given(candidates=parts, key=st.text(min_size=1, max_size=20))
def test_the_duckdb_cache_gives_back_exactly_what_was_stored(
    candidates: list[list[CachedPart]], key: str
) -> None:
    entry = CachedGeneration(
        key, "orpheus@1", "space", {"bars": 4}, {"model_top_p": 0.93},
        tuple(tuple(c) for c in candidates),
    )  # fmt: skip
    _SHARED.put(entry)  # replaces an entry stored under the same key by an earlier example
    assert _SHARED.get(key) == entry


def test_hits_and_misses_are_recorded_in_the_database_file(tmp_path: Path) -> None:
    db = tmp_path / "lab.duckdb"
    cache = DuckDBBackendCache(db, backend="orpheus@1")
    entry = CachedGeneration("k", "orpheus@1", "s", {}, {}, ((CachedPart(b"x", 0.0),),))
    assert cache.get("k") is None
    cache.put(entry)
    assert cache.get("k") == entry
    assert cache.get("k") == entry
    assert DuckDBBackendCache(db).stats().hits == 2  # another instance reads the same file
    frame = cache_lookups(db)
    assert frame[["backend", "hits", "misses"]].to_dict("records") == [
        {"backend": "orpheus@1", "hits": 2, "misses": 1}
    ]
    memory = MemoryBackendCache()
    assert memory.get("k") is None
    memory.put(entry)
    assert memory.get("k") is entry
    assert memory.stats().hits == 1
    assert json.loads(json.dumps(entry.request)) == {}
