"""Intent classification: COMPOSING, EDITING or REASONING, with a finer label.

Structured prompts route by ``Mode``; natural language goes through ordered,
deterministic rules (:mod:`maestro_lab.intent.rules`) with a pluggable
classifier for low-confidence cases; :func:`extract_slots` reads tempo, key,
bars, style and section names from the text.

Example
-------
>>> from maestro_lab.intent import classify_intent
>>> classify_intent("mute the drums").label
'edit.track'
"""

from maestro_lab.intent.classify import DEFAULT_THRESHOLD, classify_intent, classify_text
from maestro_lab.intent.model import LABELS, Intent, IntentClassifier, IntentResult
from maestro_lab.intent.rules import RULES, Rule, normalise
from maestro_lab.intent.slots import Slots, extract_slots

__all__ = [
    "DEFAULT_THRESHOLD",
    "LABELS",
    "RULES",
    "Intent",
    "IntentClassifier",
    "IntentResult",
    "Rule",
    "Slots",
    "classify_intent",
    "classify_text",
    "extract_slots",
    "normalise",
]
