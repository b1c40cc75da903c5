"""plan(): sections, roles, harmony, seeds, tool calls, modes and errors."""

from __future__ import annotations

import pytest

from maestro_lab.errors import PlanningError, PromptParseError
from maestro_lab.planner import (
    CompositionPlan,
    ProjectView,
    plan,
    validate_plan,
)
from maestro_lab.prompts import parse_prompt
from maestro_lab.tools import validation
from maestro_lab.tools.registry import get_registry
from storpheus.backends.base import GenerationRequest
from storpheus.backends.embedded import EmbeddedBackend
from storpheus.project import ProjectState, TrackState
from storpheus.seeding import derive_seed, seed_from_text
from storpheus.theory import parse_chord, parse_key


def mp(body: str) -> str:
    return "MAESTRO PROMPT\nMode: compose\n" + body


LOFI_VERSE = mp(
    "Section: verse\nPosition: after intro + 2\nStyle: lofi hip hop\nKey: Cm\nTempo: 75\n"
    "Role: [drums, bass, piano, melody]\nConstraints:\n  bars: 8\n  density: medium-sparse\n"
    "Vibe: [dusty x3, warm x2, laid back, melancholic]\nRequest: Verse groove."
)
FREE_VERSE = LOFI_VERSE.replace("Position: after intro + 2\n", "")
"""The same verse without a position (an empty project has no intro to follow)."""
INTRO_PROJECT = {"tempo": 75, "sections": [{"name": "Intro", "startBeat": 0, "lengthBeats": 16}]}


# ------------------------------------------------------------ the basics
def test_lofi_verse_plan_follows_the_prompt() -> None:
    p = plan(LOFI_VERSE, project=INTRO_PROJECT)
    assert (p.style, p.tempo, p.key, p.time_signature) == ("lofi", 75, "C minor", (4, 4))
    assert [(s.name, s.bars, s.start_beat) for s in p.sections] == [("verse", 8, 18.0)]
    assert [(r.track_name, r.role, r.program, r.channel) for r in p.roles] == [
        ("Drums", "drums", None, 9),
        ("Bass", "bass", 33, 0),
        ("Piano", "chords", 0, 1),
        ("Melody", "melody", 11, 2),
    ]
    assert p.intent == "COMPOSING"
    assert p.intent_label == "compose.section"
    assert p.form == "single"
    assert validate_plan(p).valid


def test_every_generation_has_section_span_seeds_and_role_constraints() -> None:
    p = plan(LOFI_VERSE, project=INTRO_PROJECT, num_candidates=3)
    assert len(p.generations) == 4
    bass = p.step("verse/bass")
    melody = p.step("verse/melody")
    assert (bass.bars, bass.start_beat) == (8, 18.0)
    assert bass.constraints.register_center < melody.constraints.register_center
    assert len(bass.candidate_seeds) == 3
    assert bass.constraints.swing > 0.55  # lo-fi swing


def test_chord_schedule_has_every_bar_and_parses() -> None:
    p = plan(mp("Style: pop\nKey: E major\nConstraints: {bars: 16}"), seed=5)
    assert p.spec is not None
    bars = {e.bar for e in p.spec.harmonic_spec.chord_schedule}
    assert bars == set(range(16))
    key_pcs = set(parse_key("E major").pitch_classes)
    for section in p.sections:
        assert len(section.chords) == section.bars
        assert section.spec.harmonic_spec.chord_schedule == p.spec.harmonic_spec.chord_schedule
        for entry in section.spec.harmonic_spec.chord_schedule:
            assert 0 <= entry.bar < p.bars
            chord = parse_chord(entry.chord)
            assert chord.pitch_classes[0] in key_pcs  # pop pools are diatonic


def test_user_progression_is_used_verbatim() -> None:
    p = plan(mp("Style: lofi\nConstraints: {bars: 4}\nHarmony:\n  progression: [Cm7, Abmaj7]"))
    assert all(s.chords == ("Cm7", "Abmaj7", "Cm7", "Abmaj7")[: s.bars] for s in p.sections[:1])
    assert any("Harmony.progression" in n for n in p.notes)


def test_unreadable_user_progression_falls_back_with_a_warning() -> None:
    p = plan(mp("Style: pop\nHarmony: {progression: [Xyz]}"), seed=1)
    assert any("Harmony.progression" in w for w in p.warnings)
    assert validate_plan(p).valid


