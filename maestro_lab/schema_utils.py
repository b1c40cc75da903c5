"""JSON Schema helpers: self-contained schemas and a canonical form for hashing.

Pydantic writes nested models as ``$ref`` into ``$defs``; MCP clients prefer
each tool's ``inputSchema`` to stand alone, so :func:`inline_refs` replaces
every reference by its definition. :func:`structural` drops the annotation
keywords (``title``, ``description``, ``examples``) so that rewording a
docstring does not change the protocol hash; property *names* called
``title`` or ``description`` are kept.

Example
-------
>>> schema = {"$defs": {"P": {"type": "integer", "title": "P"}},
...           "type": "object", "title": "T",
...           "properties": {"title": {"$ref": "#/$defs/P", "description": "x"}}}
>>> inline_refs(schema)["properties"]["title"]
{'type': 'integer', 'title': 'P', 'description': 'x'}
>>> structural(inline_refs(schema))
{'type': 'object', 'properties': {'title': {'type': 'integer'}}}
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Final

from pydantic import JsonValue

ANNOTATION_KEYWORDS: Final = frozenset({"title", "description", "examples", "$comment"})
"""Schema keywords that document rather than constrain."""

_NAME_MAPS: Final = frozenset({"properties", "patternProperties", "$defs", "definitions"})
"""Keywords whose value maps *names* to sub-schemas (the keys are not keywords)."""


def inline_refs(schema: Mapping[str, JsonValue]) -> dict[str, JsonValue]:
    """A copy of ``schema`` with every local ``$ref`` replaced by its definition.

    Sibling keywords of a ``$ref`` (a field's own ``description``) are kept and
    win over the definition's. Recursive schemas are refused with ``ValueError``.
    """
    defs_raw = schema.get("$defs", {})
    defs = defs_raw if isinstance(defs_raw, dict) else {}
    out = _inline(dict(schema), defs, ())
    assert isinstance(out, dict)
    out.pop("$defs", None)
    return out


def _inline(node: JsonValue, defs: Mapping[str, JsonValue], stack: tuple[str, ...]) -> JsonValue:
    if isinstance(node, list):
        return [_inline(item, defs, stack) for item in node]
    if not isinstance(node, dict):
        return node
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        name = ref.removeprefix("#/$defs/")
        if name in stack:
            raise ValueError(f"schema {name!r} is recursive; cannot inline it")
        target = defs.get(name)
        if not isinstance(target, dict):
            raise ValueError(f"$ref {ref!r} names no definition")
        merged = {**target, **{k: v for k, v in node.items() if k != "$ref"}}
        return _inline(merged, defs, (*stack, name))
    return {k: _inline(v, defs, stack) for k, v in node.items() if k != "$defs"}


def strip_keywords(schema: JsonValue, keywords: frozenset[str]) -> JsonValue:
    """``schema`` without the given schema keywords (property names are kept)."""
    return _strip(schema, keywords, in_name_map=False)


def _strip(node: JsonValue, keywords: frozenset[str], *, in_name_map: bool) -> JsonValue:
    if isinstance(node, list):
        return [_strip(item, keywords, in_name_map=False) for item in node]
    if not isinstance(node, dict):
        return node
    if in_name_map:
        return {name: _strip(sub, keywords, in_name_map=False) for name, sub in node.items()}
    return {
        key: _strip(value, keywords, in_name_map=key in _NAME_MAPS)
        for key, value in node.items()
        if key not in keywords
    }


def structural(schema: JsonValue) -> JsonValue:
    """``schema`` without annotation keywords: what the hash of a schema should cover."""
    return strip_keywords(schema, ANNOTATION_KEYWORDS)


def canonical_json(value: JsonValue) -> str:
    """Compact JSON with sorted keys and no ASCII escaping: the bytes that get hashed."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def sha256_json(value: JsonValue) -> str:
    """SHA-256 hex digest of :func:`canonical_json`."""
    return hashlib.sha256(canonical_json(value).encode()).hexdigest()
