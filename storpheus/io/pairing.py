"""Pairing note-on and note-off events into notes, the way pretty_midi does.

A Standard MIDI File stores a note as two events, a note-on and a later
note-off of the same pitch on the same channel. When a part sounds a pitch
again before the previous note of that pitch has ended (two voices on one
staff, a re-struck piano key), the pairing is ambiguous. symusic pairs first
in, first out, which gives a note-off to the wrong note-on and carries the
mistake forward: in real quartet and piano files notes come out tens of
beats long, and a note-on left without a partner is dropped.

This module implements the rule pretty_midi and music21 follow, applied to
the events of one track chunk and one channel in file order:

* a note-on (velocity > 0) opens a note;
* a note-off, or a note-on with velocity 0, closes **every** open note of
  its pitch that began at an earlier tick;
* notes that began on the same tick as the note-off stay open, so a note-off
  and a fresh note-on at the same tick give the expected two notes in either
  order; if such a same-tick note is the only open note of its pitch, the
  note-off closes it as a one-tick note (a zero-length note in a file is read
  one tick long, as everywhere in :mod:`storpheus.io`);
* a note still open when its track ends is dropped, and a note-off with
  nothing open is ignored.

:func:`pair_events` is the rule on arrays of events; :func:`scan_events`
extracts those events from MIDI bytes, and :func:`is_ambiguous` tells
whether symusic's first-in-first-out pairing of a group could differ from
this rule (:func:`storpheus.io.midi.midi_bytes_to_score` re-pairs a file's
tracks only then).

Example
-------
>>> onsets, ends = pair_events([0, 100, 200, 300], [60, 60, 60, 60],
...                             [80, 80, 0, 0], [True, True, False, False])
>>> onsets.tolist(), ends.tolist()
([0, 1], [200, 200])
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int64]
ByteArray = npt.NDArray[np.uint8]


@dataclass(frozen=True)
class NoteEvents:
    """Note-on/off events of one track chunk and one channel, in file order.

    ``program`` is the channel's program when each event happened (0 until a
    program change says otherwise).
    """

    chunk: int
    channel: int
    tick: IntArray
    pitch: ByteArray
    velocity: ByteArray
    is_on: npt.NDArray[np.bool_]
    program: ByteArray


def pair_events(
    tick: npt.ArrayLike,
    pitch: npt.ArrayLike,
    velocity: npt.ArrayLike,
    is_on: npt.ArrayLike,
) -> tuple[npt.NDArray[np.intp], IntArray]:
    """Pair events (in file order) into notes: ``(note_on_index, end_tick)``.

    ``is_on`` marks note-on events; a note-on with velocity 0 counts as a
    note-off. Each note is the index of its note-on event (its tick, pitch
    and velocity are the note's) and the tick that ended it; notes come back
    in the order of their note-ons. See the module docstring for the rule.
    """
    ticks = np.asarray(tick, dtype=np.int64)
    pitches = np.asarray(pitch, dtype=np.uint8)
    velocities = np.asarray(velocity, dtype=np.uint8)
    opens = np.asarray(is_on, dtype=np.bool_) & (velocities > 0)
    open_notes: dict[int, list[int]] = {}  # pitch -> indices of open note-ons
    end = np.full(ticks.size, -1, dtype=np.int64)
    for i in range(ticks.size):
        p = int(pitches[i])
        if opens[i]:
            open_notes.setdefault(p, []).append(i)
            continue
        waiting = open_notes.get(p)
        if not waiting:
            continue
        t = ticks[i]
        earlier = [j for j in waiting if ticks[j] != t]
        if not earlier:  # only a same-tick note is open: a zero-length note
            earlier, same = waiting[:1], waiting[1:]
        else:
            same = [j for j in waiting if ticks[j] == t]
        for j in earlier:
            end[j] = t
        if same:
            open_notes[p] = same
        else:
            del open_notes[p]
    closed = np.flatnonzero(end >= 0)
    return closed, end[closed]


@dataclass(frozen=True)
class EventScan:
    """What one walk over a MIDI file's track chunks found.

    ``groups`` holds the note events, one entry per track chunk and channel
    (chunk order, then channel order; empty groups left out); ``aftertouch``
    counts polyphonic and channel aftertouch events, which symusic skips.
    """

    groups: list[NoteEvents]
    aftertouch: int


def scan_events(data: bytes) -> EventScan:
    """Walk a MIDI file's track chunks for note events and aftertouch.

    The walk follows running status and skips meta and system-exclusive
    events by their lengths. The data must already have been accepted by
    symusic (a walk that runs off the end of a chunk stops there).
    """
    header_length = int.from_bytes(data[4:8], "big")
    offset = 8 + header_length
    groups: list[NoteEvents] = []
    aftertouch = 0
    chunk = 0
    while offset + 8 <= len(data):
        length = int.from_bytes(data[offset + 4 : offset + 8], "big")
        body = data[offset + 8 : offset + 8 + length]
        is_track = data[offset : offset + 4] == b"MTrk"
        offset += 8 + length
        if not is_track:
            continue
        rows, touches = _scan_chunk(body)
        aftertouch += touches
        for channel in sorted(rows):
            table = np.array(rows[channel], dtype=np.int64).reshape(-1, 5)
            groups.append(
                NoteEvents(
                    chunk=chunk,
                    channel=channel,
                    tick=table[:, 0],
                    pitch=table[:, 1].astype(np.uint8),
                    velocity=table[:, 2].astype(np.uint8),
                    is_on=table[:, 3].astype(np.bool_),
                    program=table[:, 4].astype(np.uint8),
                )
            )
        chunk += 1
    return EventScan(groups, aftertouch)


_Row = tuple[int, int, int, int, int]


def _scan_chunk(body: bytes) -> tuple[dict[int, list[_Row]], int]:
    """``channel -> [(tick, pitch, velocity, is_on, program)]`` and the aftertouch count."""
    rows: dict[int, list[_Row]] = {}
    programs = [0] * 16
    aftertouch = 0
    i, now, status, end = 0, 0, 0, len(body)
    try:
        while i < end:
            byte = body[i]
            i += 1
            delta = byte & 0x7F
            while byte & 0x80:
                byte = body[i]
                i += 1
                delta = (delta << 7) | (byte & 0x7F)
            now += delta
            if body[i] & 0x80:
                status = body[i]
                i += 1
            kind = status & 0xF0
            if kind in (0x80, 0x90):
                channel = status & 0x0F
                rows.setdefault(channel, []).append(
                    (now, body[i], body[i + 1], int(kind == 0x90), programs[channel])
                )
                i += 2
            elif kind == 0xC0:
                programs[status & 0x0F] = body[i]
                i += 1
            elif kind == 0xD0:
                aftertouch += 1
                i += 1
            elif kind == 0xA0:
                aftertouch += 1
                i += 2
            elif kind in (0xB0, 0xE0):
                i += 2
            else:  # meta (FF type length data) or system exclusive (F0/F7 length data)
                if status == 0xFF:
                    i += 1
                byte = body[i]
                i += 1
                size = byte & 0x7F
                while byte & 0x80:
                    byte = body[i]
                    i += 1
                    size = (size << 7) | (byte & 0x7F)
                i += size
    except IndexError:  # a truncated last event: symusic has read what precedes it
        pass
    return rows, aftertouch


def is_ambiguous(group: NoteEvents) -> bool:
    """Whether first-in-first-out pairing could give other notes than :func:`pair_events`.

    That is the case when a pitch is struck while a note of that pitch is
    sounding, a note-off arrives with nothing sounding, or a note is never
    ended. Vectorised: the running count of open notes per pitch.
    """
    opens = group.is_on & (group.velocity > 0)
    order = np.argsort(group.pitch, kind="stable")
    pitch, opened = group.pitch[order], opens[order]
    step = np.where(opened, 1, -1)
    total = np.cumsum(step)
    starts = np.flatnonzero(np.r_[True, pitch[1:] != pitch[:-1]])
    sizes = np.diff(np.r_[starts, pitch.size])
    sounding = total - np.repeat(total[starts] - step[starts], sizes)  # after each event
    restruck = np.any(opened & (sounding - step >= 1))
    orphan = np.any(sounding < 0)
    dangling = np.any(sounding[starts + sizes - 1] > 0)
    return bool(restruck or orphan or dangling)


@dataclass(frozen=True)
class PairedNotes:
    """Notes of one track chunk, channel and program, as symusic splits tracks."""

    chunk: int
    channel: int
    program: int
    start: IntArray
    duration: IntArray
    pitch: ByteArray
    velocity: ByteArray


def paired_tracks(groups: list[NoteEvents]) -> list[PairedNotes]:
    """Pair every group and split its notes by program, in symusic's track order.

    Notes pair within a chunk and channel whatever the program; each note
    then belongs to the program its channel had at its note-on. Tracks come
    sorted by chunk, channel and program, which is the order symusic gives
    them; tracks left without notes are dropped, as symusic drops them.
    """
    tracks: list[PairedNotes] = []
    for g in groups:
        onsets, ends = pair_events(g.tick, g.pitch, g.velocity, g.is_on)
        programs = g.program[onsets]
        for program in np.unique(programs):
            mine = onsets[programs == program]
            tracks.append(
                PairedNotes(
                    chunk=g.chunk,
                    channel=g.channel,
                    program=int(program),
                    start=g.tick[mine],
                    duration=ends[programs == program] - g.tick[mine],
                    pitch=g.pitch[mine],
                    velocity=g.velocity[mine],
                )
            )
    return tracks
