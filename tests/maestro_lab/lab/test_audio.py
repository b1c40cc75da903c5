"""render_audio: FluidSynth with the General MIDI SoundFont, or the built-in synthesiser."""

from __future__ import annotations

import io
import wave
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from maestro_lab import audio
from maestro_lab.audio import TAIL_SECONDS, find_soundfont, render_audio
from maestro_lab.errors import AudioError
from storpheus.notes import NoteArray
from storpheus.score import Score, Track

SOUNDFONT = Path("/usr/share/sounds/sf2/FluidR3_GM.sf2")


def _score(bpm: int = 100) -> Score:
    """Two bars: a bass line, a chord and a kick/snare/hat pattern."""
    bass = NoteArray(
        pitch=[36, 43, 41, 38], velocity=[90, 80, 85, 70], start_beat=[0, 2, 4, 6],
        duration_beats=[1.5, 1.5, 1.5, 1.5], channel=[0, 0, 0, 0],
    )  # fmt: skip
    chord = NoteArray(
        pitch=[60, 64, 67], velocity=[70, 70, 70], start_beat=[0, 0, 0],
        duration_beats=[8, 8, 8], channel=[1, 1, 1],
    )  # fmt: skip
    drums = NoteArray(
        pitch=[36, 42, 38, 42, 36, 42, 38, 42], velocity=[100] * 8,
        start_beat=[0, 1, 2, 3, 4, 5, 6, 7], duration_beats=[0.25] * 8, channel=[9] * 8,
    )  # fmt: skip
    return Score(
        tracks=(
            Track("Bass", bass, program=33, channel=0, role="bass"),
            Track("Keys", chord, program=0, channel=1, role="chords"),
            Track("Drums", drums, is_drum=True, channel=9, role="drums"),
        ),
        bpm=bpm,
    )


def _seconds(score: Score) -> float:
    return score.end_beat * 60.0 / score.bpm


@pytest.mark.parametrize("engine", ["fluidsynth", "builtin"])
def test_length_matches_the_score_and_the_signal_is_not_silent(engine: str) -> None:
    score = _score()
    clip = render_audio(score, engine=engine)  # type: ignore[arg-type]
    assert clip.engine == engine
    assert abs(clip.duration - _seconds(score)) < 1.0
    assert clip.rms > 0.01
    assert 0.5 < clip.peak <= 1.0
    # sound where the notes are, and the end of the release tail is quieter than the music
    music = clip.samples[: int(_seconds(score) * clip.sample_rate)]
    assert np.sqrt(np.mean(music.astype(np.float64) ** 2)) > 0.01


@pytest.mark.parametrize("engine", ["fluidsynth", "builtin"])
def test_same_score_gives_identical_samples(engine: str) -> None:
    a = render_audio(_score(), engine=engine)  # type: ignore[arg-type]
    b = render_audio(_score(), engine=engine)  # type: ignore[arg-type]
    assert np.array_equal(a.samples, b.samples)
    assert a.to_wav_bytes() == b.to_wav_bytes()
    c = render_audio(_score(bpm=140), engine=engine)  # type: ignore[arg-type]
    assert c.duration < a.duration


def test_the_soundfont_is_found_at_its_standard_path_and_used_by_auto() -> None:
    assert find_soundfont() == SOUNDFONT
    clip = render_audio(_score())
    assert clip.engine == "fluidsynth"
    assert clip.soundfont == SOUNDFONT


def test_without_a_soundfont_auto_falls_back_to_builtin(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(audio, "SOUNDFONT_PATHS", ())
    monkeypatch.delenv(audio.SOUNDFONT_ENV, raising=False)
    assert find_soundfont() is None
    clip = render_audio(_score())
    assert clip.engine == "builtin"
    assert clip.rms > 0.01
    with pytest.raises(AudioError, match="no General MIDI SoundFont found"):
        render_audio(_score(), engine="fluidsynth")


def test_the_environment_variable_names_the_soundfont(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv(audio.SOUNDFONT_ENV, str(SOUNDFONT))
    assert find_soundfont() == SOUNDFONT
    monkeypatch.setenv(audio.SOUNDFONT_ENV, str(tmp_path / "missing.sf2"))
    with pytest.raises(AudioError, match="MAESTRO_SOUNDFONT="):
        render_audio(_score())


def test_bad_settings_are_typed_errors() -> None:
    with pytest.raises(AudioError, match="sample_rate"):
        render_audio(_score(), sample_rate=100)
    with pytest.raises(AudioError, match="engine"):
        render_audio(_score(), engine="piano")  # type: ignore[arg-type]


def test_wav_bytes_hold_the_samples() -> None:
    clip = render_audio(_score(), engine="builtin", sample_rate=16000)
    with wave.open(io.BytesIO(clip.to_wav_bytes())) as wav:
        assert (wav.getnchannels(), wav.getsampwidth(), wav.getframerate()) == (2, 2, 16000)
        frames = np.frombuffer(wav.readframes(wav.getnframes()), dtype="<i2").reshape(-1, 2)
    assert np.array_equal(frames, clip.pcm16())
    assert "<audio" in clip._repr_html_()


@settings(max_examples=15, deadline=None)
@given(
    starts=st.lists(st.floats(0, 16), min_size=1, max_size=6),
    bpm=st.integers(40, 240),
    drum=st.booleans(),
)
def test_builtin_length_is_the_duration_plus_the_tail(
    starts: list[float], bpm: int, drum: bool
) -> None:
    n = len(starts)
    notes = NoteArray(
        pitch=[38 if drum else 60] * n, velocity=[90] * n, start_beat=starts,
        duration_beats=[1.0] * n, channel=[9 if drum else 0] * n,
    )  # fmt: skip
    track = Track("t", notes, is_drum=drum, channel=9 if drum else 0)
    score = Score(tracks=(track,), bpm=bpm)
    clip = render_audio(score, engine="builtin", sample_rate=8000)
    expected = int(np.ceil((_seconds(score) + TAIL_SECONDS) * 8000))
    assert len(clip.samples) == expected
    assert clip.peak > 0


def test_fluidsynth_plays_pitch_bends_and_controllers() -> None:
    from dataclasses import replace

    from storpheus.events import ControlChangeArray, PitchBendArray

    plain = _score()
    bass = plain.tracks[0]
    bent = replace(
        plain,
        tracks=(
            replace(
                bass,
                bends=PitchBendArray(value=[4000, 0], beat=[0.5, 2.0]),
                cc=ControlChangeArray(number=[7], value=[40], beat=[4.0]),
            ),
            *plain.tracks[1:],
        ),
    )
    a = render_audio(plain, engine="fluidsynth")
    b = render_audio(bent, engine="fluidsynth")
    assert a.samples.shape == b.samples.shape
    assert not np.array_equal(a.samples, b.samples)
    assert np.array_equal(b.samples, render_audio(bent, engine="fluidsynth").samples)
