"""The base of every wire model: camelCase JSON, snake_case Python.

Wire shapes follow the DAW convention of camelCase keys (``startBeat``,
``agentId``); Python attributes are snake_case; pydantic aliases bridge the
two. Wire models are frozen and reject unknown keys, so a typo in a field name
is an error rather than silently ignored data.

Example
-------
>>> class Point(CamelModel):
...     start_beat: float
>>> Point.model_validate({"startBeat": 1.5}).model_dump()
{'startBeat': 1.5}
>>> Point(start_beat=2.0).start_beat
2.0
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel

from storpheus.jsontypes import JSONObject as JSONObject  # the one JSON alias, re-exported


class CamelModel(BaseModel):
    """Frozen pydantic model whose JSON keys are the camelCase aliases of its fields."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        frozen=True,
        extra="forbid",
        validate_by_name=True,
        validate_by_alias=True,
        serialize_by_alias=True,
        json_schema_serialization_defaults_required=True,
    )
