"""Listen to a score: render it to WAV samples and play it in a notebook.

:func:`render_audio` renders a :class:`~storpheus.score.Score` with
FluidSynth (``pyfluidsynth``, the ``audio`` extra) and a General MIDI
SoundFont when both are available (notes, controllers such as the sustain
pedal, and pitch bends), and otherwise with a small built-in
synthesiser (numpy only: harmonic tones for pitched tracks, tuned noise
and sine sweeps for drums; notes only) that needs no system package.

The SoundFont is the ``soundfont`` argument, else the file named by the
``MAESTRO_SOUNDFONT`` environment variable, else the first of
:data:`SOUNDFONT_PATHS` that exists (Debian's ``fluid-soundfont-gm`` installs
``/usr/share/sounds/sf2/FluidR3_GM.sf2``).

Rendering is offline and deterministic: the same score gives the same
samples, byte for byte (no audio device, no wall clock, FluidSynth's reverb
and chorus off, the built-in noise drawn from fixed seeds). The clip lasts
the score's duration plus a short release tail (:data:`TAIL_SECONDS`).

Example
-------
>>> from maestro_lab.audio import render_audio       # doctest: +SKIP
>>> clip = render_audio(score)                        # doctest: +SKIP
>>> clip.engine, round(clip.duration, 1)              # doctest: +SKIP
('fluidsynth', 74.3)
>>> clip.to_ipython()                                 # a player in the notebook  # doctest: +SKIP
"""

from __future__ import annotations

import io
import os
import wave
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Final, Literal

import numpy as np
import numpy.typing as npt

from maestro_lab.errors import AudioError, MissingExtraError
from storpheus.score import Score, Track

if TYPE_CHECKING:
    from IPython.display import Audio

Engine = Literal["auto", "fluidsynth", "builtin"]
"""Which renderer to use; ``auto`` prefers FluidSynth with a SoundFont."""

SOUNDFONT_ENV: Final = "MAESTRO_SOUNDFONT"
"""Environment variable naming a General MIDI SoundFont (``.sf2``) file."""

SOUNDFONT_PATHS: tuple[str, ...] = (
    "/usr/share/sounds/sf2/FluidR3_GM.sf2",
    "/usr/share/sounds/sf2/default-GM.sf2",
    "/usr/share/soundfonts/FluidR3_GM.sf2",
    "/usr/share/soundfonts/default.sf2",
)
"""Where General MIDI SoundFonts are installed by system packages, searched in order."""

DEFAULT_SAMPLE_RATE: Final = 22050
TAIL_SECONDS: Final = 0.5
"""Release time kept after the last note ends."""

_DRUM_CHANNEL: Final = 9
_PEAK: Final = 0.89


@dataclass(frozen=True, eq=False)
class AudioClip:
    """Rendered audio: stereo float32 samples in [-1, 1], shape ``(frames, 2)``.

    Attributes
    ----------
    samples:
        The signal, one row per frame, left and right.
    sample_rate:
        Frames per second.
    engine:
        ``"fluidsynth"`` or ``"builtin"``.
    soundfont:
        The SoundFont FluidSynth used (``None`` for the built-in synthesiser).
    """

    samples: npt.NDArray[np.float32]
    sample_rate: int
    engine: Literal["fluidsynth", "builtin"]
    soundfont: Path | None = None

    @property
    def duration(self) -> float:
        """Length in seconds."""
        return len(self.samples) / self.sample_rate

    @property
    def peak(self) -> float:
        """The largest absolute sample value (0.0 for silence)."""
        return float(np.abs(self.samples).max()) if self.samples.size else 0.0

    @property
    def rms(self) -> float:
        """Root mean square level of the whole clip."""
        if not self.samples.size:
            return 0.0
        return float(np.sqrt(np.mean(np.square(self.samples, dtype=np.float64))))

    def pcm16(self) -> npt.NDArray[np.int16]:
        """The samples as interleaved 16-bit PCM, shape ``(frames, 2)``."""
        scaled = np.clip(np.round(self.samples * 32767.0), -32768, 32767)
        return scaled.astype(np.int16)

    def to_wav_bytes(self) -> bytes:
        """A complete 16-bit stereo WAV file."""
        buffer = io.BytesIO()
        with wave.open(buffer, "wb") as out:
            out.setnchannels(2)
            out.setsampwidth(2)
            out.setframerate(self.sample_rate)
            out.writeframes(self.pcm16().astype("<i2").tobytes())
        return buffer.getvalue()

    def write_wav(self, path: str | os.PathLike[str]) -> Path:
        """Write :meth:`to_wav_bytes` to ``path`` and return it."""
        out = Path(path)
        out.write_bytes(self.to_wav_bytes())
        return out

    def to_ipython(self) -> Audio:
        """An ``IPython.display.Audio`` player of the clip (shown when a cell ends with it)."""
        try:
            from IPython.display import Audio
        except ImportError as exc:  # pragma: no cover - IPython ships with the lab extra
            raise MissingExtraError("IPython", "lab") from exc
        return Audio(data=self.to_wav_bytes(), rate=self.sample_rate)  # type: ignore[no-untyped-call]

    def _repr_html_(self) -> str:
        html: str = self.to_ipython()._repr_html_()  # type: ignore[no-untyped-call]
        return html


