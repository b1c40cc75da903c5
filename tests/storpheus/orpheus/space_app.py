"""A local stand-in for the Orpheus Music Transformer Space, served by real Gradio on loopback.

:func:`build_space` makes a Gradio app with the Space's endpoints, parameter
names and return shapes:

* ``/generate_music_and_state(input_midi, apply_sustains, remove_duplicate_pitches,
  remove_overlapping_durations, prime_instruments, num_prime_tokens, num_gen_tokens,
  model_temperature, model_top_p, add_drums, add_outro)`` makes ``BATCHES``
  batches and returns, per batch, audio, plot and a MIDI file (``legacy=True``:
  audio and plot only, like older versions of the Space);
* ``/add_batch(batch_number)`` appends a batch to the session's composition
  (a ``gr.State``) and returns (audio, plot, MIDI of the composition).

Each batch is a real multi-track MIDI file: the primer, then from the next
whole bar a continuation rendered by the embedded backend (drums, bass on
GM program 33, piano chords, a flute melody) in the primer's key and tempo,
``num_gen_tokens / 64`` bars long. Like the real model it is not
deterministic: every call mixes a call counter into its seeds, so only the
backend's cache makes a run reproducible.

:class:`Behaviour` injects the faults the tests need: the first
``fail_first`` calls time out (``"timeout"``: the call sleeps ``delay``
seconds), answer "queue is full" (``"queue_full"``: HTTP 503 on the queue,
what Gradio does when its queue is full), fail with HTTP 500 (``"5xx"``) or
raise "No GPU" (``"no_gpu"``); ``corrupt_batches`` come back truncated.
:func:`serve` runs apps under one uvicorn server on 127.0.0.1.
"""

from __future__ import annotations

import os
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"
os.environ["HF_HUB_OFFLINE"] = "1"
# (set before gradio is imported, so that nothing reaches the internet)

import gradio as gr
import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from starlette.middleware.base import RequestResponseEndpoint

from storpheus.backends.base import GenerationRequest
from storpheus.backends.embedded import EmbeddedBackend
from storpheus.errors import MidiFileError
from storpheus.io import midi_bytes_to_score, score_to_midi_bytes
from storpheus.notes import NoteArray
from storpheus.score import Score, Track
from storpheus.seeding import derive_seed, seed_from_text

BATCHES = 4
"""Batches per generate call (the real Space makes 10; the backend reads the number
from the API description, and four keep the tests fast)."""
PARTS = (("drums", 0, True), ("bass", 33, False), ("chords", 0, False), ("melody", 73, False))
"""(role, GM program, is drum) of the tracks every batch holds."""


@dataclass
class Behaviour:
    """What the stand-in Space does on its next calls (tests change it between calls)."""

    fault: str | None = None
    fail_first: int = 0
    delay: float = 3.0
    corrupt_batches: frozenset[int] = frozenset()
    calls: int = 0
    failures: int = 0
    add_batch_calls: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    wake: threading.Event = field(default_factory=threading.Event)

    def reset(self, fault: str | None = None, fail_first: int = 0, **changes: Any) -> None:
        """Clear the counters and set a new fault."""
        with self.lock:
            self.fault, self.fail_first = fault, fail_first
            self.corrupt_batches = frozenset(changes.get("corrupt_batches", frozenset()))
            self.delay = float(changes.get("delay", 3.0))
            self.calls = self.failures = self.add_batch_calls = 0
            self.wake.clear()

    def next_fault(self, kinds: tuple[str, ...]) -> str | None:
        """The fault of this call if it is one of ``kinds`` and failures remain (counts it)."""
        with self.lock:
            if self.fault in kinds and self.failures < self.fail_first:
                self.failures += 1
                return self.fault
            return None