def test_harmonic_rhythm_two_gives_two_changes_per_bar() -> None:
    p = plan(mp("Style: pop\nConstraints: {bars: 4, harmonic_rhythm: 2}"), seed=2)
    schedule = p.sections[0].spec.harmonic_spec.chord_schedule
    assert [(e.bar, e.beat, e.duration_beats) for e in schedule[:2]] == [
        (0, 0.0, 2.0),
        (0, 2.0, 2.0),
    ]


# ---------------------------------------------------------- arrangement
def test_short_form_template_per_style() -> None:
    cases = {
        "house": ["intro", "buildup", "drop", "outro"],
        "pop": ["intro", "verse", "chorus", "outro"],
        "boom bap": ["intro", "verse", "hook", "outro"],
        "jazz": ["intro", "head", "outro"],
        "ambient": ["intro", "motif", "resolve"],
    }
    for style, names in cases.items():
        p = plan(mp(f"Style: {style}\nConstraints: {{bars: 16}}"), seed=1)
        assert [s.name for s in p.sections] == names, style
        assert p.form == "short"
        assert sum(s.bars for s in p.sections) == 16


def test_long_form_from_90_seconds_and_bridge_from_150() -> None:
    mid = plan(mp("Style: pop\nTempo: 120\nConstraints: {bars: 56}"), seed=1)  # 112 s
    assert mid.form == "long"
    assert "bridge" not in [s.kind for s in mid.sections]
    long = plan(mp("Style: pop\nTempo: 120\nConstraints: {bars: 96}"), seed=1)  # 192 s
    assert "bridge" in [s.kind for s in long.sections]
    for p in (mid, long):
        assert all(s.bars * 4 * 60 / 120 >= 16 for s in p.sections)


def test_duration_constraint_sets_the_length() -> None:
    p = plan(mp("Style: pop\nTempo: 120\nConstraints: {duration: 32}"), seed=1)
    assert p.bars == 16


def test_explicit_sections_list_and_mapping() -> None:
    listed = plan(mp("Style: pop\nConstraints: {bars: 24, sections: [intro, chorus, outro]}"))
    assert [(s.name, s.bars) for s in listed.sections] == [
        ("intro", 4),
        ("chorus", 16),
        ("outro", 4),
    ]
    mapped = plan(mp("Constraints: {sections: {intro: 2, drop: 6, drop2: 6}}"))
    assert [(s.name, s.bars) for s in mapped.sections] == [("intro", 2), ("drop", 6), ("drop2", 6)]
    assert mapped.form == "explicit"


def test_request_naming_sections_sets_the_arrangement() -> None:
    p = plan(
        mp("Style: reggaeton\nRequest: intro, verse and chorus please\nConstraints: {bars: 32}")
    )
    assert [s.name for s in p.sections] == ["intro", "verse", "chorus"]
    assert p.form == "request"


def test_repeated_and_long_sections_get_unique_names_within_64_bars() -> None:
    p = plan(mp("Section: verse\nConstraints: {bars: 150}"), seed=1)
    assert [(s.name, s.bars) for s in p.sections] == [
        ("verse", 64),
        ("verse_2", 64),
        ("verse_3", 22),
    ]


@pytest.mark.parametrize(
    ("position", "expected"),
    [
        ("after intro", 16.0),
        ("after intro + 2", 18.0),
        ("before verse", 8.0),
        ("before verse - 4", 12.0),
        ("alongside verse", 16.0),
        ("within verse bar 3", 24.0),
        ("bar 9", 32.0),
        ("last", 48.0),
        ("last + 4", 52.0),
        ("between intro verse", 16.0),
    ],
)
def test_positions_resolve_against_the_project(position: str, expected: float) -> None:
    project = {
        "sections": [
            {"name": "intro", "startBeat": 0, "lengthBeats": 16},
            {"name": "verse", "startBeat": 16, "lengthBeats": 32},
        ]
    }
    p = plan(mp(f"Section: fill\nPosition: {position}\nConstraints: {{bars: 2}}"), project=project)
    assert p.start_beat == expected
    assert p.sections[0].start_beat == expected


def test_between_without_bars_fills_the_gap() -> None:
    project = {
        "sections": [
            {"name": "verse", "startBeat": 0, "lengthBeats": 32},
            {"name": "chorus", "startBeat": 48, "lengthBeats": 32},
        ]
    }
    p = plan(mp("Section: bridge\nPosition: between verse chorus"), project=project)
    assert (p.start_beat, p.bars) == (32.0, 4)


