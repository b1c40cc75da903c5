"""parse_prompt: header routing, every routing field, extensions, errors (table driven)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from maestro_lab.prompts import (
    InvalidMaestroPrompt,
    MaestroPrompt,
    PositionSpec,
    PromptParseError,
    TargetSpec,
    UnsupportedPromptHeader,
    VibeWeight,
    parse_prompt,
)
from maestro_lab.prompts.schema import prompt_from_json


def body(text: str) -> str:
    return "MAESTRO PROMPT\n" + text


def compose(extra: str) -> str:
    return body("Mode: compose\n" + extra)


# ---------------------------------------------------------------- headers
def test_text_without_header_is_natural_language() -> None:
    assert parse_prompt("make me a lofi beat at 80 bpm") is None
    assert parse_prompt("") is None
    assert parse_prompt("   \n\n  ") is None


def test_header_must_be_the_first_non_empty_line() -> None:
    assert parse_prompt("hello\nMAESTRO PROMPT\nMode: compose") is None
    assert isinstance(parse_prompt("\n\n  MAESTRO PROMPT  \nMode: compose"), MaestroPrompt)


def test_header_is_case_insensitive_and_tolerates_a_colon_and_bom() -> None:
    for header in ("maestro prompt", "Maestro  Prompt", "MAESTRO PROMPT:", "\ufeffMAESTRO PROMPT"):
        prompt = parse_prompt(f"{header}\nMode: ask\nRequest: why?")
        assert prompt is not None
        assert prompt.mode == "ask"


def test_stori_prompt_header_is_rejected_with_the_header_named() -> None:
    with pytest.raises(UnsupportedPromptHeader) as info:
        parse_prompt("STORI PROMPT\nMode: compose")
    assert info.value.header == "STORI PROMPT"
    assert isinstance(info.value, PromptParseError)


def test_header_alone_is_an_invalid_prompt_not_natural_language() -> None:
    with pytest.raises(InvalidMaestroPrompt) as info:
        parse_prompt("MAESTRO PROMPT\n")
    assert info.value.details[0].startswith("body:")


# ------------------------------------------------- reference DSL examples
REFERENCE_POSITIONS = [
    ("after intro", PositionSpec("after", "intro")),
    ("before chorus", PositionSpec("before", "chorus")),
    ("alongside verse", PositionSpec("alongside", "verse")),
    ("between verse chorus", PositionSpec("between", "verse", "chorus")),
    ("within verse bar 3", PositionSpec("within", "verse", offset=8.0)),
    ("beat 32", PositionSpec("absolute", beat=32.0)),
    ("bar 9", PositionSpec("absolute", beat=32.0)),
    ("last", PositionSpec("last")),
    ("before chorus - 4", PositionSpec("before", "chorus", offset=-4.0)),
    ("after intro + 2", PositionSpec("after", "intro", offset=2.0)),
    ("alongside verse + 8", PositionSpec("alongside", "verse", offset=8.0)),
    ("at bar 9", PositionSpec("absolute", beat=32.0)),
    ("at 32", PositionSpec("absolute", beat=32.0)),
]


@pytest.mark.parametrize(("text", "expected"), REFERENCE_POSITIONS)
def test_reference_position_examples_parse_as_documented(text: str, expected: PositionSpec) -> None:
    prompt = parse_prompt(compose(f"Position: {text}"))
    assert prompt is not None
    assert prompt.position == expected
    assert prompt.after == expected


def test_after_key_is_the_backwards_compatible_position() -> None:
    prompt = parse_prompt(compose("After: intro"))
    assert prompt is not None
    assert prompt.position == PositionSpec("after", "intro")


@pytest.mark.parametrize(
    "vibe_yaml",
    ["[dusty x3]", "['dusty:3']", "[{dusty: 3}]", "{dusty: 3}", "dusty x3", "[DUSTY X3]"],
)
def test_reference_vibe_weight_syntaxes_give_weight_three(vibe_yaml: str) -> None:
    prompt = parse_prompt(compose(f"Vibe: {vibe_yaml}"))
    assert prompt is not None
    assert prompt.vibes == (VibeWeight("dusty", 3),)


def test_bare_vibe_has_weight_one() -> None:
    prompt = parse_prompt(compose("Vibe: dusty"))
    assert prompt is not None
    assert prompt.vibes == (VibeWeight("dusty", 1),)


def test_reference_vibe_block_list_of_mappings() -> None:
    prompt = parse_prompt(compose("Vibe:\n  - darker: 2\n  - hypnotic: 3\n  - wider: 1"))
    assert prompt is not None
    assert prompt.vibes == (VibeWeight("darker", 2), VibeWeight("hypnotic", 3), VibeWeight("wider"))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("project", TargetSpec("project")),
        ("selection", TargetSpec("selection")),
        ("track:Bass", TargetSpec("track", "Bass")),
        ("region:Verse Melody", TargetSpec("region", "Verse Melody")),
        ("'track: Drums'", TargetSpec("track", "Drums")),
        ("{track: Lead Synth}", TargetSpec("track", "Lead Synth")),
        ("PROJECT", TargetSpec("project")),
    ],
)
def test_reference_target_forms(text: str, expected: TargetSpec) -> None:
    prompt = parse_prompt(body(f"Mode: edit\nTarget: {text}\nRequest: louder"))
    assert prompt is not None
    assert prompt.target == expected


FULL_REFERENCE_EXAMPLE = """MAESTRO PROMPT
Mode: compose
Section: verse
Position: after intro + 2
Style: lofi hip hop
Key: Cm
Tempo: 75
Role: [drums, bass, piano, melody]
Constraints:
  bars: 8
  density: medium-sparse
