"""Reading MIDI files and folders of stems into scores for the CLI."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from storpheus.errors import MidiFileError
from storpheus.io import read_midi
from storpheus.score import Score

MIDI_SUFFIXES = (".mid", ".midi")


def midi_files(path: Path) -> list[Path]:
    """The MIDI files of a folder, sorted by name (the file itself for a file)."""
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix.lower() in MIDI_SUFFIXES)
        if not files:
            raise MidiFileError(path, "folder holds no .mid or .midi files")
        return files
    if not path.exists():
        raise MidiFileError(path, "file not found")
    return [path]


def load_score(path: Path) -> tuple[Score, list[str]]:
    """A score from a MIDI file, or from a folder of stems; also returns warnings.

    In a folder each file contributes its tracks, named after the file stem
    (``bass.mid`` -> ``bass``; ``keys.mid`` with two tracks -> ``keys/Piano``,
    ``keys/Strings``). Tempo, meter and key come from the first file; files
    that disagree are reported as warnings.
    """
    files = midi_files(path)
    if len(files) == 1 and not path.is_dir():
        return read_midi(files[0]), []
    scores = [read_midi(f) for f in files]
    first = scores[0]
    warnings = [
        f"{f.name}: {label} {got} differs from {files[0].name} ({want}); using {want}"
        for f, s in zip(files[1:], scores[1:], strict=True)
        for label, got, want in (
            ("tempo", s.bpm, first.bpm),
            ("meter", s.time_signature, first.time_signature),
            ("key", s.key, first.key),
        )
        if got != want
    ]
    tracks = []
    for f, score in zip(files, scores, strict=True):
        for i, track in enumerate(score.tracks):
            name = f.stem if len(score.tracks) == 1 else f"{f.stem}/{track.name or i + 1}"
            tracks.append(dataclasses.replace(track, name=name, channel=None))
    return (
        Score(tuple(tracks), bpm=first.bpm, time_signature=first.time_signature, key=first.key),
        warnings,
    )
