"""Intent classification: structured routing, rules on the labelled set, the fallback hook."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from maestro_lab.intent import (
    LABELS,
    Intent,
    IntentResult,
    classify_intent,
    extract_slots,
    normalise,
)
from maestro_lab.prompts import InvalidMaestroPrompt, parse_prompt

DATA = Path(__file__).resolve().parents[1] / "data" / "intent_labelled.yaml"
ITEMS: list[dict[str, str]] = yaml.safe_load(DATA.read_text())["items"]


# ---------------------------------------------------------- labelled set
def test_labelled_set_is_large_varied_and_well_formed() -> None:
    assert len(ITEMS) >= 200
    assert len({item["text"] for item in ITEMS}) == len(ITEMS)
    for item in ITEMS:
        assert LABELS[item["label"]].value == item["intent"], item
        assert item["split"] in ("dev", "holdout", "probe")
    per_intent = Counter(item["intent"] for item in ITEMS)
    assert min(per_intent.values()) >= 50
    assert len({item["label"] for item in ITEMS}) >= 18


@pytest.mark.parametrize("split", ["dev", "holdout", "probe", None])
def test_intent_accuracy_on_labelled_set_is_at_least_95_percent(split: str | None) -> None:
    chosen = [item for item in ITEMS if split is None or item["split"] == split]
    correct = sum(classify_intent(item["text"]).intent.value == item["intent"] for item in chosen)
    assert correct / len(chosen) >= 0.95


def test_label_accuracy_on_dev_and_holdout_is_high() -> None:
    chosen = [item for item in ITEMS if item["split"] != "probe"]
    correct = sum(classify_intent(item["text"]).label == item["label"] for item in chosen)
    assert correct / len(chosen) >= 0.95


@pytest.mark.parametrize(
    ("text", "label", "rule"),
    [
        ("Can you set the BPM to 140?", "edit.tempo", "edit.tempo"),
        ("how do I add reverb?", "ask.question", "ask.question.wh"),
        ("add reverb to the snare", "edit.effect", "edit.effect"),
        ("add a bassline to the chorus", "compose.add_part", "compose.add_part"),
        ("add a new track", "edit.track", "edit.track"),
        ("make a lofi track", "compose.generate", "compose.generate.strict"),
        ("make the drums louder", "edit.mix", "edit.mix"),
        ("make the drums busier", "compose.refine", "compose.refine"),
        ("make it faster", "edit.tempo", "edit.tempo"),
        ("make it better", "ask.clarify", "ask.clarify.vague"),
        ("redo the melody", "compose.regenerate", "compose.regenerate"),
        ("redo", "edit.history", "edit.history"),
        ("add chorus to the rhodes", "edit.effect", "edit.effect.chorus"),
        ("write the chorus", "compose.section", "compose.section"),
        ("play", "edit.transport", "edit.transport"),
        ("play me a sad song", "compose.generate", "compose.generate.strict"),
        ("transpose the bass down an octave", "edit.notes", "edit.notes"),
        ("transpose everything up two semitones", "edit.key", "edit.key"),
        ("hey there", "ask.chat", "chat.greeting"),
        ("", "ask.clarify", "ask.clarify.empty"),
    ],
)
def test_rule_precedence_examples(text: str, label: str, rule: str) -> None:
    result = classify_intent(text)
    assert (result.label, result.rule) == (label, rule)
    assert result.source == "rules"


def test_descriptive_request_without_verb_is_composing_from_slots() -> None:
    result = classify_intent("dark techno at 130bpm with a driving bassline")
    assert result.intent is Intent.COMPOSING
    assert result.slot_map["tempo"] == 130
    assert result.slot_map["style"] == "techno"


def test_classification_is_deterministic() -> None:
    for item in ITEMS[:50]:
        assert classify_intent(item["text"]) == classify_intent(item["text"])


def test_normalise_strips_fillers_and_polite_wrappers() -> None:
    assert normalise("OK, can you please set the BPM to 140?") == ("set the bpm to 140", True)
    assert normalise("Could we get a beat") == ("give me a beat", True)
    assert normalise("what key is this?") == ("what key is this?", False)
    assert normalise("darker please") == ("darker", False)


# ----------------------------------------------------- structured prompts
@pytest.mark.parametrize(
    ("body", "intent", "label"),
    [
        ("Mode: compose\nStyle: house", Intent.COMPOSING, "compose.generate"),
        ("Mode: compose\nSection: verse", Intent.COMPOSING, "compose.section"),
        ("Mode: edit\nRequest: set the tempo to 90", Intent.EDITING, "edit.tempo"),
        ("Mode: edit\nRequest: make the verse groove harder", Intent.EDITING, "edit.request"),
        ("Mode: ask\nRequest: make a beat", Intent.REASONING, "ask.question"),
    ],
)
def test_structured_prompts_route_by_mode(body: str, intent: Intent, label: str) -> None:
    text = "MAESTRO PROMPT\n" + body
    for given_input in (text, parse_prompt(text)):
        assert given_input is not None
        result = classify_intent(given_input)
        assert result.intent is intent
        assert result.label == label
        assert result.confidence == 1.0
        assert result.source == "structured"
        assert result.rule.startswith("structured:mode=")


def test_malformed_structured_prompt_fails_fast() -> None:
    with pytest.raises(InvalidMaestroPrompt):
        classify_intent("MAESTRO PROMPT\nMode: dance")


# ------------------------------------------------------------- the hook
class Recorder:
    def __init__(self, answer: IntentResult | None) -> None:
        self.answer = answer
        self.calls: list[tuple[str, IntentResult]] = []

    def __call__(self, text: str, rules_result: IntentResult) -> IntentResult | None:
        self.calls.append((text, rules_result))
        return self.answer


def test_fallback_is_consulted_only_below_threshold() -> None:
    hook = Recorder(IntentResult(Intent.EDITING, "edit.track", 0.9, "llm"))
    confident = classify_intent("mute the drums", fallback=hook)
    assert confident.source == "rules"
    assert hook.calls == []
    unsure = classify_intent("the drums, twice over", fallback=hook)
    assert len(hook.calls) == 1
    assert hook.calls[0][1].confidence < 0.6
    assert unsure.label == "edit.track"
    assert unsure.source == "fallback"
    assert unsure.rule == "fallback:llm"


def test_fallback_returning_none_keeps_the_rules_answer() -> None:
    hook = Recorder(None)
    result = classify_intent("asdfgh", fallback=hook)
    assert len(hook.calls) == 1
    assert result.label == "ask.clarify"
    assert result.needs_clarification
    assert result.source == "rules"


def test_threshold_is_configurable() -> None:
    hook = Recorder(IntentResult(Intent.REASONING, "ask.question", 0.99, "llm"))
    result = classify_intent("mute the drums", fallback=hook, threshold=0.99)
    assert result.label == "ask.question"


def test_intent_result_rejects_mismatched_label() -> None:
    with pytest.raises(ValueError, match="belongs to EDITING"):
        IntentResult(Intent.COMPOSING, "edit.tempo", 0.5, "x")
    with pytest.raises(ValueError, match="unknown intent label"):
        IntentResult(Intent.COMPOSING, "compose.dance", 0.5, "x")


def test_intent_result_json_and_modes() -> None:
    result = classify_intent("set the tempo to 90")
    data = result.to_dict()
    assert data["intent"] == "EDITING"
    assert data["needsClarification"] is False
    assert data["slots"] == {"tempo": 90}
    assert Intent.COMPOSING.execution_mode == "variation"
    assert Intent.EDITING.sse_state == "editing"


@given(st.text(max_size=80))
def test_any_text_gets_a_valid_result(text: str) -> None:
    result = (
        classify_intent(text)
        if not text.lstrip().upper().startswith(("MAESTRO", "STORI"))
        else None
    )
    if result is not None:
        assert LABELS[result.label] is result.intent
        assert 0.0 <= result.confidence <= 1.0


# ------------------------------------------------------------------ slots
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Make a 32-bar reggaeton track with an intro, verse, and chorus in Bm at 96 BPM",
            {"tempo": 96, "key": "B minor", "bars": 32, "style": "reggaeton"},
        ),
        ("compose a jazz ballad in Bb major", {"key": "Bb major", "style": "jazz ballad"}),
        ("a tune in a minor key", {}),
        ("lofi hip hop, 80 bpm", {"tempo": 80, "style": "lofi hip hop"}),
        ("sketch something in the key of F# minor", {"key": "F# minor"}),
        ("give me 8 bars of high-energy house", {"bars": 8, "style": "house", "energy": "high"}),
        ("set the tempo to 999 bpm", {}),
    ],
)
def test_slot_extraction(text: str, expected: dict[str, object]) -> None:
    slots = dict(extract_slots(text).items())
    slots.pop("sections", None)
    assert slots == expected


def test_sections_are_listed_in_order_once() -> None:
    slots = extract_slots("intro then verse, then the chorus, another verse and an outro")
    assert slots.sections == ("intro", "verse", "chorus", "outro")


@pytest.mark.parametrize(
    "module",
    [
        "maestro_lab.intent",
        "maestro_lab.intent.classify",
        "maestro_lab.intent.rules",
        "maestro_lab.intent.slots",
        "maestro_lab.intent.loading",
        "maestro_lab.emotion",
    ],
)
def test_docstring_examples_run(module: str) -> None:
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(module))
    assert result.failed == 0
