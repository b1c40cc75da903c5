"""The seed library: shipped files, selection by style/role/key, transposition, the build."""

from __future__ import annotations

import json

import numpy as np
import pytest

from storpheus.backends.base import GenerationRequest
from storpheus.backends.embedded import EmbeddedBackend, style_names
from storpheus.backends.embedded.build_seeds import build_library
from storpheus.backends.embedded.harmony import parse_key
from storpheus.errors import InvalidRequestError, SeedNotFoundError
from storpheus.identity import content_id
from storpheus.seeds import DATA_DIR, load_index, seed_notes, select_seed


def _rng(seed: int = 0) -> np.random.Generator:
    return np.random.default_rng(seed)


def test_every_style_has_drum_bass_chord_and_melody_seeds() -> None:
    index = load_index()
    have = {(s.style, s.role) for s in index}
    for style in style_names():
        for role in ("drums", "bass", "chords", "melody", "lead", "arp"):
            assert (style, role) in have, (style, role)


def test_index_entries_match_their_midi_files_and_record_provenance() -> None:
    for info in load_index():
        assert info.path.is_file()
        notes = seed_notes(info)  # raises if the content id does not match
        assert content_id(notes) == info.content_id
        assert len(notes) > 0
        assert info.bars == 4
        assert notes.end_beat.max() <= info.bars * 4 + 1e-9
        provenance = dict(info.provenance)
        assert provenance["script"] == "storpheus/backends/embedded/build_seeds.py"
        assert provenance["generator"].startswith("embedded@")
        if info.role == "drums":
            assert info.key is None
            assert (notes.channel == 9).all()
        else:
            assert info.key is not None
            assert parse_key(info.key).name == info.key


def test_the_build_script_reproduces_the_shipped_files_byte_for_byte(tmp_path: object) -> None:
    from pathlib import Path

    out = Path(str(tmp_path))
    infos = build_library(out, ["bossa_nova", "trap"])
    shipped = {i.seed_id: i for i in load_index()}
    for info in infos:
        assert info == shipped[info.seed_id]
        assert (out / info.file).read_bytes() == (DATA_DIR / info.file).read_bytes()
    index = json.loads((out / "index.json").read_text())
    assert index["version"] == 1
    assert len(index["seeds"]) == len(infos)


@pytest.mark.parametrize(
    ("style", "resolved", "match"),
    [
        ("jazz", "jazz", "exact"),
        ("Deep House", "house", "alias"),
        ("some melodic techno thing", "techno", "substring"),
        ("sea shanty", "pop", "fallback"),
    ],
)
def test_style_names_resolve_exact_alias_substring_or_fall_back(
    style: str, resolved: str, match: str
) -> None:
    chosen = select_seed(style, "bass", "C minor", _rng())
    assert chosen.info.style == resolved
    assert chosen.style_match == match


def test_a_seed_already_in_the_requested_key_is_not_transposed() -> None:
    key = next(s.key for s in load_index() if s.style == "jazz" and s.role == "melody")
    assert key is not None
    chosen = select_seed("jazz", "melody", key, _rng())
    assert chosen.transpose == 0
    assert chosen.key == key
    assert chosen.notes == seed_notes(chosen.info)


@pytest.mark.parametrize(
    "target",
    ["C major", "C# major", "D major", "Eb major", "F# major", "G major", "A major", "B major"],
)
def test_the_nearest_key_is_chosen_and_transposed_by_the_shortest_signed_distance(
    target: str,
) -> None:
    chosen = select_seed("bossa_nova", "chords", target, _rng())  # seeds in D and G# major
    assert chosen.key == parse_key(target).name
    assert abs(chosen.transpose) <= 3
    seeds = [s for s in load_index() if s.style == "bossa_nova" and s.role == "chords"]
    for other in seeds:
        assert other.key is not None
        distance = abs((parse_key(target).tonic - parse_key(other.key).tonic + 5) % 12 - 5)
        assert abs(chosen.transpose) <= distance
    original = seed_notes(chosen.info)
    assert (chosen.notes.pitch.astype(int) - original.pitch.astype(int) == chosen.transpose).all()


def test_a_key_of_the_other_mode_uses_the_relative_key() -> None:
    chosen = select_seed("house", "chords", "C major", _rng())  # house seeds are minor
    assert parse_key(chosen.info.key or "").is_minor
    scale = set(parse_key("C major").pitch_classes)
    pcs = set((chosen.notes.pitch % 12).tolist())
    assert len(pcs & scale) / len(pcs) >= 0.85


@pytest.mark.parametrize("key", ["C major", "F# minor", None])
def test_drum_seeds_are_never_transposed(key: str | None) -> None:
    chosen = select_seed("funk", "drums", key, _rng(3))
    assert chosen.transpose == 0
    assert chosen.key is None
    assert chosen.notes == seed_notes(chosen.info)


def test_roles_without_their_own_seeds_fall_back_to_a_related_role() -> None:
    assert select_seed("pop", "keys", "C major", _rng()).role == "chords"
    assert select_seed("pop", "pads", "C major", _rng()).role == "chords"
    with pytest.raises(SeedNotFoundError) as info:
        select_seed("pop", "fx", "C major", _rng())
    assert info.value.role == "fx"


def test_an_unreadable_key_names_the_key_field() -> None:
    with pytest.raises(InvalidRequestError) as info:
        select_seed("pop", "bass", "Q minor", _rng())
    assert info.value.field == "key"


def test_the_generator_breaks_ties_reproducibly() -> None:
    picks = [select_seed("rock", "drums", None, _rng(s)).info.seed_id for s in range(12)]
    again = [select_seed("rock", "drums", None, _rng(s)).info.seed_id for s in range(12)]
    assert picks == again
    assert len(set(picks)) == 2  # both drum variants get chosen


def test_the_melody_renderer_borrows_motifs_from_the_seed_library() -> None:
    result = EmbeddedBackend().generate(
        GenerationRequest(
            role="melody", bars=8, seed=1, style="bossa nova", key="E major", num_candidates=24
        )
    )
    sources = [str(c.metadata["motif_source"]) for c in result.candidates]
    assert any(s.startswith("seed:bossa_nova/") for s in sources)
    assert any(s == "invented" for s in sources)
    off = EmbeddedBackend(use_seed_motifs=False).generate(result.request)
    assert all(c.metadata["motif_source"] == "invented" for c in off.candidates)


def test_a_selected_seed_converts_to_midi_bytes_for_input_midi() -> None:
    from storpheus.io import midi_bytes_to_score

    chosen = select_seed("synthwave", "lead", "B minor", _rng())
    score = midi_bytes_to_score(chosen.midi_bytes())
    assert score.bpm == chosen.info.bpm
    assert score.key == "B minor"
    assert score.n_notes == len(chosen.notes)
    drums = select_seed("synthwave", "drums", None, _rng()).to_score()
    assert drums.tracks[0].is_drum