def test_unknown_reference_section_is_an_error_listing_the_known_ones() -> None:
    with pytest.raises(PlanningError, match=r"'intro' is not in the project; known sections: none"):
        plan(mp("Section: verse\nPosition: after intro"))
    created = plan(mp("Position: after intro\nConstraints: {sections: [intro, verse]}"))
    assert created.start_beat == 0.0


def test_sections_can_come_from_region_names() -> None:
    project = {
        "tracks": [
            {
                "id": "t1",
                "name": "Drums",
                "regions": [{"name": "Intro", "startBeat": 0, "durationBeats": 16}],
            }
        ]
    }
    p = plan(mp("Section: verse\nPosition: after intro"), project=project)
    assert p.start_beat == 16.0


# ------------------------------------------------------------------ roles
@pytest.mark.parametrize(
    ("word", "role", "program"),
    [
        ("piano", "chords", 0),
        ("keys", "chords", 0),
        ("rhodes", "chords", 4),
        ("strings", "pads", 48),
        ("synth", "pads", 89),
        ("sax", "melody", 65),
        ("flute", "melody", 73),
        ("sub bass", "bass", 38),
        ("organ", "chords", 16),
        ("lead", "lead", 81),
    ],
)
def test_role_words_normalise_to_roles_and_programs(word: str, role: str, program: int) -> None:
    p = plan(mp(f"Style: pop\nRole: [{word}]"), seed=1)
    assert (p.roles[0].role, p.roles[0].program) == (role, program)


def test_style_sets_programs_of_generic_roles() -> None:
    jazz = plan(mp("Style: jazz\nRole: [bass, melody]"), seed=1)
    assert [r.program for r in jazz.roles] == [32, 65]  # acoustic bass, alto sax
    house = plan(mp("Style: house\nRole: [bass]"), seed=1)
    assert house.roles[0].program == 38


def test_drum_words_merge_into_one_drum_track_with_parts() -> None:
    p = plan(mp("Role: [kick, hats, bass, snare]"), seed=1)
    drums = p.roles[0]
    assert [r.role for r in p.roles] == ["drums", "bass"]
    assert drums.drum_parts == ("kick", "hats", "snare")
    layers = [name for name, _ in p.sections[0].spec.drum_spec.layers]
    assert layers == ["hats", "kick", "snare"]


def test_program_overrides_from_constraints() -> None:
    single = plan(mp("Role: [drums, bass]\nConstraints: {gm_program: 38}"), seed=1)
    assert single.roles[1].program == 38
    mapped = plan(mp("Role: [bass, piano]\nConstraints: {programs: {piano: 5, bass: 35}}"), seed=1)
    assert [r.program for r in mapped.roles] == [35, 5]


def test_unknown_role_is_planned_as_melody_with_a_warning() -> None:
    p = plan(mp("Role: [kazoo]"), seed=1)
    assert p.roles[0].role == "melody"
    assert any("'kazoo' is not a known instrument" in w for w in p.warnings)


def test_duplicate_instruments_get_unique_names_keys_and_channels() -> None:
    from maestro_lab.planner.tracks import plan_tracks
    from storpheus.styles import STYLES

    roles = plan_tracks(
        ("piano", "piano", "bass"),
        style=STYLES["pop"],
        constraints={},
        effects=None,
        project=ProjectView(),
        base_seed=1,
        notes=[],
        warnings=[],
    )
    assert [(r.key, r.track_name, r.channel) for r in roles] == [
        ("piano", "Piano", 0),
        ("piano_2", "Piano 2", 1),
        ("bass", "Bass", 2),
    ]


def test_too_many_pitched_roles_is_a_planning_error() -> None:
    words = ", ".join(f"melody{i}" for i in range(16))
    with pytest.raises(PlanningError, match="at most 15"):
        plan(mp(f"Role: [{words}]"))


def test_unknown_vibes_are_noted() -> None:
    p = plan(mp("Vibe: [dusty, zorp x2]"), seed=1)
    assert "vibes outside the emotion vocabulary, ignored: zorp" in p.notes


def test_default_roles_come_from_the_style() -> None:
    p = plan(mp("Style: techno"), seed=1)
    assert [r.role for r in p.roles] == ["drums", "bass", "arp", "pads"]


