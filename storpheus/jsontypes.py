"""The one JSON type alias of the project.

:data:`JSONValue` is any JSON value (pydantic's recursive ``JsonValue``:
``None``, ``bool``, ``int``, ``float``, ``str``, lists and string-keyed
mappings of JSON values); :data:`JSONObject` is a JSON object. Every package
(storpheus, muse_duckdb, maestro_lab) imports these instead of defining its
own, so "JSON" means one thing everywhere: what ``json.dumps`` writes and a
pydantic model validates.

>>> doc: JSONObject = {"bpm": 90, "tracks": [{"name": "Bass"}], "key": None}
>>> import json; json.loads(json.dumps(doc)) == doc
True
"""

from __future__ import annotations

from typing import TypeAlias

from pydantic import JsonValue

JSONValue: TypeAlias = JsonValue
"""Any JSON value."""

JSONObject: TypeAlias = dict[str, JsonValue]
"""A JSON object (string keys, JSON values)."""

__all__ = ["JSONObject", "JSONValue"]