def find_soundfont(soundfont: str | os.PathLike[str] | None = None) -> Path | None:
    """The SoundFont to use: the argument, else ``$MAESTRO_SOUNDFONT``, else a standard path.

    Raises
    ------
    AudioError
        The argument or the environment variable names a file that does not exist.
    """
    if soundfont is not None:
        path = Path(soundfont)
        if not path.is_file():
            raise AudioError(f"SoundFont {str(path)!r} does not exist")
        return path
    named = os.environ.get(SOUNDFONT_ENV, "").strip()
    if named:
        path = Path(named)
        if not path.is_file():
            raise AudioError(f"{SOUNDFONT_ENV}={named!r} names no file")
        return path
    for candidate in SOUNDFONT_PATHS:
        if Path(candidate).is_file():
            return Path(candidate)
    return None


def fluidsynth_available() -> bool:
    """Whether ``pyfluidsynth`` imports (and finds the FluidSynth library)."""
    try:
        import fluidsynth  # noqa: F401
    except (ImportError, OSError):
        return False
    return True


def render_audio(
    score: Score,
    *,
    sample_rate: int = DEFAULT_SAMPLE_RATE,
    engine: Engine = "auto",
    soundfont: str | os.PathLike[str] | None = None,
) -> AudioClip:
    """Render ``score`` to stereo samples.

    Parameters
    ----------
    score:
        What to play (every track; drum tracks on the GM drum kit).
    sample_rate:
        Frames per second (8000-96000).
    engine:
        ``"auto"`` (FluidSynth when it and a SoundFont are available, else
        the built-in synthesiser), ``"fluidsynth"`` or ``"builtin"``.
    soundfont:
        A General MIDI ``.sf2`` file (see :func:`find_soundfont`).

    Returns
    -------
    AudioClip
        Samples lasting the score's duration plus :data:`TAIL_SECONDS`.

    Raises
    ------
    AudioError
        A bad sample rate, a named SoundFont that does not exist, or
        ``engine="fluidsynth"`` without a SoundFont.
    MissingExtraError
        ``engine="fluidsynth"`` and pyfluidsynth is not installed.
    """
    if isinstance(sample_rate, bool) or not 8000 <= int(sample_rate) <= 96000:
        raise AudioError(f"sample_rate {sample_rate!r} must be 8000-96000")
    if engine not in ("auto", "fluidsynth", "builtin"):
        raise AudioError(f"engine {engine!r} must be 'auto', 'fluidsynth' or 'builtin'")
    rate = int(sample_rate)
    if engine == "builtin":
        return _render_builtin(score, rate)
    font = find_soundfont(soundfont)
    if engine == "fluidsynth":
        if not fluidsynth_available():
            raise MissingExtraError("pyfluidsynth", "audio")
        if font is None:
            raise AudioError(
                "no General MIDI SoundFont found: install Debian's fluid-soundfont-gm "
                f"or set {SOUNDFONT_ENV} to an .sf2 file"
            )
        return _render_fluidsynth(score, rate, font)
    if font is not None and fluidsynth_available():
        return _render_fluidsynth(score, rate, font)
    return _render_builtin(score, rate)


def play(
    score: Score,
    *,
    sample_rate: int = DEFAULT_SAMPLE_RATE,
    engine: Engine = "auto",
    soundfont: str | os.PathLike[str] | None = None,
) -> Audio:
    """Render ``score`` (see :func:`render_audio`) and return a notebook audio player."""
    clip = render_audio(score, sample_rate=sample_rate, engine=engine, soundfont=soundfont)
    return clip.to_ipython()


# ------------------------------------------------------------------ timing
def _frames(score: Score, rate: int) -> int:
    seconds = score.end_beat * 60.0 / score.bpm
    return int(np.ceil((seconds + TAIL_SECONDS) * rate))


