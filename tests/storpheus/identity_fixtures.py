"""Fixed inputs whose content ids are pinned as golden values in test_identity.py."""

from __future__ import annotations

from storpheus.events import ControlChangeArray, PitchBendArray
from storpheus.notes import NoteArray
from storpheus.score import Score, TimeSignature, Track


def golden_notes() -> NoteArray:
    """A C major arpeggio with one off-grid onset."""
    return NoteArray(
        [60, 64, 67, 72], [90, 80, 85, 100], [0.0, 0.5, 1.0, 1.5], [0.5, 0.5, 0.5, 2.0]
    )


def golden_score() -> Score:
    """Two tracks, drums, CC and bends."""
    lead = Track(
        "lead",
        golden_notes(),
        program=81,
        role="melody",
        cc=ControlChangeArray([64, 64], [127, 0], [0.0, 3.0]),
        bends=PitchBendArray([0, 2048], [0.0, 1.25]),
    )
    kit = Track("drums", NoteArray([36, 38, 42], 100, [0.0, 1.0, 0.5], 0.25), is_drum=True)
    return Score((lead, kit), bpm=96, time_signature=TimeSignature(4, 4), key="C major")


def ids() -> dict[str, str]:
    """The content ids of the fixtures."""
    from storpheus.identity import content_id

    score = golden_score()
    return {
        "notes": content_id(golden_notes()),
        "track": content_id(score.tracks[0]),
        "score": content_id(score),
    }


if __name__ == "__main__":
    import json

    print(json.dumps(ids(), sort_keys=True))
