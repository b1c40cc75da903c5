"""Intent classification: COMPOSING, EDITING or REASONING, with a finer label.

Structured prompts route by ``Mode``; natural language goes through ordered,
deterministic rules (:mod:`maestro_lab.intent.rules`) with a pluggable
classifier for low-confidence cases (any :class:`IntentClassifier`; a command
line loads one with :func:`load_classifier`); :func:`extract_slots` reads
tempo, key, bars, style and section names from the text, key names through the
one key parser of :mod:`storpheus.theory` (:func:`find_key`).

Example
-------
>>> from maestro_lab.intent import classify_intent
>>> classify_intent("mute the drums").label
'edit.track'
"""

from maestro_lab.intent.classify import DEFAULT_THRESHOLD, classify_intent, classify_text
from maestro_lab.intent.loading import ClassifierLoadError, load_classifier
from maestro_lab.intent.model import LABELS, Intent, IntentClassifier, IntentResult
from maestro_lab.intent.rules import RULES, Rule, normalise
from maestro_lab.intent.slots import Slots, extract_slots, find_key

__all__ = [
    "DEFAULT_THRESHOLD",
    "LABELS",
    "RULES",
    "ClassifierLoadError",
    "Intent",
    "IntentClassifier",
    "IntentResult",
    "Rule",
    "Slots",
    "classify_intent",
    "classify_text",
    "extract_slots",
    "find_key",
    "load_classifier",
    "normalise",
]