def _channels(tracks: Sequence[Track]) -> list[int]:
    """A MIDI channel per track: drums on 9, pitched tracks on their own channel if free."""
    used: set[int] = set()
    out: list[int] = []
    for track in tracks:
        if track.is_drum:
            out.append(_DRUM_CHANNEL)
            continue
        wanted = track.channel
        if wanted is None or wanted == _DRUM_CHANNEL or wanted in used:
            free = [c for c in range(16) if c != _DRUM_CHANNEL and c not in used]
            wanted = free[0] if free else 0
        used.add(wanted)
        out.append(wanted)
    return out


def _normalise(stereo: npt.NDArray[np.float64]) -> npt.NDArray[np.float32]:
    peak = float(np.abs(stereo).max()) if stereo.size else 0.0
    if peak > 0.0:
        stereo = stereo * (_PEAK / peak)
    return stereo.astype(np.float32)


# -------------------------------------------------------------- FluidSynth
def _render_fluidsynth(score: Score, rate: int, font: Path) -> AudioClip:
    import fluidsynth

    total = _frames(score, rate)
    synth = fluidsynth.Synth(gain=0.5, samplerate=float(rate))
    try:
        for name, value in (("synth.reverb.active", 0), ("synth.chorus.active", 0)):
            synth.setting(name, value)
        sfid = synth.sfload(str(font))
        if sfid < 0:
            raise AudioError(f"FluidSynth cannot load SoundFont {str(font)!r}")
        # (frame, order, channel, a, b) with, at one frame, note-offs (order 0) first, then
        # controllers (1: number, value), pitch bends (2: value) and note-ons (3: pitch, velocity)
        events: list[tuple[int, int, int, int, int]] = []
        seconds_per_beat = 60.0 / score.bpm
        for track, channel in zip(score.tracks, _channels(score.tracks), strict=True):
            bank = 128 if track.is_drum else 0
            synth.program_select(channel, sfid, bank, 0 if track.is_drum else track.program)
            frames_of = seconds_per_beat * rate
            cc, bends = track.cc, track.bends
            for at, number, value in zip(
                np.round(cc.beat * frames_of).astype(np.int64).tolist(),
                cc.number.tolist(),
                cc.value.tolist(),
                strict=True,
            ):
                events.append((at, 1, channel, number, value))
            for at, value in zip(
                np.round(bends.beat * frames_of).astype(np.int64).tolist(),
                bends.value.tolist(),
                strict=True,
            ):
                events.append((at, 2, channel, value, 0))
            notes = track.notes
            if not len(notes):
                continue
            on = np.round(notes.start_beat * seconds_per_beat * rate).astype(np.int64)
            off = np.round(notes.end_beat * seconds_per_beat * rate).astype(np.int64)
            off = np.maximum(off, on + 1)
            for a, b, p, v in zip(
                on.tolist(),
                off.tolist(),
                notes.pitch.tolist(),
                notes.velocity.tolist(),
                strict=True,
            ):
                events.append((a, 3, channel, p, max(1, v)))
                events.append((b, 0, channel, p, 0))
        events.sort()
        chunks: list[npt.NDArray[np.int16]] = []
        now = 0
        for frame, order, channel, first, second in events:
            frame = min(frame, total)
            if frame > now:
                chunks.append(np.asarray(synth.get_samples(frame - now), dtype=np.int16))
                now = frame
            if order == 0:
                synth.noteoff(channel, first)
            elif order == 1:
                synth.cc(channel, first, second)
            elif order == 2:
                synth.pitch_bend(channel, first)
            else:
                synth.noteon(channel, first, second)
        if total > now:
            chunks.append(np.asarray(synth.get_samples(total - now), dtype=np.int16))
    finally:
        synth.delete()
    flat = np.concatenate(chunks) if chunks else np.zeros(2 * total, dtype=np.int16)
    stereo = flat.astype(np.float64).reshape(-1, 2) / 32768.0
    return AudioClip(_normalise(stereo), rate, "fluidsynth", font)


# ---------------------------------------------------------------- built-in
_HARMONICS: Final[dict[str, tuple[float, ...]]] = {
    "bass": (1.0, 0.5, 0.25, 0.12),
    "pad": (1.0, 0.3, 0.1),
    "lead": (1.0, 0.45, 0.3, 0.2, 0.1),
    "keys": (1.0, 0.35, 0.18, 0.08),
}


def _timbre(track: Track) -> tuple[tuple[float, ...], float]:
    """Harmonic amplitudes and decay time (s) of a pitched track, from its GM program family."""
    program = track.program
    if 32 <= program <= 39:
        return _HARMONICS["bass"], 0.9
    if 48 <= program <= 55 or 88 <= program <= 95:
        return _HARMONICS["pad"], 3.0
    if 56 <= program <= 87:
        return _HARMONICS["lead"], 1.6
    return _HARMONICS["keys"], 1.2


