"""Phase mapping: split tool calls into setup, per-instrument and mixing phases.

The runtime runs the three phases in order: **setup** (project-level calls:
tempo, key, time signature), then **instrument** calls grouped per instrument
so the instrument agents can run in parallel, then **mixing** (volume, pan,
mute/solo, insert effects, buses and sends), which needs every track to exist.

:func:`group_into_phases` returns a :class:`PhaseSplit` (a
``NamedTuple``). A call belongs to the instrument named by its ``trackName``,
or by the track its ``trackId`` / ``regionId`` refers to among the tracks and
regions created earlier in the same list (or listed in ``known_tracks``),
or, for a generation call, its role. Keys are lower-cased names.

Example
-------
>>> from maestro_lab.tools.validation import ToolCall
>>> calls = [ToolCall("stori_set_tempo", {"tempo": 90}),
...          ToolCall("stori_add_midi_track", {"name": "Bass", "gmProgram": 33}),
...          ToolCall("stori_add_midi_region",
...                   {"trackName": "Bass", "startBeat": 0, "durationBeats": 16}),
...          ToolCall("stori_set_track_volume", {"trackId": "bass", "volume": 0.8})]
>>> split = group_into_phases(calls)
>>> [c.name for c in split.setup], split.instrument_order, [c.name for c in split.mixing]
(['stori_set_tempo'], ['bass'], ['stori_set_track_volume'])
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import NamedTuple

from maestro_lab.tools.base import ToolPhase
from maestro_lab.tools.registry import ToolRegistry, get_registry
from maestro_lab.tools.state_ids import slug
from maestro_lab.tools.validation import ToolCall

InstrumentGroups = dict[str, list[ToolCall]]
"""Tool calls grouped by instrument key (lower-cased name), in call order."""


class PhaseSplit(NamedTuple):
    """Tool calls split into the three execution phases.

    Attributes
    ----------
    setup:
        Phase 1: project-level calls (tempo, key, time signature).
    instruments:
        Phase 2: per-instrument calls, grouped by instrument key.
    instrument_order:
        The instrument keys in order of first appearance.
    mixing:
        Phase 3: mixing calls, plus instrument-phase calls that name no instrument.
    """

    setup: list[ToolCall]
    instruments: InstrumentGroups
    instrument_order: list[str]
    mixing: list[ToolCall]


def phase_for_tool(name: str, registry: ToolRegistry | None = None) -> ToolPhase:
    """``"setup"``, ``"instrument"`` or ``"mixing"`` for a tool name (unknown names raise)."""
    return (registry or get_registry()).spec(name).phase


def group_into_phases(
    calls: Iterable[ToolCall],
    *,
    known_tracks: Mapping[str, str] | None = None,
    registry: ToolRegistry | None = None,
) -> PhaseSplit:
    """Split ``calls`` into phases, keeping their relative order within each group.

    ``known_tracks`` maps existing track ids to their names (for calls that
    refer to tracks of the current project by id).
    """
    reg = registry or get_registry()
    setup: list[ToolCall] = []
    groups: InstrumentGroups = {}
    order: list[str] = []
    mixing: list[ToolCall] = []
    track_of_id: dict[str, str] = {k: v.lower() for k, v in (known_tracks or {}).items()}
    track_of_region: dict[str, str] = {}
    for call in calls:
        phase = reg.spec(call.name).phase
        if phase == "setup":
            setup.append(call)
            continue
        if phase == "mixing":
            mixing.append(call)
            continue
        instrument = _instrument_of(call, track_of_id, track_of_region)
        if instrument is None:
            mixing.append(call)
            continue
        if instrument not in groups:
            groups[instrument] = []
            order.append(instrument)
        groups[instrument].append(call)
    return PhaseSplit(setup, groups, order, mixing)


def _instrument_of(
    call: ToolCall, track_of_id: dict[str, str], track_of_region: dict[str, str]
) -> str | None:
    params = call.params
    name = _text(params.get("name"))
    if call.name == "stori_add_midi_track":
        if name is None:
            return None
        track_of_id.setdefault(slug(name), name.lower())
        return name.lower()
    instrument = _text(params.get("trackName"))
    track_id = _text(params.get("trackId"))
    if instrument is None and track_id is not None:
        instrument = track_of_id.get(track_id, track_id.lower())
    region_id = _text(params.get("regionId"))
    if instrument is None and region_id is not None:
        instrument = track_of_region.get(region_id)
    if instrument is None and call.name == "stori_generate_midi":
        instrument = _text(params.get("role"))
    if instrument is None:
        return None
    instrument = instrument.lower()
    if call.name == "stori_add_midi_region":
        region_name = name or "region"
        track_of_region[f"{track_of_id_key(instrument, track_of_id)}/{slug(region_name)}"] = (
            instrument
        )
    return instrument


def track_of_id_key(instrument: str, track_of_id: dict[str, str]) -> str:
    """The track id of an instrument name as the state store would assign it."""
    for track_id, name in track_of_id.items():
        if name == instrument:
            return track_id
    return slug(instrument)


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value.strip() else None
