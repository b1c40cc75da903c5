"""Digests and canonical JSON: the hashing under every Muse id (standard library only).

Kept apart from :mod:`muse_duckdb.model.ids` (ticks, numpy) so that reading
commits and resolving refs - ``muse log``, ``muse status`` - import no numpy.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Final

HEX_DIGITS: Final = frozenset("0123456789abcdef")


def json_digest(domain: str, doc: Mapping[str, object]) -> str:
    """SHA-256 of ``domain`` and the canonical JSON of ``doc`` (sorted keys, no spaces)."""
    text = canonical_json(doc)
    return hashlib.sha256(f"{domain}\0{text}".encode()).hexdigest()


def canonical_json(doc: object) -> str:
    """Canonical JSON text: sorted keys, no whitespace, UTF-8 kept as is."""
    return json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def is_hex_prefix(text: str) -> bool:
    """Whether ``text`` could be the start of an id (lower-case hex)."""
    return bool(text) and set(text) <= HEX_DIGITS
