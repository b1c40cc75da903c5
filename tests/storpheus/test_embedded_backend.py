"""EmbeddedBackend: the backend contract, errors, determinism, chaining, spec handling."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from storpheus.backends.base import GenerationRequest, MusicGeneratorBackend
from storpheus.backends.embedded import ROLES, EmbeddedBackend, default_spec, render_role
from storpheus.errors import InvalidRequestError
from storpheus.identity import content_id
from storpheus.notes import NoteArray
from storpheus.spec import (
    ChordScheduleEntry,
    DensityTarget,
    DrumConstraints,
    DrumLayerSpec,
    DrumSpec,
    EmotionVector,
    GenerationConstraints,
    HarmonicSpec,
    MusicSpec,
    SectionMapEntry,
)


def _generate(**kwargs: object) -> list[NoteArray]:
    defaults: dict[str, object] = {"role": "bass", "bars": 4, "seed": 5, "style": "pop"}
    defaults.update(kwargs)
    result = EmbeddedBackend().generate(GenerationRequest(**defaults))  # type: ignore[arg-type]
    return [c.notes for c in result.candidates]


def test_backend_declares_offline_deterministic_capabilities_for_every_role() -> None:
    backend = EmbeddedBackend()
    assert isinstance(backend, MusicGeneratorBackend)
    caps = backend.capabilities
    assert caps.roles == frozenset(ROLES)
    assert {"drums", "bass", "chords", "keys", "pads", "melody", "lead", "arp", "fx"} <= caps.roles
    assert caps.max_bars == 64
    assert not caps.needs_network
    assert caps.deterministic
    assert backend.backend_id.startswith("embedded@")


def test_generate_returns_the_requested_number_of_candidates_with_their_seeds() -> None:
    request = GenerationRequest(role="chords", bars=4, seed=9, style="jazz", num_candidates=5)
    result = EmbeddedBackend().generate(request)
    assert result.success
    assert result.n_candidates == 5
    assert [c.index for c in result.candidates] == [0, 1, 2, 3, 4]
    assert [c.seed for c in result.candidates] == [request.candidate_seed(i) for i in range(5)]
    assert result.metadata["style"] == "jazz"
    assert result.metadata["style_match"] == "exact"


def test_candidate_i_does_not_depend_on_how_many_candidates_were_asked_for() -> None:
    few = _generate(role="melody", num_candidates=2)
    many = _generate(role="melody", num_candidates=7)
    assert content_id(few[1]) == content_id(many[1])
    assert content_id(few[0]) == content_id(many[0])


def test_candidates_are_identical_across_processes_with_different_hash_seeds() -> None:
    code = textwrap.dedent(
        """
        import json
        from storpheus.backends.base import GenerationRequest
        from storpheus.backends.embedded import EmbeddedBackend
        from storpheus.identity import content_id
        out = {}
        for role in ("drums", "bass", "keys", "melody", "fx"):
            r = EmbeddedBackend().generate(GenerationRequest(
                role=role, bars=8, seed=77, style="lo-fi hip hop", key="G minor",
                num_candidates=3))
            out[role] = [content_id(c.notes) for c in r.candidates]
        print(json.dumps(out))
        """
    )
    outputs = []
    for hash_seed in ("1", "12345"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        done = subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
        )
        outputs.append(json.loads(done.stdout))
    assert outputs[0] == outputs[1]
    here = {
        role: [
            content_id(n)
            for n in _generate(
                role=role, bars=8, seed=77, style="lo-fi hip hop", key="G minor", num_candidates=3
            )
        ]
        for role in ("drums", "bass", "keys", "melody", "fx")
    }
    assert here == outputs[0]


def test_different_seeds_give_different_parts() -> None:
    a = _generate(role="drums", seed=1, bars=8)[0]
    b = _generate(role="drums", seed=2, bars=8)[0]
    assert content_id(a) != content_id(b)


@pytest.mark.parametrize("role", ["vocals", "guitar solo", "Drums"])
def test_unknown_role_is_an_invalid_request_naming_the_role_field(role: str) -> None:
    with pytest.raises(InvalidRequestError) as info:
        EmbeddedBackend().generate(GenerationRequest(role=role, bars=4, seed=1))
    assert info.value.field == "role"
    assert "known" in str(info.value)


@pytest.mark.parametrize("bars", [0, -3, 65, 1000])
def test_bars_outside_1_to_64_is_an_invalid_request_naming_the_bars_field(bars: int) -> None:
    with pytest.raises(InvalidRequestError) as info:
        EmbeddedBackend().generate(GenerationRequest(role="drums", bars=bars, seed=1))
    assert info.value.field == "bars"


def test_64_bars_is_accepted() -> None:
    notes = _generate(role="drums", bars=64)[0]
    assert notes.end_beat.max() <= 256
    assert notes.start_beat.max() > 252


def test_unknown_style_falls_back_to_the_default_with_a_warning() -> None:
    result = EmbeddedBackend().generate(
        GenerationRequest(role="drums", bars=4, seed=1, style="polka-step")
    )
    assert result.success
    assert result.n_candidates == 1
    assert result.metadata["style"] == "pop"
    assert result.metadata["style_match"] == "fallback"
    assert result.warnings
    assert "polka-step" in result.warnings[0]
    assert result.metadata["warnings"] == list(result.warnings)


@pytest.mark.parametrize(
    ("style", "resolved", "match"),
    [
        ("Lo-Fi Hip Hop", "lofi", "alias"),
        ("boom_bap", "boom_bap", "exact"),
        ("deep house", "house", "alias"),
        ("some dark minimal techno", "techno", "substring"),
        ("bossa", "bossa_nova", "alias"),
    ],
)
def test_style_names_resolve_by_exact_alias_or_substring(
    style: str, resolved: str, match: str
) -> None:
    result = EmbeddedBackend().generate(GenerationRequest(role="bass", bars=2, seed=1, style=style))
    assert (result.metadata["style"], result.metadata["style_match"]) == (resolved, match)
    assert not result.warnings


def test_unreadable_key_is_an_invalid_request_naming_the_key_field() -> None:
    with pytest.raises(InvalidRequestError) as info:
        EmbeddedBackend().generate(GenerationRequest(role="bass", bars=2, seed=1, key="H dur"))
    assert info.value.field == "key"


def test_unreadable_chord_symbol_is_an_invalid_request_naming_the_chord_progression() -> None:
    with pytest.raises(InvalidRequestError) as info:
        EmbeddedBackend().generate(
            GenerationRequest(role="chords", bars=2, seed=1, chord_progression=("C", "Xm7"))
        )
    assert info.value.field == "chord_progression"


def test_chord_progression_of_the_request_is_followed_by_the_bass() -> None:
    notes = _generate(role="bass", bars=4, style="rock", chord_progression=("E", "A", "B", "A"))[0]
    for bar, root in enumerate((4, 9, 11, 9)):
        first = notes.pitch[notes.start_beat >= bar * 4][0]
        assert first % 12 == root


def test_spec_chord_schedule_drives_the_harmony_and_wins_over_the_request_key() -> None:
    spec = MusicSpec(
        harmonic_spec=HarmonicSpec(
            chord_schedule=(ChordScheduleEntry(0, "Dm7"), ChordScheduleEntry(2, "G7"))
        ),
        style="jazz",
    )
    spec = MusicSpec(
        global_spec=spec.global_spec.__class__(bpm=120, bars=4, key="C major"),
        harmonic_spec=spec.harmonic_spec,
        section_map=(SectionMapEntry("a", 0, 4),),
        style="jazz",
    )
    result = EmbeddedBackend().generate(
        GenerationRequest(role="pads", bars=4, seed=3, style="jazz", key="C major", spec=spec)
    )
    schedule = result.metadata["chord_schedule"]
    assert schedule == [{"beat": 0.0, "chord": "Dm7"}, {"beat": 8.0, "chord": "G7"}]
    pads = result.candidates[0].notes
    first = set((pads.pitch[pads.start_beat < 0.01] % 12).tolist())
    assert first <= {2, 5, 9, 0}  # D F A C


def test_a_section_later_in_the_piece_reads_its_own_bars_of_the_schedule() -> None:
    spec = default_spec("pop", "C major", bars=8)
    result = EmbeddedBackend().generate(
        GenerationRequest(
            role="bass", bars=4, seed=3, style="pop", key="C major", spec=spec, section_start_bar=4
        )
    )
    chords = [c["chord"] for c in result.metadata["chord_schedule"]]  # type: ignore[union-attr]
    assert chords == [e.chord for e in spec.harmonic_spec.chord_schedule[4:8]]


def test_constraints_set_the_register_and_velocity_range() -> None:
    constraints = GenerationConstraints(
        register_center=72, register_spread=5, velocity_floor=40, velocity_ceiling=70
    )
    for notes in _generate(role="melody", bars=8, constraints=constraints, num_candidates=4):
        assert notes.pitch.min() >= 67
        assert notes.pitch.max() <= 77
        assert notes.velocity.min() >= 40
        assert notes.velocity.max() <= 70


def test_emotion_energy_makes_drums_denser() -> None:
    calm = _generate(
        role="drums", bars=8, style="funk", num_candidates=8, emotion=EmotionVector(energy=0.0)
    )
    wild = _generate(
        role="drums", bars=8, style="funk", num_candidates=8, emotion=EmotionVector(energy=1.0)
    )
    assert np.mean([len(n) for n in wild]) > np.mean([len(n) for n in calm])


def test_drum_spec_layer_density_caps_hits_per_bar_and_sets_velocities() -> None:
    spec = default_spec("funk", bars=4)
    drum_spec = DrumSpec(
        layers=(("kick", DrumLayerSpec("kick", DensityTarget(1, 2), (100, 110))),),
        groove="funk",
    )
    spec = MusicSpec(
        spec.global_spec,
        drum_spec,
        spec.bass_spec,
        spec.harmonic_spec,
        spec.melody_spec,
        spec.section_map,
        "funk",
    )
    notes = _generate(
        role="drums", bars=4, style="funk", key=spec.global_spec.key, spec=spec, num_candidates=6
    )
    for part in notes:
        kicks = part.start_beat[part.pitch == 36]
        per_bar = np.bincount(((kicks + 0.05) // 4).astype(int), minlength=4)
        assert per_bar.max() <= 2
        assert (part.velocity[part.pitch == 36] >= 95).all()


def test_bass_locks_to_the_kick_beats_it_is_given() -> None:
    kicks = (0.0, 1.5, 2.75, 4.0, 5.5, 6.75)
    for notes in _generate(
        role="bass", bars=2, style="boom bap", drum_kick_beats=kicks, num_candidates=4
    ):
        assert set(np.round(notes.start_beat, 3)) <= set(kicks)


def test_previous_notes_chain_the_melody_near_where_it_stopped() -> None:
    previous = NoteArray([60, 62, 64, 79], 90, [0.0, 1.0, 2.0, 3.0], 1.0)
    for notes in _generate(
        role="melody", bars=4, style="pop", previous_notes=previous, num_candidates=6
    ):
        assert abs(int(notes.pitch[0]) - 79) <= 9


def test_previous_chord_voicing_is_voice_led_into_the_first_pad_chord() -> None:
    previous = NoteArray([57, 60, 64], 80, [12.0, 12.0, 12.0], 4.0)  # A C E around middle C
    for notes in _generate(
        role="pads", bars=2, style="pop", previous_notes=previous, num_candidates=4
    ):
        first = notes.pitch[notes.start_beat < 0.01]
        assert abs(float(first.mean()) - 60.3) <= 6


def test_sections_inside_the_span_get_fills_and_crashes() -> None:
    spec = default_spec("rock", "E major", bars=8)
    spec = MusicSpec(
        spec.global_spec,
        spec.drum_spec,
        spec.bass_spec,
        spec.harmonic_spec,
        spec.melody_spec,
        (SectionMapEntry("verse", 0, 4), SectionMapEntry("chorus", 4, 4)),
        "rock",
    )
    result = EmbeddedBackend().generate(
        GenerationRequest(
            role="drums", bars=8, seed=4, style="rock", key="E major", spec=spec, num_candidates=8
        )
    )
    crashes_at_chorus = sum(
        bool(((c.notes.pitch == 49) & (np.abs(c.notes.start_beat - 16.0) < 0.05)).any())
        for c in result.candidates
    )
    assert crashes_at_chorus == 8
    filled = sum(
        any(f["bar"] == 3 for f in c.metadata["fills"])  # type: ignore[union-attr]
        for c in result.candidates
    )
    assert filled >= 4


def test_three_four_time_renders_bars_of_three_beats() -> None:
    notes = _generate(role="chords", bars=4, time_signature=(3, 4), num_candidates=2)
    for part in notes:
        assert part.end_beat.max() <= 12 + 1e-9
        assert part.start_beat.max() >= 9


def test_pads_carry_an_expression_swell_in_swelling_styles() -> None:
    result = EmbeddedBackend().generate(
        GenerationRequest(role="pads", bars=4, seed=2, style="ambient", key="D major")
    )
    cc = result.candidates[0].cc
    assert len(cc) > 0
    assert set(cc.number.tolist()) == {11}


def test_candidate_metadata_names_program_channel_and_register() -> None:
    result = EmbeddedBackend().generate(
        GenerationRequest(role="bass", bars=2, seed=1, style="jazz", key="F major")
    )
    meta = result.candidates[0].metadata
    assert meta["program"] == 32
    assert meta["channel"] == 1
    assert meta["is_drum"] is False
    assert meta["register"] == list(result.metadata["register"])  # type: ignore[call-overload]
    json.dumps(result.metadata)
    json.dumps(meta)


def test_drum_spec_layer_density_minimum_adds_hits_on_strong_steps() -> None:
    base = default_spec("rock", bars=4)
    drum_spec = DrumSpec(
        layers=(("percussion", DrumLayerSpec("perc", DensityTarget(4, 8), (50, 60))),),
        constraints=DrumConstraints(max_simultaneous=6),
        groove="rock",
    )
    spec = MusicSpec(
        base.global_spec,
        drum_spec,
        base.bass_spec,
        base.harmonic_spec,
        base.melody_spec,
        base.section_map,
        "rock",
    )
    for part in _generate(
        role="drums", bars=4, style="rock", key="E major", spec=spec, num_candidates=3
    ):
        perc = part.start_beat[part.pitch == 70]
        per_bar = np.bincount(((perc + 0.05) // 4).astype(int), minlength=4)
        assert per_bar.min() >= 4
        assert set(np.round(perc[:4] % 4)) <= {0.0, 1.0, 2.0, 3.0}


@pytest.mark.parametrize("role", ROLES)
def test_every_role_renders_odd_meters_one_bar_and_narrow_registers(role: str) -> None:
    narrow = GenerationConstraints(register_center=40, register_spread=6, subdivision=3)
    for style in ("jazz", "techno", "ambient", "reggae"):
        for meter in ((3, 4), (6, 8), (7, 8), (5, 4)):
            for part in _generate(
                role=role, bars=3, style=style, time_signature=meter, num_candidates=2
            ):
                total = 3 * meter[0] * 4 / meter[1]
                assert len(part) == 0 or part.end_beat.max() <= total + 1e-9
        assert len(_generate(role=role, bars=1, style=style)[0]) > 0
        if role != "drums":
            part = _generate(role=role, bars=4, style=style, constraints=narrow)[0]
            assert part.pitch.min() >= 34
            assert part.pitch.max() <= 46


def test_render_role_renders_from_a_spec_constraints_and_a_generator() -> None:
    spec = default_spec("house", "A minor", bars=8)
    a = render_role("chords", spec, None, np.random.default_rng(4), section_start_bar=4, bars=4)
    b = render_role("chords", spec, None, np.random.default_rng(4), section_start_bar=4, bars=4)
    assert a.notes == b.notes
    assert a.notes.end_beat.max() <= 16
    with pytest.raises(InvalidRequestError):
        render_role("kazoo", spec, None, np.random.default_rng(4))


def test_chord_extensions_colour_the_triads_of_a_spec_schedule() -> None:
    spec = default_spec("pop", "C major", bars=4)  # triads: C G Am F
    plain = GenerationConstraints(chord_extensions=False, register_center=64, register_spread=14)
    rich = GenerationConstraints(chord_extensions=True, register_center=64, register_spread=14)
    for constraints, sevenths in ((plain, False), (rich, True)):
        part = render_role("pads", spec, constraints, np.random.default_rng(1))
        first = set((part.notes.pitch[part.notes.start_beat < 0.01] % 12).tolist())
        assert (11 in first) is sevenths  # B, the major seventh of C
        assert first <= {0, 4, 7, 11, 2}
