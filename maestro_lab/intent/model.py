"""Intent values: the three intents, the result of classification, the classifier hook."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Literal, Protocol

Source = Literal["structured", "rules", "fallback"]


class Intent(StrEnum):
    """What the runtime does with a request."""

    COMPOSING = "COMPOSING"
    """Generate new musical material (reviewed as a variation before commit)."""
    EDITING = "EDITING"
    """Change the project directly: transport, tempo, key, tracks, regions, mix, effects."""
    REASONING = "REASONING"
    """Answer or ask back: questions, chat, and requests too vague to act on."""

    @property
    def sse_state(self) -> str:
        """The lowercase state name sent in server-sent events (``"composing"``...)."""
        return self.value.lower()

    @property
    def execution_mode(self) -> str:
        """``variation`` (composing), ``apply`` (editing) or ``reasoning``."""
        return {"COMPOSING": "variation", "EDITING": "apply", "REASONING": "reasoning"}[self.value]


LABELS: dict[str, Intent] = {
    "compose.generate": Intent.COMPOSING,
    "compose.section": Intent.COMPOSING,
    "compose.add_part": Intent.COMPOSING,
    "compose.continue": Intent.COMPOSING,
    "compose.regenerate": Intent.COMPOSING,
    "compose.refine": Intent.COMPOSING,
    "edit.transport": Intent.EDITING,
    "edit.tempo": Intent.EDITING,
    "edit.key": Intent.EDITING,
    "edit.track": Intent.EDITING,
    "edit.region": Intent.EDITING,
    "edit.notes": Intent.EDITING,
    "edit.mix": Intent.EDITING,
    "edit.effect": Intent.EDITING,
    "edit.ui": Intent.EDITING,
    "edit.history": Intent.EDITING,
    "edit.request": Intent.EDITING,
    "ask.question": Intent.REASONING,
    "ask.clarify": Intent.REASONING,
    "ask.chat": Intent.REASONING,
}
"""Every finer label and the intent it belongs to."""


@dataclass(frozen=True)
class IntentResult:
    """The outcome of :func:`~maestro_lab.intent.classify_intent`.

    ``label`` is the finer label (``"edit.tempo"``), ``rule`` names what
    fired (``"edit.tempo.set"``, ``"structured:mode"``, ``"fallback:..."``),
    ``confidence`` is 0-1, ``matched`` is the text the rule matched and
    ``slots`` the values read from the text (tempo, key, style...).
    """

    intent: Intent
    label: str
    confidence: float
    rule: str
    source: Source = "rules"
    matched: str = ""
    slots: tuple[tuple[str, str | int], ...] = field(default=())

    def __post_init__(self) -> None:
        if self.label not in LABELS:
            raise ValueError(f"unknown intent label {self.label!r}; known: {sorted(LABELS)}")
        if LABELS[self.label] is not self.intent:
            raise ValueError(f"label {self.label!r} belongs to {LABELS[self.label].value}")
        if not 0.0 <= self.confidence <= 1.0:
            raise ValueError(f"confidence={self.confidence} must be within 0-1")

    @property
    def needs_clarification(self) -> bool:
        """True when the runtime should ask the user what they mean."""
        return self.label == "ask.clarify"

    @property
    def slot_map(self) -> dict[str, str | int]:
        """The slots as a dict."""
        return dict(self.slots)

    def to_dict(self) -> dict[str, object]:
        """The JSON shape (camelCase keys)."""
        return {
            "intent": self.intent.value,
            "label": self.label,
            "confidence": self.confidence,
            "rule": self.rule,
            "source": self.source,
            "matched": self.matched,
            "slots": dict(self.slots),
            "needsClarification": self.needs_clarification,
        }


class IntentClassifier(Protocol):
    """A pluggable classifier consulted when the rules are not confident.

    It receives the text and the rules' best guess and returns a better
    :class:`IntentResult`, or ``None`` to keep the rules' answer (an LLM, a
    small trained model, or a lookup table in a notebook).
    """

    def __call__(self, text: str, rules_result: IntentResult) -> IntentResult | None:
        """A better result for ``text``, or ``None`` to keep ``rules_result``."""
