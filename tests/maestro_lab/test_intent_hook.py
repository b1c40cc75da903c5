"""The intent classifier hook, end to end: plan, compose, stream, the CLI and the server.

A small deterministic fake stands in for an LLM client: it answers
COMPOSING for any text and records what it was asked. ``"blorp"`` is a
request the rules cannot place (``ask.clarify`` at 0.4, below the 0.6
threshold), so without a classifier it plans nothing; with the fake it is
composed, which proves the hook was consulted and its answer used. A
request the rules are sure of never reaches the hook.
"""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from httpx_sse import connect_sse

import maestro_lab
from maestro_lab.cli import main
from maestro_lab.errors import NothingToComposeError
from maestro_lab.intent import (
    ClassifierLoadError,
    Intent,
    IntentResult,
    classify_intent,
    load_classifier,
)
from maestro_lab.planner import plan
from maestro_lab.runtime.events import StateEvent
from maestro_lab.server import ServerConfig, create_app, serve_in_thread

UNSURE = "blorp"
SURE = "make a house beat with drums and bass"


class FakeClassifier:
    """Deterministic stand-in for a model: always COMPOSING, and a log of the questions."""

    def __init__(self) -> None:
        self.asked: list[tuple[str, IntentResult]] = []

    def __call__(self, text: str, rules_result: IntentResult) -> IntentResult | None:
        self.asked.append((text, rules_result))
        return IntentResult(Intent.COMPOSING, "compose.generate", 0.9, "fake-llm")


def test_the_request_is_below_the_threshold_and_plans_nothing_without_a_classifier() -> None:
    result = classify_intent(UNSURE)
    assert (result.label, result.confidence) == ("ask.clarify", 0.4)
    assert classify_intent(SURE).confidence >= 0.6
    assert plan(UNSURE, seed=1).is_empty


def test_plan_asks_the_classifier_below_the_threshold_and_uses_its_answer() -> None:
    fake = FakeClassifier()
    planned = plan(UNSURE, seed=1, classifier=fake)
    assert [text for text, _ in fake.asked] == [UNSURE]
    assert fake.asked[0][1].label == "ask.clarify"
    assert (planned.intent, planned.intent_label) == ("COMPOSING", "compose.generate")
    assert not planned.is_empty
    sure = plan(SURE, seed=1, classifier=fake)
    assert len(fake.asked) == 1  # a confident request never reaches the hook
    assert sure.plan_hash == plan(SURE, seed=1).plan_hash


def test_compose_and_stream_pass_the_classifier_to_the_planner(tmp_path: Path) -> None:
    db = tmp_path / "lab.duckdb"
    with pytest.raises(NothingToComposeError):
        maestro_lab.compose(UNSURE, db=db, seed=1, candidates=1, out=None)
    assert not db.exists()
    fake = FakeClassifier()
    result = maestro_lab.compose(UNSURE, db=db, seed=1, candidates=1, out=None, classifier=fake)
    assert result.commit_id
    assert fake.asked
    assert {text for text, _ in fake.asked} == {UNSURE}
    streamed = FakeClassifier()
    events = list(
        maestro_lab.stream(UNSURE, db=db, seed=2, candidates=1, out=None, classifier=streamed)
    )
    assert streamed.asked
    first = events[0]
    assert isinstance(first, StateEvent)
    assert (first.state, first.intent) == ("composing", "compose.generate")
    assert events[-1].type == "complete"


HOOK_MODULE = """
from maestro_lab.intent import Intent, IntentResult

ASKED = []

def hook(text, rules_result):
    ASKED.append(text)
    return IntentResult(Intent.COMPOSING, "compose.generate", 0.9, "cli-fake")

class Model:
    def __call__(self, text, rules_result):
        return None

not_a_classifier = 42
"""


def test_cli_plan_and_compose_load_the_classifier_from_the_current_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "fake_intent_hook.py").write_text(HOOK_MODULE, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert main(["plan", UNSURE, "--seed", "1", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["intent"] == "REASONING"
    spec = "fake_intent_hook:hook"
    assert main(["plan", UNSURE, "--seed", "1", "--json", "--classifier", spec]) == 0
    planned = json.loads(capsys.readouterr().out)
    assert planned["intent"] == "COMPOSING"
    db = str(tmp_path / "cli.duckdb")
    flags = ["--candidates", "1", "--no-midi", "--no-plot", "--no-progress", "--json"]
    code = main(["compose", UNSURE, "--db", db, *flags, "--classifier", spec])
    assert code == 0, capsys.readouterr()
    assert json.loads(capsys.readouterr().out)["commitId"]
    bad = ["plan", UNSURE, "--classifier", "fake_intent_hook:not_a_classifier"]
    assert main(bad) == 2
    assert "not a classifier" in capsys.readouterr().err
    assert main(["compose", UNSURE, "--db", db, "--classifier", "no_such_module:x"]) == 2


def test_load_classifier_accepts_functions_classes_and_rejects_other_shapes(
    tmp_path: Path,
) -> None:
    (tmp_path / "fake_intent_shapes.py").write_text(HOOK_MODULE, encoding="utf-8")
    assert callable(load_classifier("fake_intent_shapes:hook", search=[tmp_path]))
    model = load_classifier("fake_intent_shapes:Model", search=[tmp_path])
    assert classify_intent(UNSURE, fallback=model).label == "ask.clarify"
    for spec, words in [
        ("no-colon", "must look like"),
        ("fake_intent_shapes:missing", "has no 'missing'"),
        ("fake_intent_shapes:not_a_classifier", "not a classifier"),
    ]:
        with pytest.raises(ClassifierLoadError, match=words):
            load_classifier(spec, search=[tmp_path])


def test_server_app_factory_takes_a_classifier(tmp_path: Path) -> None:
    fake = FakeClassifier()
    app = create_app(ServerConfig(db=tmp_path / "serve.duckdb"), classifier=fake)
    body = {"prompt": UNSURE, "seed": 1, "candidates": 1}
    with (
        serve_in_thread(app) as url,
        httpx.Client(base_url=url, timeout=60) as client,
        connect_sse(client, "POST", "/maestro/stream", json=body) as source,
    ):
        source.response.raise_for_status()
        events = [json.loads(sse.data) for sse in source.iter_sse()]
    assert [text for text, _ in fake.asked][:1] == [UNSURE]
    assert (events[0]["type"], events[0]["state"]) == ("state", "composing")
    assert events[-1]["type"] == "complete"
    assert events[-1]["success"] is True
