"""Read and write Standard MIDI Files with symusic.

Conventions
-----------
* Times are converted exactly between ticks and beats: ``beat = tick / tpq``
  on read and ``tick = round(beat * tpq)`` on write, where ``tpq`` is the
  score's :attr:`~storpheus.score.Score.ticks_per_quarter`. A file round trip
  is therefore exact at tick resolution.
* Note-ons and note-offs are paired as pretty_midi and music21 pair them
  (:mod:`storpheus.io.pairing`): a note-off ends every sounding note of its
  pitch and channel that began earlier, so a pitch struck again before it
  ended gives two notes that end together, never a note that runs on to a
  later, unrelated note-off. symusic parses the file (and pairs first in,
  first out); a file's tracks are re-paired from its events only when a
  quick walk over its note events finds a case where the two rules differ.
  Files written by :func:`write_midi` (recognised by their layout marker)
  keep symusic's pairing, which is the exact inverse of how they were
  written.
* A zero-length note in a file (note-on and note-off on the same tick) is
  read with a duration of one tick, since durations are positive.
* Notes come back in canonical order (onset, pitch, channel, duration,
  velocity); controller events in time order.
* The tempo is the file's first tempo rounded to an integer BPM and clipped
  to 20-300; later tempo changes are not kept. The meter and key are the
  first time and key signature (4/4 and no key when absent). A lossless
  read (``lossless=True``) raises :class:`~storpheus.errors.MidiLossError`
  naming each such change instead (and aftertouch, which a score read from
  a file cannot hold): importing into version control uses it so that what
  is committed plays back as the file did.
* Channels: symusic does not report a track's channel, so tracks get their
  playback channel (:func:`~storpheus.score.playback_channel`), which is also
  the channel they are written on.
* What symusic or MIDI cannot carry (note-less tracks and their controller
  events, track roles, keys other than major/minor) is written into one
  marker event, described in :mod:`storpheus.io.layout`, and restored on read.
  Files from other programs are read as symusic sees them: note-less tracks
  are skipped.
* Aftertouch: symusic neither reads nor writes aftertouch events.
  :func:`write_midi` refuses a score that has some rather than drop them
  silently, unless ``drop_aftertouch=True``.
"""

from __future__ import annotations

import os
from itertools import pairwise
from pathlib import Path

import numpy as np
import numpy.typing as npt
from symusic import core as sym_core

from storpheus.errors import MidiFileError, MidiLossError
from storpheus.events import ControlChangeArray, PitchBendArray
from storpheus.io.keys import key_name, key_signature
from storpheus.io.layout import Layout, apply_layout, layout_text, parse_layout
from storpheus.io.pairing import EventScan, is_ambiguous, paired_tracks, scan_events
from storpheus.midi_types import BPM
from storpheus.notes import NoteArray
from storpheus.score import Score, TimeSignature, Track, playback_channel

PathLike = str | os.PathLike[str]
_INT32_MAX = np.iinfo(np.int32).max


def read_midi(path: PathLike, *, lossless: bool = False) -> Score:
    """Read a Standard MIDI File into a :class:`Score`.

    With ``lossless=True`` a file whose music the score cannot keep exactly
    (a fractional or out-of-range tempo, later tempo, meter or key changes,
    aftertouch) is refused rather than rounded or trimmed.

    Raises
    ------
    MidiFileError
        The file is missing, a directory, empty, truncated or not MIDI; the
        message names the path and the reason.
    MidiLossError
        ``lossless`` is set and reading would change the music; ``losses``
        lists what would be lost.

    Examples
    --------
    >>> score = read_midi("tests/data/two-tracks-with-drums.mid")  # doctest: +SKIP
    """
    p = Path(path)
    if not p.exists():
        raise MidiFileError(p, "file not found")
    if p.is_dir():
        raise MidiFileError(p, "is a directory, not a MIDI file")
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise MidiFileError(p, f"cannot read file: {exc.strerror or exc}") from exc
    return midi_bytes_to_score(data, source=p, lossless=lossless)


