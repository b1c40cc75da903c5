"""Small project states built inline by the tests, and hypothesis strategies."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from hypothesis import strategies as st

from muse_duckdb import ProjectState, RegionState, TrackState
from storpheus.events import ControlChangeArray
from storpheus.notes import NoteArray


def notes(pitches: Sequence[int], starts: Sequence[float] | None = None, **kw: object) -> NoteArray:
    """Quarter notes at 0, 1, 2... unless ``starts`` is given."""
    starts = list(range(len(pitches))) if starts is None else list(starts)
    velocity = kw.get("velocity", 90)
    duration = kw.get("duration", 1.0)
    return NoteArray(list(pitches), velocity, starts, duration)  # type: ignore[arg-type]


def piano_state(pitches: Sequence[int] = (60, 62, 64, 65), bpm: int = 120) -> ProjectState:
    """One piano track with one 8-beat region ``piano/a``."""
    track = TrackState("piano", "Piano")
    region = RegionState("piano/a", "piano", 0.0, 8.0, name="verse", notes=notes(pitches))
    return ProjectState((track,), (region,), bpm=bpm)


def band_state() -> ProjectState:
    """Piano and bass, two regions each (verse at 0, chorus at 8)."""
    piano = TrackState("piano", "Piano")
    bass = TrackState("bass", "Bass", program=33, role="bass")
    regions = (
        RegionState("piano/verse", "piano", 0.0, 8.0, "verse", notes([60, 64, 67, 72])),
        RegionState("piano/chorus", "piano", 8.0, 8.0, "chorus", notes([62, 65, 69, 74])),
        RegionState(
            "bass/verse",
            "bass",
            0.0,
            8.0,
            "verse",
            notes([36, 43], [0.0, 4.0], duration=2.0),
            cc=ControlChangeArray([64, 64], [127, 0], [0.0, 3.5]),
        ),
        RegionState("bass/chorus", "bass", 8.0, 8.0, "chorus", notes([38, 45], [0.0, 4.0])),
    )
    return ProjectState((piano, bass), regions, bpm=100, key="C major")


def with_notes(state: ProjectState, region_id: str, new: NoteArray) -> ProjectState:
    """``state`` with the notes of one region replaced."""
    return state.with_regions([state.region(region_id).with_events(notes=new)])


# ---------------------------------------------------------------- strategies
@st.composite
def note_arrays(draw: st.DrawFn, max_notes: int = 12, grid: bool = True) -> NoteArray:
    """Notes with distinct (pitch, onset) pairs, on a 1/8-beat grid or on any tick."""
    n = draw(st.integers(0, max_notes))
    if grid:
        slots = draw(
            st.lists(
                st.tuples(st.integers(40, 90), st.integers(0, 63)),
                min_size=n,
                max_size=n,
                unique=True,
            )
        )
        starts = [s / 8 for _, s in slots]
    else:
        slots = draw(
            st.lists(
                st.tuples(st.integers(40, 90), st.integers(0, 30_000)),
                min_size=n,
                max_size=n,
                unique=True,
            )
        )
        starts = [s / 960 for _, s in slots]
    pitches = [p for p, _ in slots]
    velocity = draw(st.lists(st.integers(1, 127), min_size=n, max_size=n))
    duration = draw(st.lists(st.integers(1, 16), min_size=n, max_size=n))
    return NoteArray(pitches, velocity, starts, [d / 8 for d in duration])


@st.composite
def project_states(draw: st.DrawFn, grid: bool = True) -> ProjectState:
    """1-3 tracks with 1-3 regions each, random tempo, key and mixer."""
    n_tracks = draw(st.integers(1, 3))
    tracks = []
    regions = []
    for t in range(n_tracks):
        drum = draw(st.booleans())
        tracks.append(
            TrackState(
                f"t{t}",
                draw(st.sampled_from(["Piano", "Bass", "Drums", ""])),
                program=draw(st.integers(0, 127)),
                is_drum=drum,
                role=draw(st.sampled_from([None, "bass", "melody"])),
            )
        )
        for r in range(draw(st.integers(1, 3))):
            regions.append(
                RegionState(
                    f"t{t}/r{r}",
                    f"t{t}",
                    draw(st.integers(0, 64)) / 4,
                    draw(st.integers(1, 64)) / 2,
                    name=draw(st.sampled_from(["verse", "chorus", ""])),
                    notes=draw(note_arrays(grid=grid)),
                )
            )
    return ProjectState(
        tuple(tracks),
        tuple(regions),
        bpm=draw(st.integers(20, 300)),
        key=draw(st.sampled_from([None, "C major", "A minor", "D dorian"])),
    )


Actions = dict[str, dict[int, int]]
"""Per region: note index -> action (0 = velocity change, 1 = removal, 2 = transposition)."""


def disjoint_actions(state: ProjectState, seed: int, take: int, side: int) -> Actions:
    """Random edits of notes whose index modulo 2 equals ``side`` (so two sides are disjoint)."""
    rng = np.random.default_rng(seed)
    out: Actions = {}
    for region in state.regions:
        idx = [i for i in range(len(region.notes)) if i % 2 == side]
        chosen = rng.choice(idx, size=min(take, len(idx)), replace=False).tolist() if idx else []
        out[region.region_id] = {int(i): int(rng.integers(3)) for i in chosen}
    return out


def apply_actions(state: ProjectState, sides: Sequence[tuple[int, Actions]]) -> ProjectState:
    """Apply the edits of one or more sides; each side also adds one note of its own.

    The added note sits 4 + side beats after the region's last note, at a
    pitch only that side uses, so additions of different sides never collide.
    """
    out = []
    for region in state.regions:
        n = region.notes
        pitch = n.pitch.astype(int).copy()
        velocity = n.velocity.astype(int).copy()
        keep = np.ones(len(n), dtype=bool)
        extra = []
        for side, actions in sides:
            for i, action in actions.get(region.region_id, {}).items():
                if action == 0:
                    velocity[i] = velocity[i] % 127 + 1
                elif action == 1:
                    keep[i] = False
                else:
                    pitch[i] = pitch[i] + 1 if pitch[i] < 127 else pitch[i] - 1
            extra.append(NoteArray([50 + side], [77], [float(n.last_beat) + 4 + side], [0.5]))
        kept = NoteArray(pitch[keep], velocity[keep], n.start_beat[keep], n.duration_beats[keep])
        out.append(region.with_events(notes=NoteArray.concat([kept, *extra])))
    return state.with_regions(out)