# ------------------------------------------------------------------ seeds
def test_base_seed_hashes_the_normalised_prompt() -> None:
    a = plan(mp("Key: F#m\nTempo: 92 bpm"))
    b = plan("MAESTRO PROMPT\n# comment\nmode: compose\ntempo: 92\nkey: F# minor")
    assert a.seed_source == "prompt"
    assert a.base_seed == b.base_seed
    prompt = parse_prompt(mp("Key: F#m\nTempo: 92 bpm"))
    assert prompt is not None
    assert a.base_seed == seed_from_text(prompt.canonical_json())
    assert a.plan_hash == b.plan_hash


def test_explicit_seed_is_used_and_changes_every_derived_seed() -> None:
    one = plan(FREE_VERSE, seed=1)
    two = plan(FREE_VERSE, seed=2)
    assert (one.base_seed, one.seed_source) == (1, "explicit")
    assert not {g.seed for g in one.generations} & {g.seed for g in two.generations}
    assert one.plan_hash != two.plan_hash


def test_seeds_depend_on_names_not_on_order() -> None:
    a = plan(mp("Role: [drums, bass, keys]\nSection: verse"), seed=9)
    b = plan(mp("Role: [keys, drums, bass]\nSection: verse"), seed=9)
    assert {g.id: g.seed for g in a.generations} == {g.id: g.seed for g in b.generations}
    assert {r.key: r.seed for r in a.roles} == {r.key: r.seed for r in b.roles}
    g = a.step("verse/bass")
    assert g.seed == derive_seed(9, "section", "verse", "role", "bass")
    assert a.section("verse").seed == derive_seed(9, "section", "verse")


def test_request_for_matches_the_backend_contract() -> None:
    p = plan(LOFI_VERSE, project=INTRO_PROJECT, seed=3)
    step = p.step("verse/piano")
    request = p.request_for(step, num_candidates=2)
    assert isinstance(request, GenerationRequest)
    assert (request.role, request.bars, request.seed, request.style) == (
        "chords",
        8,
        step.seed,
        "lofi",
    )
    assert request.spec is p.section("verse").spec
    assert request.spec.global_spec.bars == 8
    assert request.chord_progression == p.section("verse").chords
    assert [request.candidate_seed(i) for i in range(2)] == list(step.candidate_seeds[:2])
    assert len(p.requests()) == len(p.generations)


# ------------------------------------------------------------- tool calls
def test_tool_calls_are_in_phase_order_with_known_tools() -> None:
    p = plan(FREE_VERSE, seed=1)
    phases = [c.phase for c in p.tool_calls]
    assert phases == sorted(phases, key=["setup", "instrument", "mixing"].index)
    registry = get_registry()
    assert all(registry.spec(c.tool).phase == c.phase for c in p.tool_calls)
    assert [c.id for c in p.tool_calls] == [f"{i:03d}" for i in range(1, len(p.tool_calls) + 1)]
    split = p.phases()
    assert split.instrument_order == [r.key for r in p.roles]
    first = split.instruments["drums"]
    assert [c.tool for c in first[:3]] == [
        "stori_add_midi_track",
        "stori_add_midi_region",
        "stori_generate_midi",
    ]
    generate = first[2].params
    assert generate["role"] == "drums"
    assert generate["seed"] == p.step("verse/drums").seed
    assert first[0].params["drumKitId"] == "lofi"


def test_setup_steps_only_when_the_project_changes() -> None:
    fresh = plan(FREE_VERSE, seed=1)
    assert [c.tool for c in fresh.phases().setup] == ["stori_set_tempo", "stori_set_key"]
    same = plan(FREE_VERSE, project={"tempo": 75, "key": "Cm"}, seed=1)
    assert same.phases().setup == []
    waltz = plan(mp("Constraints: {meter: 3/4, bars: 4}"), seed=1)
    setup = waltz.phases().setup
    assert setup[-1].tool == "stori_set_time_signature"
    assert waltz.sections[0].spec.global_spec.time_sig_num == 3


def test_existing_tracks_are_reused_by_name_or_role() -> None:
    project = ProjectState(  # the one project model, as Muse HEAD gives it
        tracks=(
            TrackState("uuid-1", "My Bass", role="bass", program=33),
            TrackState("uuid-2", "Piano", program=0),
        )
    )
    p = plan(mp("Role: [bass, piano, drums]\nSection: verse"), project=project, seed=1)
    assert [r.existing_track_id for r in p.roles] == ["uuid-1", "uuid-2", None]
    assert p.roles[0].track_name == "My Bass"
    creates = [c.params["name"] for c in p.tool_calls if c.tool == "stori_add_midi_track"]
    assert creates == ["Drums"]
    regions = [c for c in p.tool_calls if c.tool == "stori_add_midi_region"]
    assert regions[0].params["trackId"] == "uuid-1"
    assert validate_plan(p).valid


