"""The parameter policy: how one generation request becomes Orpheus API parameters.

The Orpheus Space has no seed, key, tempo or role input: it continues a
primer. The policy therefore controls the model through the primer and the
sampling settings, and it is a pure function of the request:

``input_midi``
    A primer phrase from the seed library (:func:`storpheus.seeds.select_seed`
    for the request's style, role and key, transposed to the key, chosen with
    a generator seeded from the request seed), or the request's
    ``previous_notes`` when the caller asks for a continuation. Roles the
    library has no phrase for (``fx``) send no primer and name the instrument
    in ``prime_instruments`` instead (the Space ignores it when a primer is
    sent).
``num_gen_tokens``
    ``clamp(round(bars x 128 x (0.75 + 0.5 x density)), 512, 1024)`` per
    chunk: about 128 tokens a bar, scaled by the part's density (the
    constraints' drum density for drums, ``1 - rest_density`` otherwise; the
    style's drum density or the emotion's energy without constraints).
``model_temperature``
    ``0.7 + 0.3 x creativity``, where creativity is the mean of the emotion's
    energy, tension and motion averaged with the style's looseness (swing,
    extended chords); multiplied by ``request.temperature`` and clamped to
    0.7-1.0.
``model_top_p``
    ``0.90 + 0.08 x groove``, where groove averages the style's drum density
    with the emotion's motion and distance (``1 - intimacy``); clamped to
    0.90-0.98.
``num_prime_tokens``
    Always the maximum, 6656: the model is a continuation engine and more
    primer is better.

Requests longer than :data:`MAX_CHUNK_BARS` bars are generated in chunks of
at most that many bars (:func:`chunk_bars`), each chunk continuing the one
before.

Example
-------
>>> from storpheus.backends.base import GenerationRequest
>>> params = parameters_for(GenerationRequest(role="bass", bars=8, seed=3, style="house"))
>>> params.num_gen_tokens, 0.7 <= params.temperature <= 1.0, 0.9 <= params.top_p <= 0.98
(1024, True, True)
>>> chunk_bars(40)
(16, 16, 8)
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from typing import Final

from storpheus.backends.base import GenerationRequest
from storpheus.errors import SeedNotFoundError
from storpheus.jsontypes import JSONObject
from storpheus.notes import NoteArray
from storpheus.score import Score, Track
from storpheus.seeding import rng_for
from storpheus.styles import resolve_style

POLICY_VERSION: Final = "1"
"""Bumped whenever the policy maps a request to different parameters (it is in the cache key)."""

MAX_CHUNK_BARS: Final = 16
"""Longest span generated in one call; longer requests are generated in chunks."""

TOKENS_PER_BAR: Final = 128
MIN_GEN_TOKENS: Final = 512
MAX_GEN_TOKENS: Final = 1024
NUM_PRIME_TOKENS: Final = 6656
TEMPERATURE_RANGE: Final = (0.7, 1.0)
TOP_P_RANGE: Final = (0.90, 0.98)

PRIME_INSTRUMENTS: Final[dict[str, str]] = {
    "drums": "Drums",
    "bass": "Electric Bass(finger)",
    "chords": "Acoustic Grand",
    "keys": "Electric Piano 1",
    "pads": "String Ensemble 1",
    "melody": "Flute",
    "lead": "Lead 1 (square)",
    "arp": "Lead 2 (sawtooth)",
    "fx": "FX 4 (atmosphere)",
}
"""The instrument named in ``prime_instruments`` when no primer phrase is sent."""


@dataclass(frozen=True)
class OrpheusParameters:
    """The values sent to ``/generate_music_and_state`` for one chunk, and where they came from.

    ``input_midi`` holds the primer's MIDI bytes (``None``: no primer);
    ``primer`` names it (a seed id, ``"previous_notes"`` or ``None``) and
    ``primer_beats`` is its length, which the backend cuts from the front of
    every returned file.
    """

    num_gen_tokens: int
    temperature: float
    top_p: float
    num_prime_tokens: int = NUM_PRIME_TOKENS
    input_midi: bytes | None = None
    primer: str | None = None
    primer_transpose: int = 0
    primer_beats: float = 0.0
    prime_instruments: tuple[str, ...] = ()
    apply_sustains: bool = True
    remove_duplicate_pitches: bool = True
    remove_overlapping_durations: bool = True
    add_drums: bool = False
    add_outro: bool = False

    def __post_init__(self) -> None:
        if not 16 <= self.num_gen_tokens <= MAX_GEN_TOKENS:
            raise ValueError(f"num_gen_tokens={self.num_gen_tokens} must be 16-{MAX_GEN_TOKENS}")
        if not 16 <= self.num_prime_tokens <= NUM_PRIME_TOKENS:
            raise ValueError(f"num_prime_tokens={self.num_prime_tokens} must be 16-6656")
        for name in ("temperature", "top_p"):
            value = getattr(self, name)
            if not 0.1 <= value <= 1.0:
                raise ValueError(f"{name}={value} must be within 0.1-1")
        if len(self.prime_instruments) > 5:
            raise ValueError(f"prime_instruments has {len(self.prime_instruments)} names, max 5")

    @property
    def primer_digest(self) -> str | None:
        """SHA-256 of the primer bytes (``None`` without a primer)."""
        return None if self.input_midi is None else hashlib.sha256(self.input_midi).hexdigest()

    def api_arguments(self, input_midi: object) -> dict[str, object]:
        """Keyword arguments of ``/generate_music_and_state`` (``input_midi`` as given)."""
        return {
            "input_midi": input_midi,
            "apply_sustains": self.apply_sustains,
            "remove_duplicate_pitches": self.remove_duplicate_pitches,
            "remove_overlapping_durations": self.remove_overlapping_durations,
            "prime_instruments": list(self.prime_instruments),
            "num_prime_tokens": self.num_prime_tokens,
            "num_gen_tokens": self.num_gen_tokens,
            "model_temperature": self.temperature,
            "model_top_p": self.top_p,
            "add_drums": self.add_drums,
            "add_outro": self.add_outro,
        }

    def to_dict(self) -> JSONObject:
        """JSON-ready record of the parameters (the primer by id and digest, not bytes)."""
        return {
            "num_gen_tokens": self.num_gen_tokens,
            "num_prime_tokens": self.num_prime_tokens,
            "model_temperature": self.temperature,
            "model_top_p": self.top_p,
            "primer": self.primer,
            "primer_sha256": self.primer_digest,
            "primer_transpose": self.primer_transpose,
            "primer_beats": self.primer_beats,
            "prime_instruments": list(self.prime_instruments),
            "apply_sustains": self.apply_sustains,
            "remove_duplicate_pitches": self.remove_duplicate_pitches,
            "remove_overlapping_durations": self.remove_overlapping_durations,
            "add_drums": self.add_drums,
            "add_outro": self.add_outro,
            "policy_version": POLICY_VERSION,
        }


def chunk_bars(bars: int) -> tuple[int, ...]:
    """Split ``bars`` into chunks of at most :data:`MAX_CHUNK_BARS` (the last one shorter)."""
    if bars < 1:
        raise ValueError(f"bars={bars} must be >= 1")
    full, rest = divmod(bars, MAX_CHUNK_BARS)
    return (MAX_CHUNK_BARS,) * full + ((rest,) if rest else ())


def _clamp(value: float, low: float, high: float) -> float:
    return min(high, max(low, value))


def density(request: GenerationRequest) -> float:
    """How busy the part should be, 0-1 (see the module docstring)."""
    constraints = request.constraints
    if constraints is not None:
        if request.role == "drums":
            return constraints.drum_density
        return 1.0 - constraints.rest_density
    if request.role == "drums":
        return resolve_style(request.style).profile.drum_density
    if request.emotion is not None:
        return request.emotion.energy
    return 0.5


def gen_tokens(bars: int, part_density: float) -> int:
    """``clamp(round(bars x 128 x (0.75 + 0.5 x density)), 512, 1024)``."""
    raw = round(bars * TOKENS_PER_BAR * (0.75 + 0.5 * _clamp(part_density, 0.0, 1.0)))
    return int(_clamp(raw, MIN_GEN_TOKENS, MAX_GEN_TOKENS))


def sampling(request: GenerationRequest) -> tuple[float, float]:
    """``(temperature, top_p)`` from the style and the emotion, rounded to 3 decimals."""
    style = resolve_style(request.style).profile
    swing = _clamp((style.swing - 0.5) / 0.25, 0.0, 1.0)
    looseness = 0.5 * swing + 0.25 * float(style.sevenths) + 0.25 * float(style.ninths)
    emotion = request.emotion
    energy = emotion.energy if emotion else 0.5
    tension = emotion.tension if emotion else 0.5
    motion = emotion.motion if emotion else 0.5
    intimacy = emotion.intimacy if emotion else 0.5
    creativity = 0.5 * (energy + tension + motion) / 3.0 + 0.5 * looseness
    low_t, high_t = TEMPERATURE_RANGE
    raw_t = (low_t + (high_t - low_t) * creativity) * request.temperature
    temperature = _clamp(raw_t, low_t, high_t)
    groove = 0.5 * style.drum_density + 0.25 * motion + 0.25 * (1.0 - intimacy)
    low_p, high_p = TOP_P_RANGE
    top_p = _clamp(low_p + (high_p - low_p) * groove, low_p, high_p)
    return round(temperature, 3), round(top_p, 3)


def primer_length(notes: NoteArray, beats_per_bar: float) -> float:
    """Beats the primer occupies: its last note-off rounded up to a whole bar.

    The continuation is taken to start there, so that much is cut from the
    front of every returned file.
    """
    if not len(notes):
        return 0.0
    return math.ceil(float(notes.end_beat.max()) / beats_per_bar - 1e-9) * beats_per_bar


def primer_notes_midi(notes: NoteArray, request: GenerationRequest) -> bytes:
    """``notes`` as a one-track MIDI file at the request's tempo (a continuation primer)."""
    from storpheus.io import score_to_midi_bytes

    is_drum = request.role == "drums"
    track = Track("primer", notes, is_drum=is_drum, role=request.role)
    return score_to_midi_bytes(Score(tracks=(track,), bpm=request.bpm, key=None))


