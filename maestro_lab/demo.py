"""The main job behind ``make demo``, runnable from Python too.

Until the composition runtime lands, the demo runs the deepest real pipeline
that exists: it builds a four-bar, three-track score through the pydantic
boundary (wire-format note dicts), writes it as a MIDI file with
:func:`storpheus.io.write_midi`, reads it back with
:func:`storpheus.io.read_midi`, checks that the round trip kept every note and
the content id, and draws a piano roll.

Example
-------
>>> from maestro_lab.demo import run_demo           # doctest: +SKIP
>>> result = run_demo("demo-output")               # doctest: +SKIP
>>> result.round_trip_exact                        # doctest: +SKIP
True
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from storpheus.identity import content_id
from storpheus.io import read_midi, write_midi
from storpheus.models import notes_from_dicts
from storpheus.score import Score, TimeSignature, Track

# I - vi - IV - V in C major, one chord a bar: (root pitch class, triad intervals).
_PROGRESSION = ((0, (0, 4, 7)), (9, (0, 3, 7)), (5, (0, 4, 7)), (7, (0, 4, 7)))


@dataclass(frozen=True)
class DemoResult:
    """What the demo produced and measured."""

    midi_path: Path
    pianoroll_path: Path | None
    score_id: str
    read_back_id: str
    n_tracks: int
    n_notes: int

    @property
    def round_trip_exact(self) -> bool:
        """Whether the file round trip preserved the content id."""
        return self.score_id == self.read_back_id


def demo_score() -> Score:
    """The demo's score: chords, bass and drums over I-vi-IV-V, built from wire dicts."""
    chords, bass, drums = [], [], []
    for bar, (root, triad) in enumerate(_PROGRESSION):
        start = bar * 4.0
        for interval in triad:
            chords.append(
                {"pitch": 60 + root + interval, "velocity": 72, "startBeat": start,
                 "durationBeats": 3.75}
            )  # fmt: skip
        for beat, offset in ((0.0, 0), (1.5, 0), (2.0, 7), (3.0, 12)):
            bass.append(
                {"pitch": 36 + root + offset, "velocity": 96, "startBeat": start + beat,
                 "durationBeats": 0.5}
            )  # fmt: skip
        for eighth in range(8):
            drums.append(
                {"pitch": 42, "velocity": 70 if eighth % 2 else 88,
                 "startBeat": start + eighth / 2, "durationBeats": 0.25}
            )  # fmt: skip
        for beat, pitch in ((0.0, 36), (1.0, 38), (2.5, 36), (3.0, 38)):
            drums.append(
                {"pitch": pitch, "velocity": 110, "startBeat": start + beat,
                 "durationBeats": 0.25}
            )  # fmt: skip
    return Score(
        tracks=(
            Track("Keys", notes_from_dicts(chords), program=4, role="chords"),
            Track("Bass", notes_from_dicts(bass), program=33, role="bass"),
            Track("Drums", notes_from_dicts(drums), is_drum=True, role="drums"),
        ),
        bpm=96,
        time_signature=TimeSignature(4, 4),
        key="C major",
    )


def run_demo(out_dir: str | Path, *, plot: bool = True) -> DemoResult:
    """Build, write, re-read and plot the demo score into ``out_dir``."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    score = demo_score()
    midi_path = write_midi(score, out / "demo.mid")
    read_back = read_midi(midi_path)
    roll = None
    if plot:
        from maestro_lab.viz.pianoroll import save_pianoroll

        roll = save_pianoroll(read_back, out / "demo.png", title="Maestro Lab demo: I-vi-IV-V")
    return DemoResult(
        midi_path=midi_path,
        pianoroll_path=roll,
        score_id=content_id(score),
        read_back_id=content_id(read_back),
        n_tracks=len(read_back.tracks),
        n_notes=read_back.n_notes,
    )