def test_effects_default_by_role_and_style_and_prompt() -> None:
    p = plan(
        mp(
            "Style: lofi\nRole: [drums, bass, pads]\n"
            "Effects:\n  bass: {saturation: warm}\n  pads: [delay]"
        ),
        seed=1,
    )
    inserts = {r.key: r.inserts for r in p.roles}
    assert inserts["drums"] == ("compressor", "filter")
    assert inserts["bass"] == ("compressor", "overdrive")
    assert inserts["pads"] == ("delay",)
    assert p.role("pads").sends == ("Reverb",)
    mixing = [c.tool for c in p.phases().mixing]
    assert mixing.index("stori_ensure_bus") < mixing.index("stori_add_send")


def test_no_effects_and_no_reverb() -> None:
    bare = plan(mp("Style: lofi\nRole: [drums, pads]\nConstraints: {no_effects: true}"), seed=1)
    assert all(not r.inserts and not r.sends for r in bare.roles)
    assert not [c for c in bare.tool_calls if c.tool in ("stori_ensure_bus", "stori_add_send")]
    dry = plan(mp("Style: lofi\nRole: [pads]\nConstraints: {no reverb: true}"), seed=1)
    assert dry.roles[0].sends == ()


def test_every_tool_call_validates_against_the_runtime_tool_catalogue() -> None:
    prompts = [
        FREE_VERSE,
        mp("Style: house\nRole: [kick, sub bass, strings, arp, risers]\nConstraints: {meter: 6/8}"),
        mp("Style: rock\nRole: [drums, bass, guitar, lead]\nEffects: {lead: [limiter, delay]}"),
    ]
    for text in prompts:
        p = plan(text, project={"tracks": [{"id": "t9", "name": "Bass", "role": "bass"}]})
        for call in p.tool_calls:
            result = validation.check_tool_call(validation.ToolCall(call.tool, call.params))
            assert result.valid, (call.tool, [str(e) for e in result.errors])
            assert result.validated.phase == call.phase


def test_mix_units_convert_from_reference_units() -> None:
    p = plan(mp("Role: [drums, pads]"), seed=1)
    pads = p.role("pads")
    volume = next(
        c
        for c in p.tool_calls
        if c.tool == "stori_set_track_volume" and c.params["trackId"] == "Pads"
    )
    pan = next(
        c for c in p.tool_calls if c.tool == "stori_set_track_pan" and c.params["trackId"] == "Pads"
    )
    assert (pads.volume_db, pads.pan) == (-9.0, 25.0)
    assert volume.params["volume"] == pytest.approx(10 ** (-9 / 20), abs=1e-4)
    assert pan.params["pan"] == 0.25
    wire_mix = [m for m in p.wire()["mix"] if m["track"] == "Pads"]
    assert {"action": "set_volume", "track": "Pads", "value": -9.0} in wire_mix


def test_wire_format_has_the_reference_shape() -> None:
    from maestro_lab.planner.wire import wire_adapter

    p = plan(FREE_VERSE, seed=1)
    wire = p.wire()
    assert wire_adapter().validate_python(wire) == wire
    assert len(wire["generations"]) == 4
    assert set(wire["generations"][0]) == {
        "role",
        "style",
        "tempo",
        "bars",
        "key",
        "constraints",
        "trackName",
    }
    assert {e["action"] for e in wire["edits"]} == {"add_track", "add_region"}
    assert {m["action"] for m in wire["mix"]} == {"add_insert", "add_send", "set_volume", "set_pan"}
    assert wire["explanation"] == p.explanation


# ------------------------------------------------------------------ modes
def test_ask_mode_plans_nothing() -> None:
    p = plan("MAESTRO PROMPT\nMode: ask\nRequest: what key works for a sad verse?")
    assert p.intent == "REASONING"
    assert p.is_empty
    assert p.generations == ()
    assert validate_plan(p).valid


def test_edit_mode_changes_tempo_and_adds_effects_to_existing_tracks() -> None:
    project = {
        "tempo": 90,
        "key": "A minor",
        "tracks": [{"id": "t1", "name": "Drums", "isDrums": True}],
    }
    p = plan(
        "MAESTRO PROMPT\nMode: edit\nTempo: 100\nRequest: faster, and glue the drums\n"
        "Effects:\n  drums: {compression: glue}",
        project=project,
    )
    assert p.intent == "EDITING"
    assert [c.tool for c in p.tool_calls] == ["stori_set_tempo", "stori_add_insert_effect"]
    assert p.tool_calls[1].params == {"trackId": "t1", "type": "compressor"}


