"""Key finding: Krumhansl-Schmuckler correlation with key profiles.

The pitch-class histogram of the pitched notes (drums excluded), each note
weighted by its duration in beats, is correlated (Pearson) with the key
profile rotated to each of the 24 major and minor tonics; the best
correlation names the key. Rotation: the profile value for pitch class
``pc`` in the key on tonic ``t`` is ``profile[(pc - t) % 12]``.

Profiles
--------
The algorithm is Krumhansl-Schmuckler's; the weights it correlates with are
a parameter. The default is the Aarden-Essen profile, which music21's
``analyze("key")`` also uses: on Bach chorales the original
Krumhansl-Kessler profile (``profile="krumhansl"``) often names the dominant
key instead of the tonic (see ``benchmarks/bench_key.py`` for the figures).

Example
-------
>>> from storpheus.notes import NoteArray
>>> scale = NoteArray([57, 59, 60, 62, 64, 65, 67, 68, 69], 90, range(9), 1.0)
>>> key = estimate_key(scale)
>>> key.name, round(key.correlation, 3)
('A minor', 0.763)
"""

from __future__ import annotations

from typing import Final, Literal, Protocol

import numpy as np
import numpy.typing as npt

from storpheus.errors import KeyEstimationError, TheoryError
from storpheus.midi_types import DRUM_CHANNEL
from storpheus.notes import NoteArray
from storpheus.score import Score, Track
from storpheus.theory.keys import MODES, Key


class HasNotes(Protocol):
    """Anything carrying a :class:`NoteArray` as ``notes`` (a backend candidate)."""

    @property
    def notes(self) -> NoteArray:
        """The notes."""
        ...


ProfileName = Literal["krumhansl", "aarden", "temperley"]
DEFAULT_PROFILE: Final[ProfileName] = "aarden"
Music = Score | Track | NoteArray | HasNotes

PROFILES: Final[dict[str, tuple[tuple[float, ...], tuple[float, ...]]]] = {
    # Krumhansl & Kessler (1982), the profiles of the Krumhansl-Schmuckler algorithm.
    "krumhansl": (
        (6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88),
        (6.33, 2.68, 3.52, 5.38, 2.60, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17),
    ),
    # Aarden (2003) / Essen folksong profiles (music21's default for analyze("key")).
    "aarden": (
        (17.7661, 0.145624, 14.9265, 0.160186, 19.8049, 11.3587,
         0.291248, 22.062, 0.145624, 8.15494, 0.232998, 4.95122),
        (18.2648, 0.737619, 14.0499, 16.8599, 0.702494, 14.4362,
         0.702494, 18.6161, 4.56621, 1.93186, 7.37619, 1.75623),
    ),
    # Temperley, Kostka & Payne (2007).
    "temperley": (
        (0.748, 0.060, 0.488, 0.082, 0.670, 0.460, 0.096, 0.715, 0.104, 0.366, 0.057, 0.400),
        (0.712, 0.084, 0.474, 0.618, 0.049, 0.460, 0.105, 0.747, 0.404, 0.067, 0.133, 0.330),
    ),
}  # fmt: skip
"""Major and minor key profiles (tonic first), by name."""


def mode_profile(mode: str, profile: ProfileName = DEFAULT_PROFILE) -> npt.NDArray[np.float64]:
    """The tonic-relative profile (12 weights, tonic first) of any mode.

    Major and minor use the named profile as published. Another mode starts
    from the major profile (major third) or the minor profile (minor third)
    and swaps the weight of each altered degree with its neighbour: dorian is
    the minor profile with the weights of the minor and major sixth swapped,
    mixolydian the major profile with the sevenths swapped, and so on.
    Pentatonic and blues scales keep the profile of their third.

    >>> mode_profile("dorian", "krumhansl")[[8, 9]].tolist()
    [2.69, 3.98]
    """
    major, minor = _profile(profile)
    key = Key(0, mode)
    if key.mode == "major":
        return major.copy()
    if key.mode == "minor":
        return minor.copy()
    scale = set(key.intervals)
    minor_like = 3 in scale and 4 not in scale
    out = (minor if minor_like else major).copy()
    base = set(MODES["minor" if minor_like else "major"])
    for pc in sorted(scale - base):
        for neighbour in ((pc - 1) % 12, (pc + 1) % 12):
            if neighbour in base and neighbour not in scale:
                out[pc], out[neighbour] = out[neighbour], out[pc]
                break
    return out


def _profile(name: str) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    if name not in PROFILES:
        raise TheoryError(f"unknown key profile {name!r}; known: {', '.join(PROFILES)}")
    major, minor = PROFILES[name]
    return np.asarray(major, dtype=np.float64), np.asarray(minor, dtype=np.float64)


def _rotations(profile: str) -> npt.NDArray[np.float64]:
    """(24, 12) centred, unit-norm profiles: 12 major keys (C..B), then 12 minor."""
    cached = _ROTATIONS.get(profile)
    if cached is not None:
        return cached
    major, minor = _profile(profile)
    rows = [np.roll(base, tonic) for base in (major, minor) for tonic in range(12)]
    mat: npt.NDArray[np.float64] = np.asarray(rows, dtype=np.float64)
    mat = mat - mat.mean(axis=1, keepdims=True)
    mat /= np.linalg.norm(mat, axis=1, keepdims=True)
    mat.flags.writeable = False
    _ROTATIONS[profile] = mat
    return mat


_ROTATIONS: dict[str, npt.NDArray[np.float64]] = {}


