"""A thin wrapper over ``gradio_client``: one session per generation, timeouts, MIDI bytes.

:class:`GradioConnector` opens an :class:`OrpheusSession` (a fresh
``gradio_client.Client``: the Space keeps per-session state that grows with
every call, so sessions are never reused). A session reads the Space's API
description once (:meth:`OrpheusSession.shape`), calls
``/generate_music_and_state`` and ``/add_batch`` with their own timeouts,
and returns the MIDI files as bytes (downloaded into a private temporary
folder that is removed when the session closes).

``gradio_client`` is imported on first use; without it the error names
``pip install 'maestro-lab[orpheus]'``.
"""

from __future__ import annotations

import shutil
import tempfile
import threading
from collections.abc import Mapping, Sequence
from concurrent.futures import TimeoutError as FutureTimeout
from pathlib import Path
from typing import Protocol

from storpheus.backends.orpheus.api import (
    ADD_BATCH_ENDPOINT,
    GENERATE_ENDPOINT,
    ApiShape,
    detect_shape,
)
from storpheus.backends.orpheus.policy import OrpheusParameters
from storpheus.errors import BackendError

INSTALL_HINT = "pip install 'maestro-lab[orpheus]'"


class OrpheusSession(Protocol):
    """One conversation with the Space (what the backend needs of a client)."""

    def shape(self) -> ApiShape:
        """The Space's API shape (read from its API description)."""

    def generate(self, params: OrpheusParameters, timeout: float) -> list[bytes | None]:
        """Call ``/generate_music_and_state``; the MIDI bytes of each batch (shape ``midi``)."""

    def add_batch(self, batch: int, timeout: float) -> bytes | None:
        """Call ``/add_batch(batch)``; the MIDI bytes of the session's composition."""

    def close(self) -> None:
        """Release the connection and the downloaded files."""


class Connector(Protocol):
    """Opens a fresh :class:`OrpheusSession` (one per generation)."""

    def __call__(self, space: str, hf_token: str | None, timeout: float) -> OrpheusSession:
        """Connect to ``space`` within ``timeout`` seconds."""


def _timeout_error(what: str, seconds: float) -> TimeoutError:
    return TimeoutError(f"{what} timed out after {seconds:g} s")


class GradioSession:
    """An :class:`OrpheusSession` over a ``gradio_client.Client``."""

    def __init__(self, space: str, hf_token: str | None, timeout: float) -> None:
        try:
            import httpx
            from gradio_client import Client
        except ImportError as exc:  # the optional extra is missing
            raise BackendError(
                "orpheus", f"gradio_client is not installed ({exc}); run {INSTALL_HINT}"
            ) from exc
        self.space = space
        self._folder = Path(tempfile.mkdtemp(prefix="orpheus-"))
        self._shape: ApiShape | None = None
        try:
            self._client = Client(
                space,
                token=hf_token,
                verbose=False,
                download_files=str(self._folder),
                analytics_enabled=False,
                httpx_kwargs={"timeout": httpx.Timeout(timeout)},
            )
        except BaseException:
            shutil.rmtree(self._folder, ignore_errors=True)
            raise

    def shape(self) -> ApiShape:
        """The Space's API shape (read once per session)."""
        if self._shape is None:
            info = self._client.view_api(print_info=False, return_format="dict")
            if not isinstance(info, Mapping):
                raise BackendError("orpheus", f"space {self.space!r} gave no API description")
            self._shape = detect_shape(info, self.space)
        return self._shape

    def _call(self, endpoint: str, timeout: float, **arguments: object) -> tuple[object, ...]:
        job = self._client.submit(api_name=endpoint, **arguments)
        try:
            result = job.result(timeout=timeout)
        except FutureTimeout:
            job.cancel()
            raise _timeout_error(f"{endpoint} on {self.space}", timeout) from None
        if isinstance(result, tuple | list):
            return tuple(result)
        return (result,)

    def generate(self, params: OrpheusParameters, timeout: float) -> list[bytes | None]:
        """Call generate with ``params``; MIDI bytes per batch (``[]`` for shape ``audio_plot``)."""
        from gradio_client import handle_file

        shape = self.shape()
        midi_input: object = None
        if params.input_midi is not None:
            primer = self._folder / "primer.mid"
            primer.write_bytes(params.input_midi)
            midi_input = handle_file(str(primer))
        outputs = self._call(GENERATE_ENDPOINT, timeout, **params.api_arguments(midi_input))
        return [_read(outputs, i, GENERATE_ENDPOINT) for i in shape.midi_outputs]

    def add_batch(self, batch: int, timeout: float) -> bytes | None:
        """Append ``batch`` to the session's composition; its MIDI bytes."""
        position = self.shape().add_batch_midi
        if position is None:
            raise BackendError("orpheus", f"space {self.space!r} has no usable /add_batch")
        outputs = self._call(ADD_BATCH_ENDPOINT, timeout, batch_number=batch)
        return _read(outputs, position, ADD_BATCH_ENDPOINT)

    def close(self) -> None:
        """Stop the client's heartbeat and remove the downloaded files.

        ``Client.close`` waits up to a second for the heartbeat thread; the
        stop signal alone ends it, so the session does not wait.
        """
        stop = getattr(self._client, "_kill_heartbeat", None)
        if isinstance(stop, threading.Event):
            stop.set()
        else:  # another gradio_client version: its own close
            self._client.close()
        shutil.rmtree(self._folder, ignore_errors=True)


def _read(outputs: Sequence[object], index: int, endpoint: str) -> bytes | None:
    """The bytes of the file at ``outputs[index]`` (``None`` when the Space sent none)."""
    if index >= len(outputs):
        raise BackendError(
            "orpheus", f"{endpoint} returned {len(outputs)} values, expected a file at {index}"
        )
    value = outputs[index]
    if isinstance(value, Mapping):  # a FileData dict when files are not downloaded
        value = value.get("path")
    if value is None:
        return None
    if not isinstance(value, str):
        raise BackendError("orpheus", f"{endpoint} value {index} is {type(value).__name__}")
    try:
        return Path(value).read_bytes()
    except OSError as exc:
        raise BackendError("orpheus", f"{endpoint} file {value!r} unreadable: {exc}") from exc


def gradio_connector(space: str, hf_token: str | None, timeout: float) -> OrpheusSession:
    """The default :class:`Connector`: a fresh :class:`GradioSession`."""
    return GradioSession(space, hf_token, timeout)


__all__ = [
    "INSTALL_HINT",
    "Connector",
    "GradioSession",
    "OrpheusSession",
    "gradio_connector",
]