def test_edit_with_nothing_deterministic_warns() -> None:
    p = plan("MAESTRO PROMPT\nMode: edit\nRequest: make the hats groove harder")
    assert p.is_empty
    assert any("nothing deterministic" in w for w in p.warnings)


def test_edit_naming_roles_regenerates_them() -> None:
    p = plan("MAESTRO PROMPT\nMode: edit\nRole: bass\nSection: verse\nRequest: new bassline")
    assert p.intent == "EDITING"
    assert [g.id for g in p.generations] == ["verse/bass"]


def test_natural_language_is_planned_too() -> None:
    p = plan(
        "make a dark techno track at 130 bpm with an intro, a drop and an outro, kick and acid bass"
    )
    assert (p.style, p.tempo, p.form) == ("techno", 130, "request")
    assert [s.name for s in p.sections] == ["intro", "drop", "outro"]
    assert [r.track_name for r in p.roles] == ["Kick", "Acid Bass"]
    assert p.prompt.prompt_kind == "natural"
    assert [v.vibe for v in p.prompt.vibes] == ["dark"]


# ----------------------------------------------------------------- errors
@pytest.mark.parametrize("seed", [-1, 2**63, True, 1.5])
def test_bad_seed_is_a_planning_error(seed: object) -> None:
    with pytest.raises(PlanningError, match="seed"):
        plan(LOFI_VERSE, seed=seed)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("project", "fragment"),
    [
        ({"tempo": "fast"}, "project.tempo"),
        ({"tempo": 900}, "outside 20-300"),
        ({"key": "H minor"}, "project.key"),
        ({"timeSignature": "4-4"}, "timeSignature"),
        ({"sections": [{"name": "intro"}]}, "project.sections.0.startBeat"),
    ],
)
def test_bad_project_is_a_planning_error_naming_the_field(
    project: dict[str, object], fragment: str
) -> None:
    with pytest.raises(PlanningError, match="invalid project context") as info:
        plan(LOFI_VERSE, project=project)
    assert fragment in str(info.value)


def test_bad_prompt_text_raises_the_parser_error() -> None:
    with pytest.raises(PromptParseError):
        plan("MAESTRO PROMPT\nMode: sing")


def test_bad_candidate_count() -> None:
    with pytest.raises(PlanningError, match="num_candidates"):
        plan(LOFI_VERSE, num_candidates=0)


def test_plan_type_is_composition_plan() -> None:
    assert isinstance(plan(FREE_VERSE), CompositionPlan)


@pytest.mark.parametrize(
    "module",
    [
        "maestro_lab.planner",
        "maestro_lab.planner.arrangement",
        "maestro_lab.planner.build",
        "maestro_lab.planner.harmony",
        "maestro_lab.planner.natural",
        "maestro_lab.planner.preview",
        "maestro_lab.planner.project",
        "maestro_lab.roles",
        "maestro_lab.planner.validate",
    ],
)
def test_docstring_examples_run(module: str) -> None:
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(module))
    assert result.failed == 0


def test_requests_drive_the_embedded_backend_on_the_planned_chords() -> None:
    backend = EmbeddedBackend()
    p = plan(mp("Style: pop\nKey: E major\nRole: [bass]\nConstraints: {bars: 24}"), seed=3)
    bpb = p.beats_per_bar
    for step in p.generations:
        section = p.section(step.section)
        result = backend.generate(p.request_for(step, num_candidates=1))
        notes = result.candidates[0].notes
        assert notes.last_beat <= section.bars * bpb
        hits = 0
        for bar, chord in enumerate(section.chords):
            root = parse_chord(chord).pitch_classes[0]
            on_downbeat = (notes.start_beat >= bar * bpb) & (notes.start_beat < bar * bpb + 0.01)
            hits += root in {int(x) % 12 for x in notes.pitch[on_downbeat]}
        assert hits >= 0.75 * section.bars, (step.id, section.chords)


def test_style_ids_grooves_and_voicings_are_known_to_the_embedded_backend() -> None:
    from storpheus.backends.embedded.grooves import known_groove
    from storpheus.styles import STYLES, resolve_style

    for style in STYLES.values():
        assert resolve_style(style.id).match == "exact", style.id
        assert known_groove(style.groove), style.groove