def _pan(index: int, count: int) -> tuple[float, float]:
    """Spread tracks across the stereo field (equal-power), deterministic by index."""
    position = 0.0 if count <= 1 else (index / (count - 1) - 0.5) * 0.6
    angle = (position + 1.0) * np.pi / 4.0
    return float(np.cos(angle)), float(np.sin(angle))


def _tone(
    pitch: int, frames: int, hold: int, rate: int, harmonics: tuple[float, ...], decay: float
) -> npt.NDArray[np.float64]:
    t = np.arange(frames, dtype=np.float64) / rate
    freq = 440.0 * 2.0 ** ((pitch - 69) / 12.0)
    wave_ = np.zeros(frames)
    for k, amp in enumerate(harmonics, start=1):
        if freq * k < rate / 2:
            wave_ += amp * np.sin(2.0 * np.pi * freq * k * t)
    attack = max(1, int(0.005 * rate))
    env = np.exp(-t / decay)
    env[:attack] *= np.linspace(0.0, 1.0, attack)
    release = np.ones(frames)
    if frames > hold:
        release[hold:] = np.exp(-(np.arange(frames - hold) / rate) / 0.06)
    return wave_ * env * release


def _drum(pitch: int, frames: int, rate: int) -> npt.NDArray[np.float64]:
    t = np.arange(frames, dtype=np.float64) / rate
    noise = np.random.default_rng(pitch).standard_normal(frames)
    if pitch in (35, 36):  # kick: a falling sine
        sweep = 2.0 * np.pi * (50.0 * t + 60.0 * (1.0 - np.exp(-t * 30.0)) / 30.0)
        return np.sin(sweep) * np.exp(-t / 0.18) * 1.4
    if pitch in (38, 40, 37, 39):  # snare, clap, rim
        body = np.sin(2.0 * np.pi * 190.0 * t) * np.exp(-t / 0.06)
        return 0.6 * body + 0.5 * noise * np.exp(-t / 0.09)
    if pitch in (42, 44, 46):  # hi-hats: bright short noise
        bright = np.diff(noise, prepend=0.0)
        return 0.35 * bright * np.exp(-t / (0.25 if pitch == 46 else 0.04))
    if pitch in (49, 51, 52, 53, 55, 57, 59):  # cymbals
        return 0.3 * np.diff(noise, prepend=0.0) * np.exp(-t / 0.6)
    # toms and percussion: a pitched thump
    freq = 80.0 + 6.0 * (pitch - 41)
    return 0.8 * np.sin(2.0 * np.pi * freq * t) * np.exp(-t / 0.2) + 0.1 * noise * np.exp(-t / 0.05)


def _render_builtin(score: Score, rate: int) -> AudioClip:
    total = _frames(score, rate)
    mix = np.zeros((total, 2), dtype=np.float64)
    seconds_per_beat = 60.0 / score.bpm
    tracks = score.tracks
    for index, track in enumerate(tracks):
        notes = track.notes
        if not len(notes):
            continue
        left, right = _pan(index, len(tracks))
        harmonics, decay = _timbre(track)
        lane = np.zeros(total, dtype=np.float64)
        starts = np.round(notes.start_beat * seconds_per_beat * rate).astype(np.int64)
        holds = np.maximum(
            1, np.round(notes.duration_beats * seconds_per_beat * rate).astype(np.int64)
        )
        for start, hold, pitch, velocity in zip(
            starts.tolist(),
            holds.tolist(),
            notes.pitch.tolist(),
            notes.velocity.tolist(),
            strict=True,
        ):
            if start >= total:
                continue
            if track.is_drum:
                frames = min(total - start, int(0.8 * rate))
                voice = _drum(pitch, frames, rate)
            else:
                frames = min(total - start, hold + int(0.3 * rate))
                voice = _tone(pitch, frames, hold, rate, harmonics, decay)
            lane[start : start + frames] += voice * (velocity / 127.0)
        mix[:, 0] += lane * left
        mix[:, 1] += lane * right
    return AudioClip(_normalise(mix), rate, "builtin", None)


__all__ = [
    "DEFAULT_SAMPLE_RATE",
    "SOUNDFONT_ENV",
    "SOUNDFONT_PATHS",
    "TAIL_SECONDS",
    "AudioClip",
    "Engine",
    "find_soundfont",
    "fluidsynth_available",
    "play",
    "render_audio",
]