def parameters_for(
    request: GenerationRequest,
    *,
    bars: int | None = None,
    primer: NoteArray | None = None,
    chunk: int = 0,
) -> OrpheusParameters:
    """The parameters of one chunk of ``request`` (``bars`` long, default the whole request).

    ``primer`` overrides the primer (later chunks continue the earlier ones;
    ``previous_notes`` of the request are the primer of the first chunk).
    """
    span = request.bars if bars is None else bars
    temperature, top_p = sampling(request)
    tokens = gen_tokens(span, density(request))
    base = OrpheusParameters(num_gen_tokens=tokens, temperature=temperature, top_p=top_p)
    notes = primer
    name = f"chunk:{chunk - 1}" if primer is not None else None
    if notes is None and request.previous_notes is not None and len(request.previous_notes):
        notes, name = request.previous_notes, "previous_notes"
    if notes is not None and len(notes):
        end = primer_length(notes, request.beats_per_bar)
        return _with_primer(base, primer_notes_midi(notes, request), name, 0, end)
    from storpheus.seeds import select_seed

    try:
        rng = rng_for(request.seed, "primer")
        chosen = select_seed(request.style, request.role, request.key, rng)
    except SeedNotFoundError:
        instrument = PRIME_INSTRUMENTS.get(request.role, "Acoustic Grand")
        return OrpheusParameters(
            num_gen_tokens=tokens,
            temperature=temperature,
            top_p=top_p,
            prime_instruments=(instrument,),
            add_drums=request.role == "drums",
        )
    return _with_primer(
        base,
        chosen.midi_bytes(),
        chosen.info.seed_id,
        chosen.transpose,
        primer_length(chosen.notes, request.beats_per_bar),
    )


def _with_primer(
    base: OrpheusParameters, data: bytes, name: str | None, transpose: int, beats: float
) -> OrpheusParameters:
    return OrpheusParameters(
        num_gen_tokens=base.num_gen_tokens,
        temperature=base.temperature,
        top_p=base.top_p,
        input_midi=data,
        primer=name,
        primer_transpose=transpose,
        primer_beats=beats,
    )


__all__ = [
    "MAX_CHUNK_BARS",
    "POLICY_VERSION",
    "PRIME_INSTRUMENTS",
    "OrpheusParameters",
    "chunk_bars",
    "density",
    "gen_tokens",
    "parameters_for",
    "primer_length",
    "primer_notes_midi",
    "sampling",
]
