"""``classify_intent``: structured prompts by mode, natural language by rules, then a hook."""

from __future__ import annotations

import re
from typing import Final

from maestro_lab.intent.model import LABELS, Intent, IntentClassifier, IntentResult
from maestro_lab.intent.rules import KEY, PART_WORDS, RULES, match_rules, normalise
from maestro_lab.intent.slots import extract_slots, mark_key
from maestro_lab.prompts.base import StructuredPrompt
from maestro_lab.prompts.parser import parse_prompt
from maestro_lab.roles import INSTRUMENTS

DEFAULT_THRESHOLD: Final = 0.6
"""Results below this confidence are offered to the fallback classifier."""

_MUSIC_NOUNS: Final = re.compile(
    rf"\b(?:song|track|tune|loop|piece|instrumental|jam|music|{PART_WORDS}|chords?|progression"
    r"|bars?|bpm)\b"
)
_WORD: Final = re.compile(r"[a-z]{2,}")
_SWAP: Final = re.compile(
    r"^(?:(?:change|switch|swap|turn|replace|make) (?:the |that |this )?(?:[\w-]+ ){1,3}"
    r"(?:in)?to(?: be)?|(?:swap|replace|switch) (?:out )?(?:the |that |this )?(?:[\w-]+ ){1,3}"
    r"(?:for|with)) (?:a |an |some )?(?P<instrument>[\w#&' -]+?)(?: sound| patch| instead)?$"
)


def classify_intent(
    text_or_prompt: str | StructuredPrompt,
    *,
    fallback: IntentClassifier | None = None,
    threshold: float = DEFAULT_THRESHOLD,
) -> IntentResult:
    """Classify a request as COMPOSING, EDITING or REASONING, with a finer label.

    A structured prompt (a :class:`StructuredPrompt`, or text starting with
    ``MAESTRO PROMPT``) routes by its ``Mode``. Natural language goes through
    the ordered rules of :mod:`maestro_lab.intent.rules`; when nothing fires
    with at least ``threshold`` confidence, ``fallback`` (if given) may
    replace the answer.

    Raises the prompt parser's typed errors for a malformed structured prompt.

    Example
    -------
    >>> classify_intent("set the tempo to 90").label
    'edit.tempo'
    >>> r = classify_intent("make me a lofi beat at 80 bpm")
    >>> r.intent.value, r.rule, r.slot_map["tempo"]
    ('COMPOSING', 'compose.generate.strict', 80)
    >>> classify_intent("make it better").needs_clarification
    True
    """
    if isinstance(text_or_prompt, StructuredPrompt):
        return _structured(text_or_prompt)
    prompt = parse_prompt(text_or_prompt)
    if prompt is not None:
        return _structured(prompt)
    result = classify_text(text_or_prompt)
    if fallback is not None and result.confidence < threshold:
        better = fallback(text_or_prompt, result)
        if better is not None:
            return IntentResult(
                better.intent,
                better.label,
                better.confidence,
                better.rule if better.rule.startswith("fallback") else f"fallback:{better.rule}",
                "fallback",
                better.matched,
                better.slots or result.slots,
            )
    return result


def classify_text(text: str) -> IntentResult:
    """Rules only: the natural-language classification of ``text``."""
    norm, _ = normalise(text)
    slots = extract_slots(text).items()
    light = " ".join(text.lower().split())
    chat = RULES[0]
    if chat.pattern.search(light):
        return IntentResult(
            chat.intent, chat.label, chat.confidence, chat.name, "rules", light, slots
        )
    if not _WORD.search(norm):
        return IntentResult(Intent.REASONING, "ask.clarify", 0.9, "ask.clarify.empty", slots=slots)
    swap = _SWAP.match(norm)
    if swap is not None and _is_instrument(swap.group("instrument")):
        return IntentResult(
            Intent.EDITING, "edit.track", 0.88, "edit.track.instrument", "rules", norm, slots
        )
    found = match_rules(mark_key(norm, KEY))
    if found is not None:
        rule, matched = found
        return IntentResult(
            rule.intent, rule.label, rule.confidence, rule.name, "rules", matched, slots
        )
    if slots and any(name in ("style", "tempo", "key") for name, _ in slots):
        return IntentResult(
            Intent.COMPOSING, "compose.generate", 0.7, "compose.generate.descriptive", slots=slots
        )
    if _MUSIC_NOUNS.search(norm):
        return IntentResult(
            Intent.COMPOSING, "compose.generate", 0.5, "compose.generate.nouns", slots=slots
        )
    return IntentResult(Intent.REASONING, "ask.clarify", 0.4, "ask.clarify.unmatched", slots=slots)


def _is_instrument(words: str) -> bool:
    """True for a pitched instrument of the instrument table ("organ", "electric piano")."""
    entry = INSTRUMENTS.get(words.strip())
    return entry is not None and entry[0] != "drums"


def _structured(prompt: StructuredPrompt) -> IntentResult:
    slots = tuple(
        (name, value)
        for name, value in (("tempo", prompt.tempo), ("key", prompt.key), ("style", prompt.style))
        if value is not None
    )
    if prompt.mode == "compose":
        label = "compose.section" if prompt.section else "compose.generate"
    elif prompt.mode == "edit":
        guess = classify_text(prompt.request)
        label = guess.label if LABELS[guess.label] is Intent.EDITING else "edit.request"
    else:
        label = "ask.question"
    return IntentResult(
        LABELS[label], label, 1.0, f"structured:mode={prompt.mode}", "structured", "", slots
    )