def _primer(data: bytes | None) -> tuple[Score | None, float]:
    if data is None:
        return None, 0.0
    score = midi_bytes_to_score(data)
    bar = score.beats_per_bar
    end = score.end_beat
    return score, (-(-end // bar)) * bar if end else 0.0


def _batch(primer: Score | None, offset: float, bars: int, seed: int, corrupt: bool) -> bytes:
    backend = EmbeddedBackend()
    key = (primer.key if primer is not None else None) or "C major"
    bpm = primer.bpm if primer is not None else 120
    tracks = list(primer.tracks) if primer is not None else []
    for role, program, is_drum in PARTS:
        request = GenerationRequest(
            role=role, bars=bars, seed=derive_seed(seed, role), key=key, bpm=bpm
        )
        notes = backend.generate(request).candidates[0].notes
        tracks.append(Track(role, notes.shift(offset), program=program, is_drum=is_drum))
    data = score_to_midi_bytes(Score(tuple(tracks), bpm=bpm, key=None))
    return data[: len(data) // 3] if corrupt else data


def _write(folder: Path, name: str, data: bytes) -> str:
    path = folder / name
    path.write_bytes(data)
    return str(path)


def build_space(behaviour: Behaviour, *, legacy: bool = False) -> gr.Blocks:
    """The stand-in Space (see the module docstring)."""
    folder = Path(tempfile.mkdtemp(prefix="orpheus-space-"))

    def generate_music_and_state(
        input_midi: str | None,
        apply_sustains: bool,
        remove_duplicate_pitches: bool,
        remove_overlapping_durations: bool,
        prime_instruments: list[str],
        num_prime_tokens: int,
        num_gen_tokens: int,
        model_temperature: float,
        model_top_p: float,
        add_drums: bool,
        add_outro: bool,
        state: dict[str, Any] | None,
    ) -> list[Any]:
        with behaviour.lock:
            behaviour.calls += 1
            call = behaviour.calls
        fault = behaviour.next_fault(("timeout", "no_gpu"))
        if fault == "timeout":
            behaviour.wake.wait(behaviour.delay)  # a slow GPU; woken when the server stops
        elif fault == "no_gpu":
            raise gr.Error("No GPU is currently available for you after 60s")
        data = Path(input_midi).read_bytes() if input_midi else None
        try:
            primer, offset = _primer(data)
        except MidiFileError as exc:
            raise gr.Error(f"input_midi is not MIDI: {exc}") from exc
        bars = max(1, int(num_gen_tokens) // 64)
        base = seed_from_text(f"{data!r}|{num_gen_tokens}|{model_temperature}|{model_top_p}|{call}")
        batches = [
            _batch(primer, offset, bars, derive_seed(base, b), b in behaviour.corrupt_batches)
            for b in range(BATCHES)
        ]
        new_state = {"primer": data, "offset": offset, "batches": batches, "composition": []}
        out: list[Any] = []
        for b, batch in enumerate(batches):
            out += [None, None]
            if not legacy:
                out.append(_write(folder, f"call{call}-batch{b}.mid", batch))
        return [*out, new_state]

    def add_batch(batch_number: int, state: dict[str, Any] | None) -> list[Any]:
        with behaviour.lock:
            behaviour.add_batch_calls += 1
            number = behaviour.add_batch_calls
        if not state or not state.get("batches"):
            raise gr.Error("generate first")
        raw = state["batches"][int(batch_number)]
        try:
            batch = midi_bytes_to_score(raw)
        except MidiFileError:  # a corrupt batch: hand it back as it is
            return [None, None, _write(folder, f"add{number}.mid", raw), state]
        primer, offset = _primer(state["primer"])
        kept = len(primer.tracks) if primer is not None else 0
        start = float(state.get("end", offset))  # the batch goes after the composition so far
        per_role: dict[str, list[NoteArray]] = dict(state.get("per_role", {}))
        tracks = list(primer.tracks) if primer is not None else []
        for i, (role, program, is_drum) in enumerate(PARTS):
            added = batch.tracks[kept + i].notes
            per_role[role] = [*per_role.get(role, []), added.shift(start - offset)]
            notes = NoteArray.concat(per_role[role])
            tracks.append(Track(role, notes, program=program, is_drum=is_drum))
        composition = Score(tuple(tracks), bpm=batch.bpm)
        bar = composition.beats_per_bar
        end = -(-composition.end_beat // bar) * bar
        data = score_to_midi_bytes(composition)
        new_state = {**state, "per_role": per_role, "end": end}
        return [None, None, _write(folder, f"add{number}.mid", data), new_state]

    with gr.Blocks(analytics_enabled=False) as demo:
        state = gr.State(None)
        input_midi = gr.File(label="Input MIDI")
        flags = [
            gr.Checkbox(True, label=name)
            for name in (
                "Apply sustains",
                "Remove duplicate pitches",
                "Remove overlapping durations",
            )
        ]
        instruments = ["Acoustic Grand", "Drums", "Electric Bass(finger)", "Flute"]
        prime = gr.Dropdown(instruments, value=[], multiselect=True, label="Prime instruments")
        prime_tokens = gr.Slider(16, 6656, value=6656, step=1, label="Number of prime tokens")
        gen_tokens = gr.Slider(16, 1024, value=512, step=1, label="Number of tokens to generate")
        temperature = gr.Slider(0.1, 1, value=0.9, step=0.01, label="Model temperature")
        top_p = gr.Slider(0.1, 1, value=0.96, step=0.01, label="Model sampling top p value")
        drums = gr.Checkbox(False, label="Add drums")
        outro = gr.Checkbox(False, label="Add an outro")
        outputs: list[Any] = []
        for b in range(BATCHES):
            outputs += [gr.Audio(label=f"Batch # {b} audio"), gr.Plot(label=f"Batch # {b} plot")]
            if not legacy:
                outputs.append(gr.File(label=f"Batch # {b} MIDI"))
        batch_number = gr.Number(0, precision=0, label="Batch number")
        final = [gr.Audio(label="Audio"), gr.Plot(label="Plot"), gr.File(label="MIDI")]
        sampling = [temperature, top_p]
        gr.Button("Generate").click(
            generate_music_and_state,
            [input_midi, *flags, prime, prime_tokens, gen_tokens, *sampling, drums, outro, state],
            [*outputs, state],
            api_name="generate_music_and_state",
            concurrency_limit=None,
        )
        gr.Button("Add batch").click(
            add_batch,
            [batch_number, state],
            [*final, state],
            api_name="add_batch",
            concurrency_limit=None,
        )
    return demo


@dataclass
class LocalSpaces:
    """The running server: the base URL of each mounted app and their behaviours."""

    urls: dict[str, str]
    behaviours: dict[str, Behaviour]


def _faults(app: FastAPI, behaviours: dict[str, Behaviour]) -> None:
    @app.middleware("http")
    async def inject(request: Request, call_next: RequestResponseEndpoint) -> Response:
        path = request.url.path
        if request.method == "POST" and path.endswith("/queue/join"):
            for name, behaviour in behaviours.items():
                if path.startswith(f"/{name}/"):
                    fault = behaviour.next_fault(("queue_full", "5xx"))
                    if fault == "queue_full":
                        return JSONResponse({"detail": "Queue is full! Please try again."}, 503)
                    if fault == "5xx":
                        return JSONResponse({"detail": "Internal Server Error"}, 500)
        return await call_next(request)


@contextmanager
def serve(apps: dict[str, bool]) -> Iterator[LocalSpaces]:
    """Serve one stand-in per name (value: legacy shape) under one server on 127.0.0.1."""
    behaviours = {name: Behaviour() for name in apps}
    app = FastAPI()
    _faults(app, behaviours)
    for name, legacy in apps.items():
        app = gr.mount_gradio_app(
            app, build_space(behaviours[name], legacy=legacy), path=f"/{name}"
        )
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=0,
        # "critical": stopping cancels the clients' open heartbeat streams, which
        # uvicorn logs as errors; nothing else is logged above warning here
        log_level="critical",
        lifespan="on",
        timeout_graceful_shutdown=1,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="orpheus-space", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the stand-in Space did not start within 30 s")
        time.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield LocalSpaces({name: f"http://127.0.0.1:{port}/{name}/" for name in apps}, behaviours)
    finally:
        for behaviour in behaviours.values():
            behaviour.wake.set()
        server.should_exit = True
        thread.join(timeout=10)