def pitched_columns(
    music: Music,
) -> tuple[npt.NDArray[np.uint8], npt.NDArray[np.float64]]:
    """Pitch and duration (beats) of every pitched note: drums excluded.

    Drum tracks of a score are left out; in a bare :class:`NoteArray` (or a
    track that is not a drum track) notes on channel 9 are drums. Anything
    else with a ``notes`` :class:`NoteArray` (a backend candidate) is read
    through it.
    """
    if not isinstance(music, Score | Track | NoteArray):
        inner = getattr(music, "notes", None)
        if not isinstance(inner, NoteArray):
            raise TypeError(f"expected a Score, Track or NoteArray, got {type(music).__name__}")
        music = inner
    if isinstance(music, Score):
        tracks = [t.notes for t in music.tracks if not t.is_drum]
        if not tracks:
            return np.empty(0, np.uint8), np.empty(0, np.float64)
        pitch = np.concatenate([n.pitch for n in tracks])
        dur = np.concatenate([n.duration_beats for n in tracks])
        return pitch, dur
    if isinstance(music, Track):
        if music.is_drum:
            return np.empty(0, np.uint8), np.empty(0, np.float64)
        music = music.notes
    keep = music.channel != DRUM_CHANNEL
    if keep.all():
        return music.pitch, music.duration_beats
    return music.pitch[keep], music.duration_beats[keep]


def pitch_class_histogram(
    music: Music, *, weighting: Literal["duration", "count"] = "duration"
) -> npt.NDArray[np.float64]:
    """Pitch-class weights of the pitched notes: summed durations in beats, or counts."""
    pitch, dur = pitched_columns(music)
    pcs = pitch % 12
    if weighting == "duration":
        return np.bincount(pcs, weights=dur, minlength=12).astype(np.float64, copy=False)
    if weighting == "count":
        return np.bincount(pcs, minlength=12).astype(np.float64)
    raise TheoryError(f"weighting={weighting!r} must be 'duration' or 'count'")


def key_correlations(
    histograms: npt.ArrayLike, profile: ProfileName = DEFAULT_PROFILE
) -> npt.NDArray[np.float64]:
    """Pearson correlation of pitch-class histograms with all 24 keys.

    ``histograms`` has shape ``(12,)`` or ``(n, 12)``; the result has shape
    ``(24,)`` or ``(n, 24)``: columns 0-11 are C..B major, 12-23 C..B minor.
    A histogram with no variance (empty, or all twelve classes equal) gives NaN.
    """
    hist = np.asarray(histograms, dtype=np.float64)
    if hist.shape[-1] != 12:
        raise TheoryError(f"histograms must have 12 columns, got shape {hist.shape}")
    centred = hist - hist.mean(axis=-1, keepdims=True)
    norm = np.linalg.norm(centred, axis=-1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        unit = np.where(norm > 0, centred / np.where(norm > 0, norm, 1.0), np.nan)
    result: npt.NDArray[np.float64] = unit @ _rotations(profile).T
    return result


def key_from_index(index: int) -> Key:
    """The key of column ``index`` of :func:`key_correlations` (0-11 major, 12-23 minor)."""
    return Key(int(index) % 12, "major" if index < 12 else "minor")


def estimate_key(
    music: Music,
    *,
    profile: ProfileName = DEFAULT_PROFILE,
    weighting: Literal["duration", "count"] = "duration",
) -> Key:
    """Estimate the key of a score, track or notes (Krumhansl-Schmuckler).

    Returns a :class:`Key` whose ``correlation`` is the winning Pearson
    correlation (-1..1) and whose ``confidence`` is its margin over the
    runner-up key, clipped to 0..1 (0 = a tie). Ties go to the first key in
    the order C..B major, then C..B minor.

    Raises
    ------
    KeyEstimationError
        There are no pitched notes, or every pitch class has the same weight
        (no tonal centre to find).
    """
    hist = pitch_class_histogram(music, weighting=weighting)
    if not hist.any():
        raise KeyEstimationError("no pitched notes to estimate a key from (drums are excluded)")
    corr = key_correlations(hist, profile)
    if np.isnan(corr).any():
        raise KeyEstimationError("all twelve pitch classes have equal weight: no tonal centre")
    best = int(np.argmax(corr))
    top = float(corr[best])
    second = float(np.partition(corr, -2)[-2])
    key = key_from_index(best)
    return Key(key.tonic, key.mode, correlation=top, confidence=min(1.0, max(0.0, top - second)))


def key_fit(
    histograms: npt.ArrayLike, key: Key, profile: ProfileName = DEFAULT_PROFILE
) -> npt.NDArray[np.float64]:
    """Pearson correlation of each histogram with the profile of one ``key``.

    The histograms are rotated to the key's tonic before correlating with the
    tonic-relative :func:`mode_profile`, so transposing the music and the key
    together gives bit-identical results. NaN where a histogram has no variance.
    """
    hist = np.asarray(histograms, dtype=np.float64)
    rotated = np.roll(hist, -key.tonic, axis=-1)
    prof = mode_profile(key.mode, profile)
    prof = prof - prof.mean()
    prof /= np.linalg.norm(prof)
    centred = rotated - rotated.mean(axis=-1, keepdims=True)
    norm = np.linalg.norm(centred, axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        result: npt.NDArray[np.float64] = np.where(
            norm > 0, (centred @ prof) / np.where(norm > 0, norm, 1.0), np.nan
        )
    return result