def midi_bytes_to_score(
    data: bytes, source: PathLike = "<bytes>", *, lossless: bool = False
) -> Score:
    """Parse MIDI file contents; ``source`` names the data in error messages.

    ``lossless`` as in :func:`read_midi`.
    """
    if not data:
        raise MidiFileError(source, "file is empty (0 bytes)")
    if data[:4] != b"MThd":
        raise MidiFileError(source, f"not a MIDI file: starts with {data[:4]!r}, expected b'MThd'")
    _check_track_count(data, source)
    try:
        sym = sym_core.ScoreTick.from_midi(data)
    except Exception as exc:  # symusic raises RuntimeError/ValueError with its own text
        raise MidiFileError(source, f"corrupt or truncated MIDI data ({_clean(exc)})") from exc
    tpq = int(sym.ticks_per_quarter)
    if tpq <= 0:
        raise MidiFileError(source, f"unsupported time division: {tpq} ticks per quarter")
    layouts = (parse_layout(str(marker.text)) for marker in sym.markers)
    layout = next((found for found in layouts if found is not None), None)
    scan = None if layout else scan_events(data)  # files of ours pair as written
    if lossless:
        losses = import_losses(sym, scan.aftertouch if scan else 0)
        if losses:
            raise MidiLossError(source, losses)
    try:
        return _from_symusic(sym, tpq, layout, scan)
    except ValueError as exc:
        raise MidiFileError(source, f"invalid value in file: {exc}") from exc


def write_midi(score: Score, path: PathLike, *, drop_aftertouch: bool = False) -> Path:
    """Write ``score`` as a type-1 Standard MIDI File at its own resolution.

    The output bytes depend only on the score, so the same score always
    gives byte-identical files. Returns the path written.

    Raises
    ------
    MidiFileError
        The score has aftertouch (and ``drop_aftertouch`` is false), a note
        with velocity 0 (a note-off in MIDI), a time beyond the file format's
        range, or the file cannot be written.
    """
    p = Path(path)
    data = score_to_midi_bytes(score, source=p, drop_aftertouch=drop_aftertouch)
    try:
        p.write_bytes(data)
    except OSError as exc:
        raise MidiFileError(p, f"cannot write file: {exc.strerror or exc}") from exc
    return p


def score_to_midi_bytes(
    score: Score, source: PathLike = "<bytes>", *, drop_aftertouch: bool = False
) -> bytes:
    """Serialise ``score`` to the bytes :func:`write_midi` would write."""
    tpq = score.ticks_per_quarter
    sym = sym_core.ScoreTick(tpq)
    sym.tempos.append(sym_core.TempoTick(0, qpm=float(score.bpm)))
    ts = score.time_signature
    sym.time_signatures.append(sym_core.TimeSignatureTick(0, ts.numerator, ts.denominator))
    signature = key_signature(score.key) if score.key else None
    if signature is not None:
        sym.key_signatures.append(sym_core.KeySignatureTick(0, signature[0], int(signature[1])))
    sym.markers.append(sym_core.TextMetaTick(0, layout_text(score)))
    for index, track in enumerate(score.tracks):
        if len(track.aftertouch) and not drop_aftertouch:
            raise MidiFileError(
                source,
                f"track {index} ({track.name!r}) has {len(track.aftertouch)} aftertouch events, "
                "which symusic cannot write; pass drop_aftertouch=True to write without them",
            )
        # Note-less tracks are written too (other programs see them and channels stay
        # positional); symusic skips them on read, so the layout marker restores them.
        sym.tracks.append(_to_symusic_track(track, index, tpq, source))
    return bytes(sym.dumps_midi())


# --------------------------------------------------------------------- helpers
def _ticks(
    beats: npt.NDArray[np.float64], tpq: int, what: str, source: PathLike
) -> npt.NDArray[np.int32]:
    ticks = np.rint(beats * tpq)
    if ticks.size and ticks.max() > _INT32_MAX:
        raise MidiFileError(source, f"{what} at beat {beats.max():g} is beyond the MIDI tick range")
    return ticks.astype(np.int32)


