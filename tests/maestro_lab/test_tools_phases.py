"""Phase mapping: setup / per-instrument / mixing split of tool calls."""

from __future__ import annotations

import pytest

from maestro_lab.errors import UnknownToolError
from maestro_lab.tools import ToolCall, get_registry, group_into_phases, phase_for_tool


def test_every_tool_has_one_of_the_three_phases() -> None:
    phases = {name: phase_for_tool(name) for name in get_registry().names}
    assert set(phases.values()) == {"setup", "instrument", "mixing"}
    assert phases["stori_set_tempo"] == phases["stori_set_key"] == "setup"
    assert phases["stori_add_midi_track"] == phases["stori_generate_midi"] == "instrument"
    for name in ("stori_ensure_bus", "stori_add_send", "stori_set_track_volume"):
        assert phases[name] == "mixing"
    assert phases["stori_add_insert_effect"] == "instrument"  # an insert belongs to its track


def test_unknown_tool_has_no_phase() -> None:
    with pytest.raises(UnknownToolError):
        phase_for_tool("stori_fly")


def test_calls_are_grouped_per_instrument_in_first_appearance_order() -> None:
    calls = [
        ToolCall("stori_set_tempo", {"tempo": 88}),
        ToolCall("stori_add_midi_track", {"name": "Drums", "drumKitId": "acoustic"}),
        ToolCall("stori_add_midi_track", {"name": "Bass", "gmProgram": 33}),
        ToolCall(
            "stori_add_midi_region",
            {"trackName": "Drums", "name": "verse", "startBeat": 0, "durationBeats": 16},
        ),
        ToolCall(
            "stori_generate_midi",
            {"role": "bass", "style": "funk", "tempo": 88, "bars": 4, "trackName": "Bass"},
        ),
        ToolCall("stori_add_notes", {"regionId": "drums/verse", "notes": []}),
        ToolCall("stori_ensure_bus", {"name": "Reverb"}),
        ToolCall("stori_add_send", {"trackId": "drums", "busName": "Reverb"}),
        ToolCall("stori_set_key", {"key": "Am"}),
        ToolCall("stori_generate_midi", {"role": "pads", "style": "x", "tempo": 88, "bars": 4}),
    ]
    split = group_into_phases(calls)
    setup, instruments, order, mixing = split
    assert [c.name for c in setup] == ["stori_set_tempo", "stori_set_key"]
    assert order == ["drums", "bass", "pads"]
    assert [c.name for c in instruments["drums"]] == [
        "stori_add_midi_track",
        "stori_add_midi_region",
        "stori_add_notes",
    ]
    assert [c.name for c in instruments["bass"]] == ["stori_add_midi_track", "stori_generate_midi"]
    assert [c.name for c in mixing] == ["stori_ensure_bus", "stori_add_send"]
    assert sum(len(v) for v in instruments.values()) + len(setup) + len(mixing) == len(calls)


def test_calls_by_track_id_follow_known_tracks_and_orphans_go_to_mixing() -> None:
    calls = [
        ToolCall("stori_set_track_name", {"trackId": "keys-1", "name": "Rhodes"}),
        ToolCall("stori_move_region", {"regionId": "nowhere/r", "startBeat": 4}),
    ]
    split = group_into_phases(calls, known_tracks={"keys-1": "Keys"})
    assert split.instrument_order == ["keys"]
    assert [c.name for c in split.mixing] == ["stori_move_region"]
