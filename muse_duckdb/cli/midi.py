"""Reading MIDI files and folders of stems into scores for the CLI.

Only regular files are read, up to :data:`MAX_MIDI_BYTES`: a device
(``/dev/zero``), a FIFO or a socket is refused before it is opened (reading
one would never end or never start).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import TYPE_CHECKING, Final

from muse_duckdb.errors import InputFileError

if TYPE_CHECKING:
    from storpheus.score import Score

MIDI_SUFFIXES: Final = (".mid", ".midi")
MAX_MIDI_BYTES: Final = 64 * 1024 * 1024
"""The largest MIDI file the CLI reads (real files are kilobytes to a few megabytes)."""


def check_regular(path: Path, limit: int = MAX_MIDI_BYTES) -> Path:
    """``path`` if it is a regular file of at most ``limit`` bytes, else :class:`InputFileError`."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise InputFileError(path, "file not found") from None
    except OSError as exc:
        raise InputFileError(path, f"cannot read: {exc.strerror or exc}") from exc
    if stat.S_ISDIR(info.st_mode):
        raise InputFileError(path, "is a folder; give a MIDI file")
    if not stat.S_ISREG(info.st_mode):
        kind = (
            "a FIFO"
            if stat.S_ISFIFO(info.st_mode)
            else "a device"
            if stat.S_ISCHR(info.st_mode) or stat.S_ISBLK(info.st_mode)
            else "a socket"
            if stat.S_ISSOCK(info.st_mode)
            else "not a regular file"
        )
        raise InputFileError(path, f"is {kind}; only regular MIDI files are read")
    if info.st_size > limit:
        raise InputFileError(
            path, f"is {info.st_size} bytes; MIDI files larger than {limit} bytes are refused"
        )
    return path


def read_midi_file(path: Path, *, lossy: bool = False) -> Score:
    """:func:`storpheus.io.read_midi` of a checked regular file, lossless unless ``lossy``.

    A file whose music a score cannot keep exactly (a fractional tempo, tempo,
    meter or key changes, aftertouch) is refused with an :class:`InputFileError`
    naming every loss, so that what is committed plays back as the file did;
    ``lossy`` imports it anyway (what a score cannot hold is left out).
    """
    from storpheus.errors import MidiLossError
    from storpheus.io import read_midi

    try:
        return read_midi(check_regular(path), lossless=not lossy)
    except MidiLossError as exc:
        raise InputFileError(
            path,
            "importing it would change the music: "
            + "; ".join(exc.losses)
            + " (pass --lossy to import it without them)",
        ) from exc


def midi_files(path: Path) -> list[Path]:
    """The MIDI files of a folder, sorted by name (the file itself for a file)."""
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix.lower() in MIDI_SUFFIXES)
        if not files:
            raise InputFileError(path, "folder holds no .mid or .midi files")
        return [check_regular(f) for f in files]
    return [check_regular(path)]


def load_score(path: Path, *, lossy: bool = False) -> tuple[Score, list[str]]:
    """A score from a MIDI file, or from a folder of stems; also returns warnings.

    In a folder each file contributes its tracks, named after the file stem
    (``bass.mid`` -> ``bass``; ``keys.mid`` with two tracks -> ``keys/Piano``,
    ``keys/Strings``). Tempo, meter and key come from the first file; files
    that disagree are reported as warnings. ``lossy`` as in :func:`read_midi_file`.
    """
    import dataclasses

    from storpheus.score import Score

    files = midi_files(path)
    if len(files) == 1 and not path.is_dir():
        return read_midi_file(files[0], lossy=lossy), []
    scores = [read_midi_file(f, lossy=lossy) for f in files]
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