def _to_symusic_track(track: Track, index: int, tpq: int, source: PathLike) -> sym_core.TrackTick:
    out = sym_core.TrackTick(track.name, track.program, track.is_drum)
    notes = track.notes
    if len(notes):
        silent = np.flatnonzero(notes.velocity == 0)
        if silent.size:
            raise MidiFileError(
                source,
                f"track {index} ({track.name!r}) note {int(silent[0])} has velocity=0, "
                "which MIDI files store as a note-off",
            )
        notes = notes.sort()
        out.notes = sym_core.NoteTickList.from_numpy(
            _ticks(notes.start_beat, tpq, "note onset", source),
            np.maximum(_ticks(notes.duration_beats, tpq, "note duration", source), 1),
            notes.pitch.astype(np.int8),
            notes.velocity.astype(np.int8),
        )
    if len(track.cc):
        cc = track.cc.sort()
        out.controls = sym_core.ControlChangeTickList.from_numpy(
            _ticks(cc.beat, tpq, "control change", source),
            cc.number.copy(),
            cc.value.copy(),
        )
    if len(track.bends):
        bends = track.bends.sort()
        out.pitch_bends = sym_core.PitchBendTickList.from_numpy(
            _ticks(bends.beat, tpq, "pitch bend", source),
            bends.value.astype(np.int32),
        )
    return out


def import_losses(sym: sym_core.ScoreTick, aftertouch: int = 0) -> list[str]:
    """What reading ``sym`` into a :class:`Score` would change, one sentence each.

    A score has one whole-number tempo (20-300 BPM), one meter and one key;
    ``aftertouch`` is the number of aftertouch events in the file, which a
    score read from a file cannot hold.
    """
    tpq = int(sym.ticks_per_quarter)
    losses: list[str] = []
    tempos = list(sym.tempos)
    if tempos:
        first = tempos[0]
        qpm, bpm = float(first.qpm), _score_bpm(float(first.qpm))
        if abs(round(60_000_000 / bpm) - int(first.mspq)) > 1:
            losses.append(f"tempo {round(qpm, 2):g} bpm would be stored as {bpm} bpm")
        if int(first.time) > 0 and bpm != 120:
            losses.append(
                f"the file plays at the default 120 bpm until beat {first.time / tpq:g}, "
                f"then at {round(qpm, 2):g} bpm; a score has one tempo"
            )
        changes = [t for prev, t in pairwise(tempos) if int(t.mspq) != int(prev.mspq)]
        if changes:
            losses.append(
                f"{len(changes)} later tempo change(s) would be dropped (the first at beat "
                f"{changes[0].time / tpq:g}, to {round(float(changes[0].qpm), 2):g} bpm)"
            )
    meters = list(sym.time_signatures)
    meter_changes = [
        m
        for prev, m in pairwise(meters)
        if (m.numerator, m.denominator) != (prev.numerator, prev.denominator)
    ]
    if meter_changes:
        m = meter_changes[0]
        losses.append(
            f"{len(meter_changes)} later meter change(s) would be dropped (the first at beat "
            f"{m.time / tpq:g}, to {m.numerator}/{m.denominator})"
        )
    keys = list(sym.key_signatures)
    key_changes = [
        k for prev, k in pairwise(keys) if (k.key, k.tonality) != (prev.key, prev.tonality)
    ]
    if key_changes:
        k = key_changes[0]
        losses.append(
            f"{len(key_changes)} later key change(s) would be dropped (the first at beat "
            f"{k.time / tpq:g}, to {key_name(int(k.key), bool(k.tonality))})"
        )
    if aftertouch:
        losses.append(f"{aftertouch} aftertouch event(s) would be dropped")
    return losses


def _score_bpm(qpm: float) -> int:
    low, high = int(BPM.low or 20), int(BPM.high or 300)
    return min(high, max(low, round(qpm)))


def _from_symusic(
    sym: sym_core.ScoreTick, tpq: int, layout: Layout | None, scan: EventScan | None
) -> Score:
    repaired = {} if scan is None else _repaired_notes(sym, scan)
    tracks = [_from_symusic_track(t, tpq, i, repaired.get(i)) for i, t in enumerate(sym.tracks)]
    bpm = _score_bpm(float(sym.tempos[0].qpm)) if len(sym.tempos) else 120
    meter = TimeSignature()
    if len(sym.time_signatures):
        first = sym.time_signatures[0]
        meter = TimeSignature(int(first.numerator), int(first.denominator))
    key = None
    if len(sym.key_signatures):
        first_key = sym.key_signatures[0]
        key = key_name(int(first_key.key), bool(first_key.tonality))
    rebuilt = apply_layout(layout, tracks, tpq) if layout else None
    if layout and rebuilt is not None:
        tracks, key = rebuilt, layout.key
    return Score(tuple(tracks), bpm=bpm, time_signature=meter, key=key, ticks_per_quarter=tpq)


