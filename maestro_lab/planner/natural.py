"""Natural language -> :class:`MaestroPrompt`, so ``plan()`` accepts plain requests too.

The intent decides the mode (COMPOSING -> compose, EDITING -> edit,
REASONING -> ask); slots fill tempo, key, style, bars, energy and sections;
instrument words fill the roles; the text itself becomes the request.

Example
-------
>>> p = prompt_from_text("make a lofi hip hop beat with rhodes and sub bass at 80 bpm")
>>> p.mode, p.style, p.tempo, p.roles
('compose', 'lofi hip hop', 80, ('rhodes', 'sub bass'))
"""

from __future__ import annotations

import re

from maestro_lab.emotion import vibe_axes
from maestro_lab.intent import (
    Intent,
    IntentClassifier,
    IntentResult,
    classify_intent,
    extract_slots,
)
from maestro_lab.prompts.base import MaestroPrompt, Mode, PromptConstraints, VibeWeight
from maestro_lab.roles import find_instruments

_MODES: dict[Intent, Mode] = {
    Intent.COMPOSING: "compose",
    Intent.EDITING: "edit",
    Intent.REASONING: "ask",
}


def prompt_from_text(
    text: str,
    *,
    classifier: IntentClassifier | None = None,
    intent: IntentResult | None = None,
) -> MaestroPrompt:
    """A structured prompt read from a natural-language request (see the module docstring).

    ``classifier`` is offered the requests the intent rules are unsure of
    (:func:`~maestro_lab.intent.classify_intent`'s ``fallback``); ``intent``
    is a classification already made (then neither runs again).
    """
    result = intent if intent is not None else classify_intent(text, fallback=classifier)
    slots = extract_slots(text)
    constraints: PromptConstraints = {}
    if slots.bars is not None:
        constraints["bars"] = slots.bars
    density = _density(text)
    if density is not None:
        constraints["density"] = density
    section = slots.sections[0] if len(slots.sections) == 1 else None
    request = " ".join(text.split()) or "(empty request)"
    vibes = _vibes(text, slots.style)
    return MaestroPrompt(
        raw=text,
        mode=_MODES[result.intent],
        request=request,
        prompt_kind="natural",
        section=section,
        style=slots.style,
        key=slots.key,
        tempo=slots.tempo,
        energy=slots.energy,
        roles=find_instruments(text),
        constraints=constraints,
        vibes=vibes,
    )


_BUSIER = re.compile(r"\b(busier|busy|denser|more notes|more active)\b", re.IGNORECASE)
_SPARSER = re.compile(r"\b(sparser|sparse|fewer notes|less busy|thinner)\b", re.IGNORECASE)


def _density(text: str) -> float | None:
    """``Constraints: density`` asked for in words ("busier" -> 0.9, "sparser" -> 0.2)."""
    if _SPARSER.search(text):
        return 0.2
    if _BUSIER.search(text):
        return 0.9
    return None


def _vibes(text: str, style: str | None) -> tuple[VibeWeight, ...]:
    """Mood words of the emotion vocabulary found in the text (style words excluded)."""
    words = re.findall(r"[a-z][a-z'-]*", text.lower())
    style_words = set((style or "").split())
    found: list[str] = []
    for i, word in enumerate(words):
        pair = f"{word} {words[i + 1]}" if i + 1 < len(words) else ""
        for candidate in (pair, word):
            if candidate and candidate not in style_words and vibe_axes(candidate) is not None:
                if candidate not in found and candidate not in _NOT_VIBES:
                    found.append(candidate)
                break
    return tuple(VibeWeight(v) for v in found)


_NOT_VIBES = frozenset({"lofi", "lo fi", "cinematic", "epic", "funky", "jazzy", "soulful"})
