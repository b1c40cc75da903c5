"""The shape of an Orpheus Space's API, read from its own API description.

A Gradio app describes its endpoints (``Client.view_api(return_format="dict")``):
for each named endpoint, its parameters (``parameter_name``, ``component``)
and its return values (``label``, ``component``). :func:`detect_shape` reads
that description and says how to get MIDI out of the Space:

* the current Space returns, for each of its batches, an audio file, a plot
  and a MIDI file from ``/generate_music_and_state``: the candidates are
  those MIDI files (``ApiShape.midi_outputs`` lists their positions);
* older versions returned only audio and plot: the MIDI of batch ``b`` is
  then the third value of ``/add_batch(b)``, which appends the batch to the
  session's composition (``ApiShape.midi_outputs`` is empty).

Example
-------
>>> info = {"named_endpoints": {
...     "/generate_music_and_state": {
...         "parameters": [{"parameter_name": n, "component": "Checkbox"}
...                        for n in GENERATE_PARAMETERS],
...         "returns": [{"label": f"Batch {b} {kind}", "component": comp}
...                     for b in range(2) for kind, comp in
...                     (("audio", "Audio"), ("plot", "Plot"), ("MIDI", "File"))]},
...     "/add_batch": {"parameters": [{"parameter_name": "batch_number"}],
...                    "returns": [{"component": "Audio"}, {"component": "Plot"},
...                                {"component": "File"}]}}}
>>> shape = detect_shape(info)
>>> shape.kind, shape.batches, shape.midi_outputs
('midi', 2, (2, 5))
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final, Literal

from storpheus.errors import BackendError
from storpheus.jsontypes import JSONObject

GENERATE_ENDPOINT: Final = "/generate_music_and_state"
ADD_BATCH_ENDPOINT: Final = "/add_batch"

GENERATE_PARAMETERS: Final = (
    "input_midi",
    "apply_sustains",
    "remove_duplicate_pitches",
    "remove_overlapping_durations",
    "prime_instruments",
    "num_prime_tokens",
    "num_gen_tokens",
    "model_temperature",
    "model_top_p",
    "add_drums",
    "add_outro",
)
"""The parameters of ``/generate_music_and_state``, in the Space's order."""

ShapeKind = Literal["midi", "audio_plot"]


@dataclass(frozen=True)
class ApiShape:
    """How one Space returns its batches.

    Attributes
    ----------
    kind:
        ``"midi"`` (generate returns MIDI files) or ``"audio_plot"`` (MIDI
        only through ``/add_batch``).
    batches:
        Batches one generate call makes.
    midi_outputs:
        Positions of the MIDI files among generate's return values.
    add_batch_midi:
        Position of the MIDI file among ``/add_batch``'s return values
        (``None``: the Space has no usable ``/add_batch``).
    """

    kind: ShapeKind
    batches: int
    midi_outputs: tuple[int, ...]
    add_batch_midi: int | None

    def to_dict(self) -> JSONObject:
        """JSON-ready dict (recorded with every result)."""
        return {
            "kind": self.kind,
            "batches": self.batches,
            "midi_outputs": list(self.midi_outputs),
            "add_batch_midi": self.add_batch_midi,
        }


def _entries(endpoint: Mapping[str, object], key: str) -> list[Mapping[str, object]]:
    raw = endpoint.get(key, [])
    if not isinstance(raw, Sequence) or isinstance(raw, str):
        return []
    return [e for e in raw if isinstance(e, Mapping)]


def _is_midi(entry: Mapping[str, object]) -> bool:
    component = str(entry.get("component", "")).lower()
    label = str(entry.get("label", "")).lower()
    return component == "file" or "midi" in label or label.endswith(".mid")


def _is_audio(entry: Mapping[str, object]) -> bool:
    return str(entry.get("component", "")).lower() == "audio"


def detect_shape(info: Mapping[str, object], space: str = "<space>") -> ApiShape:
    """Read the API description of a Space (see the module docstring).

    Raises
    ------
    BackendError
        The Space lacks ``/generate_music_and_state``, one of its parameters,
        or any way to get MIDI (no MIDI outputs and no ``/add_batch``).
    """
    named = info.get("named_endpoints")
    if not isinstance(named, Mapping) or not isinstance(named.get(GENERATE_ENDPOINT), Mapping):
        raise BackendError("orpheus", f"space {space!r} has no {GENERATE_ENDPOINT} endpoint")
    generate = named[GENERATE_ENDPOINT]
    names = {
        str(p.get("parameter_name") or p.get("label") or "")
        for p in _entries(generate, "parameters")
    }
    missing = [n for n in GENERATE_PARAMETERS if n not in names]
    if missing:
        raise BackendError(
            "orpheus", f"space {space!r}: {GENERATE_ENDPOINT} lacks parameters {missing}"
        )
    returns = _entries(generate, "returns")
    midi = tuple(i for i, entry in enumerate(returns) if _is_midi(entry))
    audio = sum(1 for entry in returns if _is_audio(entry))
    add_batch_midi = None
    add_batch = named.get(ADD_BATCH_ENDPOINT)
    if isinstance(add_batch, Mapping):
        batch_returns = _entries(add_batch, "returns")
        found = [i for i, entry in enumerate(batch_returns) if _is_midi(entry)]
        add_batch_midi = found[0] if found else None
    if midi:
        return ApiShape("midi", len(midi), midi, add_batch_midi)
    if add_batch_midi is None:
        raise BackendError(
            "orpheus",
            f"space {space!r} returns no MIDI from {GENERATE_ENDPOINT} and has no "
            f"{ADD_BATCH_ENDPOINT} returning a MIDI file",
        )
    return ApiShape("audio_plot", max(1, audio), (), add_batch_midi)


__all__ = [
    "ADD_BATCH_ENDPOINT",
    "GENERATE_ENDPOINT",
    "GENERATE_PARAMETERS",
    "ApiShape",
    "detect_shape",
]
