"""Tools and project state: the ``stori_*`` vocabulary plans and agents speak.

* :mod:`maestro_lab.tools.registry` — every tool in MCP and OpenAI format
  (:func:`~maestro_lab.tools.registry.get_registry`);
* :mod:`maestro_lab.tools.validation` — :class:`~maestro_lab.tools.validation.ToolCall`
  and validation naming the bad parameter;
* :mod:`maestro_lab.tools.phases` — setup / instrument / mixing phase split;
* :mod:`maestro_lab.tools.state` — the :class:`~maestro_lab.tools.state.StateStore`
  that applies tool calls to the in-memory project with transactions.

Example
-------
>>> from maestro_lab.tools import StateStore, ToolCall
>>> store = StateStore()
>>> results = store.apply_all([
...     ToolCall("stori_set_tempo", {"tempo": 96}),
...     ToolCall("stori_add_midi_track", {"name": "Bass", "gmProgram": 33}),
...     ToolCall("stori_add_midi_region",
...              {"trackId": "bass", "name": "verse", "startBeat": 0, "durationBeats": 16}),
...     ToolCall("stori_add_notes", {"regionId": "bass/verse", "notes": [
...         {"pitch": 36, "startBeat": 0, "durationBeats": 1, "velocity": 100}]}),
... ])
>>> score = store.to_score()
>>> score.bpm, score.tracks[0].name, len(score.tracks[0].notes)
(96, 'Bass', 1)
"""

from __future__ import annotations

from maestro_lab.tools.entities import StateSnapshot, ToolResult
from maestro_lab.tools.phases import PhaseSplit, group_into_phases, phase_for_tool
from maestro_lab.tools.registry import ToolRegistry, get_registry
from maestro_lab.tools.state import StateStore, Transaction
from maestro_lab.tools.validation import (
    ToolCall,
    ValidatedToolCall,
    ValidationResult,
    check_tool_call,
    validate_tool_call,
)

__all__ = [
    "PhaseSplit",
    "StateSnapshot",
    "StateStore",
    "ToolCall",
    "ToolRegistry",
    "ToolResult",
    "Transaction",
    "ValidatedToolCall",
    "ValidationResult",
    "check_tool_call",
    "get_registry",
    "group_into_phases",
    "phase_for_tool",
    "validate_tool_call",
]
