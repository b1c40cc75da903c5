"""The composition stream over real HTTP: protocol, commit, bad input."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

import maestro_lab
from maestro_lab.runtime.events import PROTOCOL_VERSION
from muse_duckdb import Repository

from .conftest import SMALL_PROMPT, Serve, assert_protocol, read_stream


def test_stream_frames_follow_the_protocol_and_commit_what_compose_commits(
    serve: Serve, tmp_path: Path
) -> None:
    url = serve(db=tmp_path / "served.duckdb")
    events = read_stream(url, {"prompt": SMALL_PROMPT, "seed": 7})
    assert_protocol(events)
    complete = events[-1]
    assert complete["success"] is True
    assert {"plan", "generatorStart", "phrase", "done"} <= {e["type"] for e in events}
    assert {e["protocolVersion"] for e in events} == {PROTOCOL_VERSION}
    expected = maestro_lab.compose(SMALL_PROMPT, seed=7, db=tmp_path / "direct.duckdb", out=None)
    assert complete["snapshotId"] == expected.snapshot_id
    served = Repository.open(tmp_path / "served.duckdb")
    assert served.head().commit_id == complete["commitId"]
    assert served.get_commit("HEAD").snapshot_id == expected.snapshot_id


def test_history_routes_read_what_the_stream_committed(serve: Serve) -> None:
    url = serve()
    first = read_stream(url, {"prompt": SMALL_PROMPT, "seed": 1})[-1]["commitId"]
    second = read_stream(url, {"prompt": SMALL_PROMPT, "seed": 2})[-1]["commitId"]
    with httpx.Client(base_url=url) as client:
        log = client.get("/api/v1/log", params={"limit": 5}).json()
        assert [c["commitId"] for c in log["commits"]] == [second, first]
        assert log["head"]["commitId"] == second
        shown = client.get(f"/api/v1/commits/{second[:12]}").json()
        assert shown["commit"]["parents"] == [first]
        assert (
            shown["diff"]
            == client.get("/api/v1/diff", params={"a": first, "b": second}).json()["diff"]
        )
        missing = client.get("/api/v1/commits/no-such-ref")
        assert missing.status_code == 404
        assert "no-such-ref" in missing.json()["error"]["message"]


def test_variation_is_staged_then_a_subset_of_phrases_is_committed(serve: Serve) -> None:
    url = serve()
    with httpx.Client(base_url=url, timeout=60) as client:
        staged = client.post("/api/v1/variations", json={"prompt": SMALL_PROMPT, "seed": 3})
        assert staged.status_code == 200, staged.text
        body = staged.json()
        assert client.get("/api/v1/log").json()["commits"] == []  # nothing committed yet
        assert len(body["phrases"]) == len(body["phraseIds"]) > 2
        chosen = body["phraseIds"][:2]
        accepted = client.post(
            f"/api/v1/variations/{body['variationId']}/accept", json={"phraseIds": chosen}
        )
        assert accepted.status_code == 200, accepted.text
        head = client.get("/api/v1/commits/HEAD").json()["commit"]
        assert head["commitId"] == accepted.json()["commitId"]
        assert sorted(head["acceptedPhraseIds"]) == sorted(chosen)
        again = client.post(f"/api/v1/variations/{body['variationId']}/accept")
        assert again.status_code == 404
        other = client.post("/api/v1/variations", json={"prompt": SMALL_PROMPT, "seed": 4}).json()
        dropped = client.post(f"/api/v1/variations/{other['variationId']}/discard")
        assert dropped.json() == {"variationId": other["variationId"], "discarded": True}
        assert client.get("/api/v1/log").json()["commits"][0]["commitId"] == head["commitId"]


def test_health_and_protocol_describe_the_server(serve: Serve) -> None:
    from maestro_lab.runtime.protocol import protocol_hash

    url = serve()
    with httpx.Client(base_url=url) as client:
        health = client.get("/api/v1/health").json()
        assert health["status"] == "ok"
        assert health["writer"] == {"busy": False, "holder": None, "waiting": 0}
        assert health["streams"] == {"running": 0, "cancelling": 0}
        protocol = client.get("/api/v1/protocol").json()
        assert protocol["protocolHash"] == protocol_hash()
        assert "stori_add_notes" in {t["name"] for t in protocol["tools"]}


@pytest.mark.parametrize(
    ("body", "status", "needle"),
    [
        (b"{not json", 422, "InvalidRequest"),
        (b'{"prompt": "MAESTRO PROMPT\\nMode: bogus\\n"}', 422, "Mode"),
        (b'{"prompt": "x", "sead": 7}', 422, "sead"),
        (b'{"prompt": ""}', 422, "prompt"),
        (b'{"prompt": "MAESTRO PROMPT\\nMode: compose\\n", "backend": "nope"}', 422, "nope"),
        (b"[1, 2, 3]", 422, "InvalidRequest"),
    ],
    ids=[
        "malformed-json",
        "bad-prompt",
        "unknown-field",
        "empty-prompt",
        "unknown-backend",
        "list",
    ],
)
def test_bad_input_gets_a_json_error_and_the_server_lives_on(
    serve: Serve, body: bytes, status: int, needle: str
) -> None:
    url = serve()
    with httpx.Client(base_url=url) as client:
        answer = client.post(
            "/maestro/stream", content=body, headers={"content-type": "application/json"}
        )
        assert answer.status_code == status, answer.text
        assert needle in json.dumps(answer.json())
        assert client.get("/api/v1/health").json()["writer"]["busy"] is False
        assert client.get("/api/v1/log").json()["commits"] == []


def test_huge_bodies_are_refused_declared_or_streamed(serve: Serve) -> None:
    url = serve(max_body_bytes=4096)
    huge = json.dumps({"prompt": "x" * 100_000}).encode()
    with httpx.Client(base_url=url) as client:
        declared = client.post(
            "/maestro/stream", content=huge, headers={"content-type": "application/json"}
        )
        assert declared.status_code == 413
        assert declared.json()["error"]["code"] == "BodyTooLarge"

        def chunks() -> object:
            for start in range(0, len(huge), 1024):
                yield huge[start : start + 1024]

        streamed = client.post(
            "/maestro/stream", content=chunks(), headers={"content-type": "application/json"}
        )
        assert streamed.status_code == 413
    with httpx.Client(base_url=url) as client:  # a fresh connection: the server is fine
        assert client.get("/api/v1/health").status_code == 200


def test_accepting_a_variation_after_head_moved_is_a_conflict(serve: Serve) -> None:
    url = serve()
    with httpx.Client(base_url=url, timeout=60) as client:
        staged = client.post("/api/v1/variations", json={"prompt": SMALL_PROMPT, "seed": 1}).json()
        moved = read_stream(url, {"prompt": SMALL_PROMPT, "seed": 2})[-1]["commitId"]
        refused = client.post(f"/api/v1/variations/{staged['variationId']}/accept")
        assert refused.status_code == 409
        assert refused.json()["error"]["code"] == "StaleBaseError"
        assert client.get("/api/v1/log").json()["head"]["commitId"] == moved


def test_a_run_that_fails_streams_error_then_complete_and_commits_nothing(
    serve: Serve, tmp_path: Path
) -> None:
    from maestro_lab import register_backend
    from maestro_lab.runtime.backends_registry import unregister_backend
    from storpheus.backends.testing import SeededTestBackend

    register_backend("failing-serve", lambda: SeededTestBackend(fail_after=2), replace=True)
    try:
        db = tmp_path / "failing.duckdb"
        url = serve(db=db)
        events = read_stream(url, {"prompt": SMALL_PROMPT, "backend": "failing-serve"})
    finally:
        unregister_backend("failing-serve")
    assert_protocol(events)
    assert [e["type"] for e in events[-2:]] == ["error", "complete"]
    assert events[-1]["success"] is False
    assert events[-1]["commitId"] is None
    assert list(Repository.open(db).log()) == []
