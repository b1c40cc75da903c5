"""EventStream: sequencing, order enforcement, sinks, live readers, thread safety."""

from __future__ import annotations

import json
import threading

import pytest

from maestro_lab.errors import EventOrderError, EventProtocolError, StreamClosedError
from maestro_lab.runtime.events import (
    CompleteEvent,
    MaestroEvent,
    StateEvent,
    StatusEvent,
)
from maestro_lab.runtime.stream import EventStream


def state() -> StateEvent:
    return StateEvent(state="reasoning", intent="ask", execution_mode="reasoning")


def test_emit_numbers_events_from_zero_and_returns_the_numbered_copy() -> None:
    stream = EventStream()
    original = state()
    first = stream.emit(original)
    second = stream.emit(StatusEvent(message="a"))
    assert (first.seq, second.seq) == (0, 1)
    assert original.seq == -1
    assert [e.seq for e in stream.events] == [0, 1]
    assert len(stream) == 2


def test_an_out_of_order_event_is_refused_and_not_recorded() -> None:
    seen: list[MaestroEvent] = []
    stream = EventStream(sinks=[seen.append])
    with pytest.raises(EventOrderError, match="first event must be 'state'"):
        stream.emit(StatusEvent(message="too early"))
    assert stream.events == ()
    assert seen == []
    assert stream.emit(state()).seq == 0


def test_order_checking_can_be_switched_off() -> None:
    stream = EventStream(check_order=False)
    assert stream.emit(StatusEvent(message="anything goes")).seq == 0


def test_emitting_an_already_numbered_event_is_refused() -> None:
    stream = EventStream()
    first = stream.emit(state())
    with pytest.raises(EventProtocolError, match="emit each event once"):
        stream.emit(first)


def test_sinks_get_every_event_in_order_and_late_sinks_get_a_replay() -> None:
    early: list[int] = []
    late: list[int] = []
    stream = EventStream(sinks=[lambda e: early.append(e.seq)])
    stream.emit(state())
    stream.emit(StatusEvent(message="a"))
    stream.add_sink(lambda e: late.append(e.seq))
    stream.emit(StatusEvent(message="b"))
    assert early == [0, 1, 2]
    assert late == [0, 1, 2]


def test_closed_stream_refuses_events_and_check_reports_an_unfinished_stream() -> None:
    stream = EventStream()
    stream.emit(state())
    with pytest.raises(EventOrderError, match="must end with 'complete'"):
        stream.close(check=True)
    assert stream.closed
    with pytest.raises(StreamClosedError, match="closed"):
        stream.emit(StatusEvent(message="late"))


def test_follow_yields_past_and_live_events_until_close() -> None:
    stream = EventStream()
    stream.emit(state())
    received: list[str] = []
    ready = threading.Event()

    def reader() -> None:
        iterator = stream.follow(timeout=10)
        received.append(next(iterator).type)
        ready.set()
        received.extend(e.type for e in iterator)

    thread = threading.Thread(target=reader)
    thread.start()
    assert ready.wait(10)
    stream.emit(StatusEvent(message="working"))
    stream.emit(CompleteEvent(success=True))
    stream.close(check=True)
    thread.join(10)
    assert received == ["state", "status", "complete"]


def test_follow_times_out_when_nothing_arrives() -> None:
    stream = EventStream()
    stream.emit(state())
    iterator = stream.follow(timeout=0.05)
    assert next(iterator).type == "state"
    with pytest.raises(TimeoutError, match="no event within"):
        next(iterator)


def test_parallel_emitters_get_unique_consecutive_sequence_numbers() -> None:
    stream = EventStream()
    stream.emit(state())
    barrier = threading.Barrier(8)

    def worker(index: int) -> None:
        barrier.wait()
        for k in range(200):
            stream.emit(StatusEvent(message=f"{index}:{k}", agent_id=str(index)))

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    stream.emit(CompleteEvent(success=True))
    stream.close(check=True)
    seqs = [e.seq for e in stream.events]
    assert seqs == list(range(1 + 8 * 200 + 1))
    per_agent: dict[str, list[int]] = {}
    for event in stream.events:
        if isinstance(event, StatusEvent):
            per_agent.setdefault(str(event.agent_id), []).append(int(event.message.split(":")[1]))
    assert all(v == list(range(200)) for v in per_agent.values())


def test_to_jsonl_writes_one_sorted_json_object_per_line() -> None:
    stream = EventStream()
    stream.emit(state())
    stream.emit(CompleteEvent(success=True))
    lines = stream.to_jsonl().splitlines()
    assert [json.loads(line)["seq"] for line in lines] == [0, 1]
    assert lines[0] == json.dumps(json.loads(lines[0]), sort_keys=True, separators=(",", ":"))
    assert stream.wire()[1]["type"] == "complete"