_RawNotes = dict[str, npt.NDArray[np.int64] | npt.NDArray[np.uint8]]


def _repaired_notes(sym: sym_core.ScoreTick, scan: EventScan) -> dict[int, _RawNotes]:
    """Every track's notes re-paired from the file's events, when pairing is ambiguous.

    symusic pairs first in, first out; when a pitch is struck again while
    sounding anywhere in the file (or a note-off or note-on is left without
    its partner), every track is re-paired from the file's events
    (:func:`~storpheus.io.pairing.paired_tracks`). Re-paired tracks come in
    symusic's order; should their number differ from symusic's, each of
    symusic's tracks takes the re-paired track that shares the most
    (onset, pitch) pairs with it.
    """
    groups = scan.groups
    if not any(is_ambiguous(g) for g in groups):
        return {}
    paired = paired_tracks(groups)
    if len(paired) != len(sym.tracks):
        onsets = [set(zip(p.start.tolist(), p.pitch.tolist(), strict=True)) for p in paired]
        order: list[int] = []
        for track in sym.tracks:
            raw = track.notes.numpy()
            keys = set(zip(raw["time"].tolist(), raw["pitch"].tolist(), strict=True))
            shared = [len(keys & found) for found in onsets]
            best = max(shared, default=0)
            order.append(shared.index(best) if best else -1)
    else:
        order = list(range(len(paired)))
    return {
        index: {
            "time": paired[which].start,
            "duration": paired[which].duration,
            "pitch": paired[which].pitch,
            "velocity": paired[which].velocity,
        }
        for index, which in enumerate(order)
        if which >= 0
    }


def _from_symusic_track(
    track: sym_core.TrackTick, tpq: int, index: int, repaired: _RawNotes | None = None
) -> Track:
    """Convert one symusic track (with re-paired notes when ``repaired`` is given).

    Values decoded from MIDI bytes are in range by construction (7-bit data
    bytes, non-negative ticks, 14-bit bends), so the arrays are wrapped
    without re-validation; zero-length notes become one tick long.
    """
    channel = playback_channel(index, bool(track.is_drum))
    raw = repaired if repaired is not None else track.notes.numpy()
    notes = NoteArray.empty()
    if raw["time"].size:
        notes = NoteArray._from_valid(
            {
                "pitch": raw["pitch"],
                "velocity": raw["velocity"],
                "channel": np.full(raw["time"].size, channel, dtype=np.uint8),
                "start_beat": raw["time"] / tpq,
                "duration_beats": np.maximum(raw["duration"], 1) / tpq,
            }
        ).sort()
    cc = ControlChangeArray.empty()
    controls = track.controls.numpy()
    if controls["time"].size:
        cc = ControlChangeArray._from_valid(
            {
                "number": controls["number"],
                "value": controls["value"],
                "beat": controls["time"] / tpq,
            }
        ).sort()
    bends = PitchBendArray.empty()
    raw_bends = track.pitch_bends.numpy()
    if raw_bends["time"].size:
        bends = PitchBendArray._from_valid(
            {"value": raw_bends["value"], "beat": raw_bends["time"] / tpq}
        ).sort()
    return Track(
        name=str(track.name),
        notes=notes,
        program=int(track.program),
        is_drum=bool(track.is_drum),
        channel=channel,
        cc=cc,
        bends=bends,
    )


def _check_track_count(data: bytes, source: PathLike) -> None:
    """Raise if the file holds fewer track chunks than its header declares (truncation).

    Walks only the chunk headers (type and length); symusic parses the events.
    """
    if len(data) < 14:
        return  # symusic reports the short header
    header_length = int.from_bytes(data[4:8], "big")
    declared = int.from_bytes(data[10:12], "big")
    offset, found = 8 + header_length, 0
    while offset + 8 <= len(data):
        length = int.from_bytes(data[offset + 4 : offset + 8], "big")
        if offset + 8 + length > len(data):
            return  # a cut chunk: symusic reports it with its own detail
        found += data[offset : offset + 4] == b"MTrk"
        offset += 8 + length
    if found < declared:
        raise MidiFileError(
            source,
            f"corrupt or truncated MIDI data (header declares {declared} tracks, "
            f"the file holds {found})",
        )


def _clean(exc: BaseException) -> str:
    text = str(exc).replace("MiniMidi: ", "").replace(": iostream error", "").strip()
    return text or type(exc).__name__
