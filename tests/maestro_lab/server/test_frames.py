"""The SSE framing round trip: any event, framed by the server, parses back equal."""

from __future__ import annotations

import json

import httpx
from httpx_sse import connect_sse
from hypothesis import example, given
from hypothesis import strategies as st

from maestro_lab.runtime.events import ErrorEvent, MaestroEvent, StatusEvent, parse_event
from maestro_lab.server.app import sse_frame, wire_json

texts = st.text(st.characters(exclude_categories=("Cs",)), max_size=200)

events = st.one_of(
    st.builds(
        StatusEvent,
        message=texts,
        progress=st.none() | st.floats(0, 1),
        agent_id=st.none() | texts,
    ),
    st.builds(ErrorEvent, message=texts, code=st.none() | texts),
)


@given(st.lists(events, min_size=1, max_size=8))
@example([StatusEvent(message="line\u2028separator\x85next\r\nline\x1c")])
def test_frames_parse_back_to_the_same_events(batch: list[MaestroEvent]) -> None:
    numbered = [e.model_copy(update={"seq": i}) for i, e in enumerate(batch)]
    body = b"".join(sse_frame(wire_json(e), e.seq) for e in numbered)

    def respond(_request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=body, headers={"content-type": "text/event-stream"})

    with (
        httpx.Client(transport=httpx.MockTransport(respond)) as client,
        connect_sse(client, "POST", "http://test/maestro/stream") as source,
    ):
        received = list(source.iter_sse())
    assert [int(sse.id) for sse in received] == [e.seq for e in numbered]
    assert [parse_event(json.loads(sse.data)) for sse in received] == numbered
    assert [json.loads(sse.data) for sse in received] == [e.to_wire() for e in numbered]