Vibe: [dusty x3, warm x2, laid back, melancholic]

Request: |
  Verse groove — lazy boom bap with loose swing, deep bass anchoring
  Cm-Ab-Eb-Bb, lo-fi chord stabs, and a wistful piano melody.

Harmony:
  progression: [Cm7, Abmaj7, Ebmaj7, Bb7sus4]
  voicing: rootless close position
Melody:
  scale: C dorian
  register: mid (Bb4–G5)
Rhythm:
  feel: behind the beat
  swing: 55%
Effects:
  drums:
    saturation: tape, subtle
    compression: slow attack
Expression:
  arc: resignation → quiet acceptance
"""


def test_full_reference_example_parses_every_routing_field() -> None:
    prompt = parse_prompt(FULL_REFERENCE_EXAMPLE)
    assert prompt is not None
    assert prompt.mode == "compose"
    assert prompt.section == "verse"
    assert prompt.position == PositionSpec("after", "intro", offset=2.0)
    assert prompt.style == "lofi hip hop"
    assert prompt.key == "C minor"
    assert prompt.tempo == 75
    assert prompt.roles == ("drums", "bass", "piano", "melody")
    assert prompt.constraints == {"bars": 8, "density": "medium sparse"}
    assert [str(v) for v in prompt.vibes] == ["dusty x3", "warm x2", "laid back", "melancholic"]
    assert prompt.request.startswith("Verse groove — lazy boom bap")
    assert "\n" in prompt.request  # block scalar keeps its lines
    assert list(prompt.extensions) == ["Harmony", "Melody", "Rhythm", "Effects", "Expression"]
    assert prompt.extensions["Rhythm"] == {"feel": "behind the beat", "swing": "55%"}
    assert prompt.has_maestro_fields
    assert prompt.prompt_kind == "maestro"
    assert prompt.raw == FULL_REFERENCE_EXAMPLE


SEQUENTIAL_EXAMPLES = [
    (
        "Mode: compose\nSection: intro\nStyle: lofi hip hop\nKey: Cm\nTempo: 75\n"
        "Role: [pads, melody]\nConstraints:\n  bars: 4\nVibe: [dreamy x3, melancholic x2]\n"
        "Request: Floating atmospheric intro, warm and spacious.",
        {"section": "intro", "roles": ("pads", "melody"), "constraints": {"bars": 4}},
    ),
    (
        "Mode: compose\nSection: verse\nPosition: after intro\nStyle: lofi hip hop\nKey: Cm\n"
        "Tempo: 75\nRole: [drums, bass, chords]\nConstraints:\n  bars: 8\n"
        "Request: Verse groove — lazy boom bap, deep bass, chord stabs.",
        {"position": PositionSpec("after", "intro"), "roles": ("drums", "bass", "chords")},
    ),
    (
        "Mode: compose\nSection: pre-chorus fill\nPosition: before chorus - 4\nRole: drums\n"
        "Constraints:\n  bars: 1\nRequest: 1-bar drum fill building into the chorus.",
        {"section": "pre-chorus fill", "position": PositionSpec("before", "chorus", offset=-4.0)},
    ),
    (
        "Mode: compose\nSection: chorus\nPosition: after verse\nRole: [lead, chords, drums]\n"
        "Constraints:\n  bars: 8\n  density: high\nVibe: [driving x3, euphoric x2]\n"
        "Request: Full chorus — melodic lead, denser groove, brighter feel.",
        {"constraints": {"bars": 8, "density": "high"}, "roles": ("lead", "chords", "drums")},
    ),
]


@pytest.mark.parametrize(("text", "expected"), SEQUENTIAL_EXAMPLES)
def test_reference_sequential_section_prompts(text: str, expected: dict[str, object]) -> None:
    prompt = parse_prompt(body(text))
    assert prompt is not None
    for name, value in expected.items():
        assert getattr(prompt, name) == value


# ----------------------------------------------------- valid cases (table)
@dataclass(frozen=True)
class Valid:
    body: str
    field: str
    expected: object


VALID_CASES = [
    Valid("Mode: compose", "mode", "compose"),
    Valid("Mode: EDIT\nRequest: x", "mode", "edit"),
    Valid("mode: Ask\nrequest: why?", "mode", "ask"),
    Valid("MODE: compose\nTEMPO: 90", "tempo", 90),
    Valid("Mode: compose\nTempo: 92 bpm", "tempo", 92),
    Valid("Mode: compose\nTempo: 92BPM", "tempo", 92),
    Valid("Mode: compose\nTempo: 120.0", "tempo", 120),
    Valid("Mode: compose\nTempo: '20'", "tempo", 20),
    Valid("Mode: compose\nTempo: 300", "tempo", 300),
    Valid("Mode: compose\nBPM: 128", "tempo", 128),
    Valid("Mode: compose\nKey: F#m", "key", "F# minor"),
    Valid("Mode: compose\nKey: Eb", "key", "Eb major"),
    Valid("Mode: compose\nKey: C major", "key", "C major"),
    Valid("Mode: compose\nKey: A dorian", "key", "A dorian"),
    Valid("Mode: compose\nKey: bbm", "key", "Bb minor"),
    Valid("Mode: compose\nKey: F sharp minor", "key", "F# minor"),
    Valid("Mode: compose\nKey: D Mixolydian", "key", "D mixolydian"),
    Valid("Mode: compose\nRole: [drums, bass, melody]", "roles", ("drums", "bass", "melody")),
    Valid("Mode: compose\nRole: drums, bass and keys", "roles", ("drums", "bass", "keys")),
    Valid(
        "Mode: compose\nRole:\n  - kick\n  - sub bass\n  - arp",
        "roles",
        ("kick", "sub bass", "arp"),
    ),
    Valid("Mode: compose\nRoles: Piano", "roles", ("piano",)),
    Valid("Mode: compose\nInstruments: [Sax, Drums, sax]", "roles", ("sax", "drums")),
    Valid("Mode: compose\nRole: [808]", "roles", ("808",)),
    Valid("Mode: compose\nSection: Pre-Chorus Fill", "section", "pre-chorus fill"),
    Valid("Mode: compose\nStyle: Lofi  Hip Hop", "style", "lofi hip hop"),
    Valid("Mode: compose\nGenre: house", "style", "house"),
    Valid("Mode: compose\nEnergy: Very High", "energy", "very high"),
    Valid("Mode: compose\nEnergy: mid", "energy", "medium"),
    Valid("Mode: compose\nEnergy: very_low", "energy", "very low"),
    Valid(
        "Mode: compose\nVibes: warm, dusty x2",
        "vibes",
        (VibeWeight("warm"), VibeWeight("dusty", 2)),
    ),
    Valid("Mode: compose\nVibe: [laid back]", "vibes", (VibeWeight("laid back"),)),
    Valid("Mode: compose\nConstraints:\n  bars: 8", "constraints", {"bars": 8}),
    Valid("Mode: compose\nConstraints:\n  No Reverb: true", "constraints", {"no_reverb": True}),
    Valid("Mode: compose\nConstraints:\n  swing: 55%", "constraints", {"swing": 0.55}),
    Valid("Mode: compose\nConstraints:\n  swing: 60", "constraints", {"swing": 0.6}),
    Valid(
        "Mode: compose\nConstraints: [bars: 4, no effects]",
        "constraints",
        {"bars": 4, "no_effects": True},
    ),
    Valid(
        "Mode: compose\nConstraints:\n  - bars: 16\n  - meter: 6/8",
        "constraints",
        {"bars": 16, "time_signature": "6/8"},
    ),
    Valid("Mode: compose\nConstraints:\n  num_candidates: 8", "constraints", {"candidates": 8}),
    Valid(
        "Mode: compose\nConstraints:\n  sections: intro, verse, chorus",
        "constraints",
        {"sections": ["intro", "verse", "chorus"]},
    ),
    Valid(
        "Mode: compose\nConstraints:\n  sections: {intro: 4, drop: 8}",
        "constraints",
        {"sections": {"intro": 4, "drop": 8}},
    ),
    Valid(
        "Mode: compose\nConstraints:\n  progression: Cm7 - Abmaj7 - Eb - Bb",
        "constraints",
        {"progression": ["Cm7", "Abmaj7", "Eb", "Bb"]},
    ),
    Valid("Mode: compose\nConstraints:\n  mystery knob: 11", "constraints", {"mystery_knob": 11}),
    Valid("Mode: compose\nConstraints:\n  duration: 120s", "constraints", {"duration": 120.0}),
    Valid("Mode: compose\nConstraints:\n  density: 0.3", "constraints", {"density": 0.3}),
    Valid("Mode: compose\nPosition: 16", "position", PositionSpec("absolute", beat=16.0)),
    Valid(
        "Mode: compose\nPosition: between pre-chorus and chorus",
        "position",
        PositionSpec("between", "pre-chorus", "chorus"),
    ),
    Valid(
        "Mode: compose\nPosition: within verse beat 6",
        "position",
        PositionSpec("within", "verse", offset=6.0),
    ),
    Valid(
        "Mode: compose\nPosition: alongside verse + 1 bar",
        "position",
        PositionSpec("alongside", "verse", offset=4.0),
    ),
    Valid("Mode: compose\nPosition: last + 4", "position", PositionSpec("last", offset=4.0)),
    Valid(
        "Mode: compose\nStyle: house\nRole: [drums, bass]",
        "request",
        "Compose a house with drums and bass",
    ),
    Valid("Mode: compose", "request", "Compose music"),
    Valid("Mode: edit\nRequest: '  make the hats quieter  '", "request", "make the hats quieter"),
    Valid("Mode: compose\nMelody:\n  contour: arch", "extensions", {"Melody": {"contour": "arch"}}),
    Valid("Mode: compose\nX-yes: 1", "extensions", {"X-yes": 1}),
    Valid("Mode: compose\nX-Date: 2024-01-01", "extensions", {"X-Date": "2024-01-01"}),
    Valid("Mode: compose\nForm: AABA", "extensions", {"Form": "AABA"}),
    Valid("Mode: compose\nTempo: null\nKey: ~", "tempo", None),
    Valid("Mode: compose  # comment\n# another comment\nTempo: 90 # fast", "tempo", 90),
]


@pytest.mark.parametrize("case", VALID_CASES, ids=lambda c: c.body.replace("\n", " | ")[:60])
def test_valid_prompt_table(case: Valid) -> None:
    prompt = parse_prompt(body(case.body))
    assert prompt is not None
    assert getattr(prompt, case.field) == case.expected


# --------------------------------------------------- invalid cases (table)
@dataclass(frozen=True)
class Invalid:
    body: str
    fragments: tuple[str, ...]


INVALID_CASES = [
    Invalid("Mode: compose\nTempo: [90", ("body: YAML syntax error at line 3",)),
    Invalid("Mode: compose\n\tTempo: 90", ("body: YAML syntax error",)),
    Invalid("- a\n- b", ("body: must be a YAML mapping", "got a list")),
    Invalid("just some words", ("body: must be a YAML mapping",)),
    Invalid("Tempo: 90", ("Mode: missing",)),
    Invalid("Mode: ~", ("Mode: missing",)),
    Invalid("Mode: sing", ("Mode: 'sing' is not a mode",)),
    Invalid("Mode: [compose]", ("Mode: must be one of compose",)),
    Invalid("Mode: edit", ("Request: required in edit mode",)),
    Invalid("Mode: ask\nRequest: ''", ("Request: required in ask mode",)),
    Invalid("Mode: compose\nTempo: 500", ("Tempo: 500 BPM is outside 20-300",)),
    Invalid("Mode: compose\nTempo: 19", ("Tempo: 19 BPM is outside",)),
    Invalid("Mode: compose\nTempo: 92.5", ("Tempo: 92.5 is not a whole number",)),
    Invalid("Mode: compose\nTempo: fast", ("Tempo: 'fast' is not a tempo",)),
    Invalid("Mode: compose\nTempo: true", ("Tempo: must be a whole number",)),
    Invalid("Mode: compose\nTempo: .inf", ("body: Tempo: inf is not a finite number",)),
    Invalid("Mode: compose\nKey: H minor", ("Key: 'H minor' is not a key",)),
    Invalid("Mode: compose\nKey: C blues", ("Key: 'C blues' is not a key: unknown mode 'blues'",)),
    Invalid("Mode: compose\nKey: 5", ("Key: '5' is not a key",)),
    Invalid("Mode: compose\nEnergy: loud", ("Energy: 'loud' is not an energy level",)),
    Invalid("Mode: compose\nRole: {drums: 1}", ("Role: must be a list",)),
    Invalid("Mode: compose\nRole: [[drums]]", ("Role: item 1",)),
    Invalid(
        "Mode: compose\nRole: drums\nRoles: bass", ("Role: given twice (as 'Role' and 'Roles')",)
    ),
    Invalid("Mode: compose\nVibe: dusty x0", ("Vibe: vibe 'dusty': weight 0",)),
    Invalid("Mode: compose\nVibe: {dusty: 1.5}", ("Vibe: vibe 'dusty': weight 1.5",)),
    Invalid("Mode: compose\nVibe: [dusty x101]", ("weight 101 must be a whole number 1-100",)),
    Invalid("Mode: compose\nVibe: ['42']", ("Vibe: '42' is not a vibe keyword",)),
    Invalid("Mode: edit\nTarget: 'track:'\nRequest: x", ("Target: 'track:' needs a name",)),
    Invalid(
        "Mode: edit\nTarget: bus:Reverb\nRequest: x", ("Target: 'bus:Reverb' is not a target",)
    ),
    Invalid(
        "Mode: compose\nPosition: sideways verse", ("Position: 'sideways verse' is not a position",)
    ),
    Invalid("Mode: compose\nPosition: after", ("Position: 'after' needs a section name",)),
    Invalid(
        "Mode: compose\nPosition: between verse", ("Position: 'between' needs two section names",)
    ),
    Invalid("Mode: compose\nPosition: bar 0", ("Position: bar numbers start at 1",)),
    Invalid(
        "Mode: compose\nPosition: beat 4 - 8", ("Position: position 'absolute' needs a beat >= 0",)
    ),
    Invalid(
        "Mode: compose\nPosition: after intro\nAfter: intro",
        ("Position: give either Position or After",),
    ),
    Invalid(
        "Mode: compose\nConstraints:\n  bars: 0",
        ("Constraints: bars: 0 must be a whole number of bars 1-256",),
    ),
    Invalid(
        "Mode: compose\nConstraints:\n  bars: eight",
        ("Constraints: bars: must be a whole number of bars",),
    ),
    Invalid(
        "Mode: compose\nConstraints:\n  swing: 90%", ("Constraints: swing: '90%' must be 0.5-0.75",)
    ),
    Invalid(
        "Mode: compose\nConstraints:\n  meter: 7/3",
        ("Constraints: time_signature: 7/3 is not a valid",),
    ),
    Invalid(
        "Mode: compose\nConstraints:\n  progression: [Cm7, H7]",
        ("Constraints: progression: 'H7' is not a chord symbol",),
    ),
    Invalid(
        "Mode: compose\nConstraints:\n  density: thick",
        ("Constraints: density: 'thick' is not a density",),
    ),
    Invalid(
        "Mode: compose\nConstraints:\n  bars: 4\n  length: 8", ("Constraints: bars is given twice",)
    ),
    Invalid("Mode: compose\nConstraints: 42", ("Constraints: must be a mapping",)),
    Invalid("Mode: compose\nTempo: 90\ntempo: 91", ("Tempo: given twice",)),
    Invalid(
        "Mode: compose\nMode: edit",
        ("body: YAML syntax error at line 3, column 1: key 'Mode' is given twice",),
    ),
    Invalid(
        "Mode: compose\nHarmony: a\nHARMONY: b",
        ("HARMONY: given twice (as 'Harmony' and 'HARMONY')",),
    ),
    Invalid("Mode: compose\nx: !!set {a, b}", ("body: x: a set value is not supported",)),
    Invalid("Mode: compose\nx: &a [*a]", ("body: x is nested more than",)),
    Invalid(
        "Mode: compose\n? [a, b]\n: 1", ("body: YAML syntax error", "keys must be plain names")
    ),
    Invalid(
        "Mode: compose\nx: !!python/object:os.system ls", ("body: YAML syntax error", "constructor")
    ),
    Invalid("Mode: compose\n---\nMode: edit", ("body: YAML syntax error",)),
    Invalid("Mode: compose\nSection: [a, b]", ("Section: must be a section name",)),
    Invalid("Mode: compose\nStyle: {a: b}", ("Style: must be a style",)),
]


@pytest.mark.parametrize("case", INVALID_CASES, ids=lambda c: c.body.replace("\n", " | ")[:60])
def test_invalid_prompt_table(case: Invalid) -> None:
    with pytest.raises(InvalidMaestroPrompt) as info:
        parse_prompt(body(case.body))
    text = "\n".join(info.value.details)
    for fragment in case.fragments:
        assert fragment in text


def test_prompt_case_table_has_at_least_sixty_cases() -> None:
    assert len(VALID_CASES) + len(INVALID_CASES) >= 60


def test_every_problem_is_reported_at_once_each_naming_its_field() -> None:
    text = body(
        "Mode: sing\nTempo: 500\nKey: H\nVibe: dusty x0\nTarget: 'track:'\n"
        "Energy: loud\nPosition: sideways\nConstraints: {bars: 0}"
    )
    with pytest.raises(InvalidMaestroPrompt) as info:
        parse_prompt(text)
    fields = [d.split(":", 1)[0] for d in info.value.details]
    assert fields == ["Mode", "Position", "Target", "Key", "Tempo", "Energy", "Vibe", "Constraints"]
    assert "8 problems" in str(info.value)


def test_yaml_error_line_numbers_count_from_the_top_of_the_prompt() -> None:
    with pytest.raises(InvalidMaestroPrompt) as info:
        parse_prompt("\n\nMAESTRO PROMPT\nMode: compose\nRole: [drums\n")
    assert "line 6" in info.value.details[0] or "line 5" in info.value.details[0]


# ------------------------------------------------------------ JSON shapes
def test_prompt_json_round_trips_through_from_dict_and_validation() -> None:
    prompt = parse_prompt(FULL_REFERENCE_EXAMPLE)
    assert prompt is not None
    data = prompt.to_dict()
    assert MaestroPrompt.from_dict(data) == prompt
    assert prompt_from_json(data) == prompt


def test_prompt_from_json_reports_each_bad_location() -> None:
    with pytest.raises(InvalidMaestroPrompt) as info:
        prompt_from_json({"mode": "sing", "request": 3})
    text = "\n".join(info.value.details)
    assert "mode:" in text
    assert "request:" in text
    assert "roles: Field required" in text


def test_normalised_prompt_ignores_comments_spelling_and_key_order() -> None:
    a = parse_prompt(body("Mode: compose\nKey: F#m\nTempo: 92 bpm\nRole: drums, bass"))
    b = parse_prompt(body("# hi\ntempo: 92\nrole: [drums, bass]\nkey: F# minor\nmode: COMPOSE"))
    assert a is not None
    assert b is not None
    assert a.raw != b.raw
    assert a.canonical_json() == b.canonical_json()
    assert a.prompt_hash == b.prompt_hash


def test_normalised_prompt_changes_when_music_changes() -> None:
    a = parse_prompt(body("Mode: compose\nKey: F#m"))
    b = parse_prompt(body("Mode: compose\nKey: F#"))
    assert a is not None
    assert b is not None
    assert a.prompt_hash != b.prompt_hash
