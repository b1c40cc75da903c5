"""Key names in prompts: the one key vocabulary of :mod:`storpheus.theory`, prompt errors.

A prompt's ``Key`` field accepts exactly what the tools and every backend
accept: a tonic and one of :data:`~storpheus.theory.KEY_MODES` (the church
modes, harmonic and melodic minor), written any common way (``F#m``,
``f#min``, ``F sharp minor``, ``E♭``, ``B-flat``, ``C ionian``, ``Dorian D``,
``C harmonic minor``). The canonical form is ``"<Tonic> <mode>"``. This
module only turns the theory's :class:`~storpheus.errors.KeyParseError` into
the prompt layer's :class:`~maestro_lab.errors.InvalidKeyError`.

Example
-------
>>> normalise_key("F#m"), normalise_key("E♭"), normalise_key("a Dorian")
('F# minor', 'Eb major', 'A dorian')
>>> parse_key("Bbm").tonic
10
"""

from __future__ import annotations

from typing import Final

from maestro_lab.errors import InvalidKeyError
from storpheus import theory
from storpheus.errors import KeyParseError
from storpheus.theory import KEY_MODES, MODE_ALIASES, Key
from storpheus.theory import LETTERS as LETTERS

MODES: Final = KEY_MODES
"""The modes a prompt may name (the same as :data:`storpheus.theory.KEY_MODES`)."""


def parse_key(text: str) -> Key:
    """Parse a key name written in any common way into the theory's :class:`Key`.

    Raises
    ------
    InvalidKeyError
        If ``text`` is not a key, with the reason (``"unknown mode 'blorp'"``).
    """
    try:
        return theory.parse_key(text, modes=KEY_MODES)
    except KeyParseError as exc:
        shown = text if isinstance(text, str) else repr(text)
        raise InvalidKeyError(shown, exc.reason) from None


def normalise_key(text: str) -> str:
    """The canonical form of a key name: ``normalise_key("F#m") == "F# minor"``."""
    return parse_key(text).name


def _ci(word: str) -> str:
    return "".join(f"[{c.upper()}{c.lower()}]" if c.isalpha() else c for c in word)


def key_pattern() -> str:
    """A regular expression (JSON Schema ``pattern``) for the key names :func:`parse_key` reads.

    Built from the same vocabulary (the modes of
    :data:`~storpheus.theory.KEY_MODES` and their aliases), so an editor that
    validates with the prompt's JSON Schema accepts what the parser accepts:
    tonic first (``"F#m"``, ``"B-flat harmonic minor"``) or mode first
    (``"Dorian D"``).

    >>> import re
    >>> [bool(re.search(key_pattern(), t)) for t in ("F#m", "Dorian D", "C blues", "H minor")]
    [True, True, False, False]
    """
    spellings = {*KEY_MODES, *(a for a, mode in MODE_ALIASES.items() if mode in KEY_MODES)}
    words = sorted((w for w in spellings if w), key=lambda w: (-len(w), w))
    mode = "(?:" + "|".join(r"[\s_-]+".join(_ci(p) for p in w.split()) for w in words) + ")"
    sign = r"(?:[#♯♭b]|(?:[\s_]+|-)?(?:" + _ci("sharp") + "|" + _ci("flat") + ")|-)"
    tonic = f"[A-Ga-g]{sign}?"
    return rf"^[\s_]*(?:{tonic}(?:[\s_:-]*{mode}|[\s_:-]*M)?|{mode}[\s_]+{tonic})[\s_]*$"


__all__ = ["LETTERS", "MODES", "Key", "key_pattern", "normalise_key", "parse_key"]
