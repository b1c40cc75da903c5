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
from storpheus.theory import KEY_MODES, Key
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


__all__ = ["LETTERS", "MODES", "Key", "normalise_key", "parse_key"]
