from __future__ import annotations

import pytest

from muse_duckdb import TrackState, VariationState
from muse_duckdb.errors import (
    PhraseNotFoundError,
    StaleBaseError,
    VariationNotFoundError,
    VariationStateError,
)
from muse_duckdb.variations import TRANSITIONS, Phrase, VariationStore
from storpheus.notes import NoteArray
from tests.muse_duckdb.states import band_state, notes, with_notes


def busier(state):
    """Bass verse rewritten across both halves (two 1-bar phrases with phrase_bars=1)."""
    return with_notes(state, "bass/verse", notes([36, 38, 43, 45], [0, 1, 4, 5], duration=2.0))


def test_propose_stages_phrases_against_head_without_committing(repo):
    head = repo.commit(band_state(), "band")
    v = repo.propose(busier(band_state()), "busier bass", explanation="more motion", phrase_bars=1)
    assert v.state is VariationState.READY
    assert v.base_commit_id == head.commit_id
    assert [len(p.added) for p in v.phrases] == [1, 1]
    assert v.affected_regions == ["bass/verse"]
    assert repo.head().commit_id == head.commit_id
    wire = v.to_wire()
    assert wire["status"] == "ready"
    assert wire["phrases"][0]["noteChanges"][0]["changeType"] == "added"
    assert wire["phrases"][0]["noteChanges"][0]["after"]["pitch"] == 38
    assert wire["baseStateId"] == head.commit_id


def test_partial_acceptance_applies_only_the_chosen_phrases(repo):
    repo.commit(band_state(), "band")
    v = repo.propose(busier(band_state()), "busier bass", phrase_bars=1)
    first, second = v.phrases
    commit = repo.commit_variation(v.variation_id, [second.phrase_id], author="agent:bass")
    assert commit.variation_id == v.variation_id
    assert commit.accepted_phrase_ids == (second.phrase_id,)
    assert commit.message == "busier bass"
    assert repo.snapshot().region("bass/verse").notes.pitch.tolist() == [36, 43, 45]
    recorded = repo.phrases()
    assert [(p.phrase_id, p.accepted) for p in recorded] == [
        (first.phrase_id, False),
        (second.phrase_id, True),
    ]
    assert repo.variations.get(v.variation_id).state is VariationState.COMMITTED
    assert repo.variations.get(v.variation_id).commit_id == commit.commit_id


def test_stale_base_is_rejected(repo):
    repo.commit(band_state(), "band")
    v = repo.propose(busier(band_state()), "busier bass")
    repo.commit(with_notes(band_state(), "piano/verse", notes([72])), "someone else")
    with pytest.raises(StaleBaseError) as info:
        repo.commit_variation(v.variation_id)
    assert info.value.base == v.base_commit_id
    assert info.value.head == repo.head().commit_id
    assert repo.variations.get(v.variation_id).state is VariationState.READY


def test_unknown_phrase_ids_are_rejected(repo):
    repo.commit(band_state(), "band")
    v = repo.propose(busier(band_state()), "busier bass")
    with pytest.raises(PhraseNotFoundError, match="nope"):
        repo.commit_variation(v.variation_id, ["nope"])


def test_discard_is_idempotent_and_committed_cannot_be_discarded(repo):
    repo.commit(band_state(), "band")
    v = repo.propose(busier(band_state()), "busier bass")
    repo.discard_variation(v.variation_id)
    repo.discard_variation(v.variation_id)
    repo.discard_variation("never-existed")
    assert repo.variations.get(v.variation_id).state is VariationState.DISCARDED
    with pytest.raises(VariationStateError, match="discarded"):
        repo.commit_variation(v.variation_id)
    w = repo.propose(busier(band_state()), "again")
    repo.commit_variation(w.variation_id)
    with pytest.raises(VariationStateError, match="committed"):
        repo.discard_variation(w.variation_id)


def test_state_machine_streams_phrases_then_becomes_ready():
    now = [0]

    def clock() -> int:
        now[0] += 1
        return now[0]

    store = VariationStore(clock, ttl_us=10)
    v = store.create("base", "intent")
    assert v.state is VariationState.CREATED
    phrase = Phrase("p1", "bass", "bass/verse", 0.0, 4.0, added=NoteArray([36], 90, [0.0], 1.0))
    store.add_phrase(v.variation_id, phrase)
    assert v.state is VariationState.STREAMING
    with pytest.raises(VariationStateError):
        store.add_phrase(v.variation_id, phrase)  # duplicate phrase id
    store.finish(v.variation_id)
    assert v.state is VariationState.READY
    with pytest.raises(VariationStateError, match="needs streaming"):
        store.add_phrase(v.variation_id, Phrase("p2", "bass", "bass/verse", 0.0, 4.0))
    failing = store.create("base", "will fail")
    store.fail(failing.variation_id, "backend crashed")
    assert failing.state is VariationState.FAILED
    assert failing.error_message == "backend crashed"
    stale = store.create("base", "forgotten")
    now[0] += 100
    assert store.expire() == [v.variation_id, stale.variation_id]  # failed ones stay failed
    assert stale.state is VariationState.EXPIRED
    assert v.state is VariationState.EXPIRED
    assert failing.state is VariationState.FAILED
    with pytest.raises(VariationNotFoundError):
        store.get("missing")


def test_transition_table_has_four_terminal_states():
    terminal = [s for s, targets in TRANSITIONS.items() if not targets]
    assert sorted(s.value for s in terminal) == ["committed", "discarded", "expired", "failed"]


def test_structural_differences_ride_along_without_review(repo):
    repo.commit(band_state(), "band")
    target = busier(band_state()).with_tracks([TrackState("pad", "Pad", program=89)])
    import dataclasses

    target = dataclasses.replace(target, bpm=104)
    v = repo.propose(target, "pad and tempo")
    kinds = [c.kind for c in v.changeset.changes]
    assert kinds == ["project.set_tempo", "track.create"]
    repo.commit_variation(v.variation_id, [])
    state = repo.snapshot()
    assert state.bpm == 104
    assert state.track("pad").program == 89
    assert state.region("bass/verse").notes.pitch.tolist() == [36, 43]  # no phrase accepted
    assert repo.get_commit().changeset is not None


def test_prepare_then_record_separates_deciding_from_recording(repo):
    from muse_duckdb import CommitCandidate
    from muse_duckdb.variations.changes import ChangeSet, SetTempo

    head = repo.commit(band_state(), "band")
    v = repo.propose(busier(band_state()), "busier bass")
    candidate = repo.prepare_variation(v.variation_id, author="agent:bass")
    assert isinstance(candidate, CommitCandidate)
    assert candidate.kind == "variation"
    assert candidate.parent == head.commit_id
    assert candidate.state.region("bass/verse").notes.pitch.tolist() == [36, 38, 43, 45]
    assert repo.head().commit_id == head.commit_id  # nothing written yet
    tempo = repo.prepare_changes(ChangeSet((SetTempo(90),)), author="ada")
    repo.record(tempo)
    with pytest.raises(StaleBaseError):
        repo.record(candidate)  # HEAD moved under it
    assert repo.variations.get(v.variation_id).state is VariationState.READY
    assert repo.log()[0].message == "set tempo to 90 BPM"
