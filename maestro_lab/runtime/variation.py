"""The variation of a run: computed against the Muse base commit, streamed as events.

:func:`propose_variation` diffs the project a run built against the state of
its base commit (HEAD, or the tip of the target branch) with
:func:`muse_duckdb.variations.variation_from_states`: structural changes
(tracks, tempo, regions) become the variation's change set, note and
controller changes become phrases (one per region). :func:`emit_variation`
streams it as ``meta`` -> ``phrase``* -> ``done``; phrase note times are
relative to the region start, like Muse's phrases.
"""

from __future__ import annotations

from maestro_lab.runtime.events import DoneEvent, MetaEvent, NoteChange, PhraseEvent
from maestro_lab.runtime.stream import EventStream
from muse_duckdb.repository import Repository
from muse_duckdb.variations import Phrase, Variation, variation_from_states
from storpheus.events import ControlChangeArray, PitchBendArray
from storpheus.models import CCEvent, Note, PitchBend
from storpheus.notes import NoteArray
from storpheus.project import ProjectState


def propose_variation(
    repo: Repository,
    base: ProjectState,
    base_commit_id: str | None,
    target: ProjectState,
    *,
    intent: str,
    explanation: str | None = None,
) -> Variation:
    """Stage ``target`` as a READY variation against ``base`` in ``repo``'s staging area."""
    return variation_from_states(
        repo.variations, base, target, intent, base_commit_id, explanation or None
    )


def emit_variation(
    stream: EventStream, variation: Variation, base: ProjectState, *, intent: str
) -> int:
    """Emit ``meta``, one ``phrase`` per phrase and ``done``; return the number of changes."""
    counts = {
        region_id: base.region(region_id).n_notes if base.has_region(region_id) else 0
        for region_id in variation.affected_regions
    }
    stream.emit(
        MetaEvent(
            variation_id=variation.variation_id,
            base_state_id=variation.base_commit_id,
            intent=intent,
            ai_explanation=variation.explanation,
            affected_tracks=variation.affected_tracks,
            affected_regions=variation.affected_regions,
            note_counts=counts,
        )
    )
    changes = 0
    for phrase in variation.phrases:
        stream.emit(phrase_event(variation.variation_id, phrase))
        changes += phrase.n_changes
    stream.emit(
        DoneEvent(
            variation_id=variation.variation_id,
            phrase_count=len(variation.phrases),
            status="ready",
        )
    )
    return changes


def phrase_event(variation_id: str, phrase: Phrase) -> PhraseEvent:
    """The ``phrase`` event of one Muse phrase."""
    changes = [NoteChange(change_type="added", after=n) for n in _notes(phrase.added)]
    changes += [NoteChange(change_type="removed", before=n) for n in _notes(phrase.removed)]
    changes += [
        NoteChange(change_type="modified", before=b, after=a)
        for b, a in zip(_notes(phrase.modified_before), _notes(phrase.modified_after), strict=True)
    ]
    cc = phrase.cc.added
    bends = phrase.bends.added
    if not isinstance(cc, ControlChangeArray) or not isinstance(bends, PitchBendArray):
        raise TypeError(f"phrase {phrase.phrase_id!r} holds controller events of the wrong kind")
    return PhraseEvent(
        phrase_id=phrase.phrase_id,
        variation_id=variation_id,
        track_id=phrase.track_id,
        region_id=phrase.region_id,
        start_beat=phrase.start_beat,
        end_beat=phrase.end_beat,
        label=phrase.label,
        tags=list(phrase.tags),
        explanation=phrase.explanation,
        note_changes=changes,
        cc_events=[
            CCEvent(cc=n, beat=b, value=v)
            for n, b, v in zip(cc.number.tolist(), cc.beat.tolist(), cc.value.tolist(), strict=True)
        ],
        pitch_bends=[
            PitchBend(beat=b, value=v)
            for b, v in zip(bends.beat.tolist(), bends.value.tolist(), strict=True)
        ],
    )


def _notes(notes: NoteArray) -> list[Note]:
    return [
        Note(pitch=p, velocity=v, channel=c, start_beat=s, duration_beats=d)
        for p, v, c, s, d in zip(
            notes.pitch.tolist(),
            notes.velocity.tolist(),
            notes.channel.tolist(),
            notes.start_beat.tolist(),
            notes.duration_beats.tolist(),
            strict=True,
        )
    ]


__all__ = ["emit_variation", "phrase_event", "propose_variation"]
