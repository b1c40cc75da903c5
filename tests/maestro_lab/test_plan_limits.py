"""Plan cost and limits: ``plan`` states the cost, and one guard refuses unbounded work.

End to end through the CLI (``plan`` and ``compose``) and the HTTP server: a
prompt that passes validation but asks for 256 bars x 16 roles x 64 candidates
is refused at once with a typed error naming the limit, the value and how to
raise it; nothing is written.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from maestro_lab.cli import main
from maestro_lab.planner import plan
from maestro_lab.planner.cost import (
    DEFAULT_LIMITS,
    PlanLimitError,
    PlanLimits,
    plan_cost,
    plan_limits,
)
from maestro_lab.server import ServerConfig, create_app, serve_in_thread

ROLES = ", ".join(["drums", *(f"melody{i}" for i in range(15))])
HUGE = (
    "MAESTRO PROMPT\nMode: compose\nRole: [" + ROLES + "]\n"
    "Constraints: {bars: 256, candidates: 64, sections: [a, b, c, d, e, f, g, h]}\n"
)
"""Valid, and 256 bars x 16 roles x 64 candidates = 262144 candidate-bars."""

SMALL = "MAESTRO PROMPT\nMode: compose\nRole: [drums, bass]\nConstraints: {bars: 8}\n"


def test_plan_prints_the_cost_as_text_and_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plan", SMALL]) == 0
    out = capsys.readouterr().out
    assert "cost: 8 bars x 2 roles x 4 candidates = 64 candidate-bars" in out
    assert main(["plan", SMALL, "--json"]) == 0
    cost = json.loads(capsys.readouterr().out)["cost"]
    # independent arithmetic: 8 bars, 2 roles, 4 candidates, one generation per section and role
    assert cost["candidateBars"] == 8 * 2 * 4
    assert cost["generations"] == cost["sections"] * 2
    assert cost["candidates"] == cost["generations"] * 4
    assert cost["estimatedNotes"] > 0


def test_a_huge_plan_is_refused_by_plan_and_raised_deliberately(
    capsys: pytest.CaptureFixture[str],
) -> None:
    began = time.perf_counter()
    assert main(["plan", HUGE]) == 2
    err = capsys.readouterr().err
    assert time.perf_counter() - began < 20
    assert "262144 candidate-bars" in err
    assert "max_candidate_bars=8192" in err
    assert "--limit max_candidate_bars=262144" in err
    assert main(["plan", HUGE, "--json"]) == 2
    error = json.loads(capsys.readouterr().out)["error"]
    assert error["type"] == "PlanLimitError"
    code = main(["plan", HUGE, "--json", "--limit", "max_candidate_bars=262144"])
    assert code == 0
    assert json.loads(capsys.readouterr().out)["cost"]["candidateBars"] == 262144
    assert main(["plan", SMALL, "--limit", "nonsense=3"]) == 2
    assert "NAME one of" in capsys.readouterr().err


def test_compose_refuses_a_huge_plan_before_creating_anything(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "new" / "song.duckdb"
    code = main(["compose", HUGE, "--db", str(db), "--out", str(tmp_path / "out"), "--json"])
    assert code == 2
    error = json.loads(capsys.readouterr().out)["error"]
    assert "max_candidate_bars" in error["message"]
    assert not (tmp_path / "new").exists()
    assert not (tmp_path / "out").exists()


def test_the_server_applies_the_same_guard(tmp_path: Path) -> None:
    db = tmp_path / "serve.duckdb"
    app = create_app(ServerConfig(db=db))
    with serve_in_thread(app) as url, httpx.Client(base_url=url, timeout=60) as client:
        response = client.post("/maestro/stream", json={"prompt": HUGE})
    assert response.status_code == 422
    assert "max_candidate_bars" in response.text


def test_each_limit_is_named_with_its_value() -> None:
    planned = plan(SMALL)
    cost = plan_cost(planned)
    for name, value in (
        ("max_bars", cost.bars),
        ("max_roles", cost.roles),
        ("max_sections", cost.sections),
        ("max_candidates", cost.candidates_per_generation),
        ("max_candidate_bars", cost.candidate_bars),
    ):
        with plan_limits(**{name: value - 1}), pytest.raises(PlanLimitError) as caught:
            plan(SMALL)
        assert (caught.value.limit, caught.value.value, caught.value.maximum) == (
            name,
            value,
            value - 1,
        )
        with plan_limits(**{name: value}):
            assert plan(SMALL).plan_hash == planned.plan_hash
    with pytest.raises(ValueError, match="unknown plan limit"):
        DEFAULT_LIMITS.raised(max_fun=3)
    with pytest.raises(ValueError, match="must be a whole number"):
        PlanLimits(max_bars=0)


@settings(max_examples=25, deadline=None)
@given(
    bars=st.integers(1, 64),
    roles=st.lists(
        st.sampled_from(["drums", "bass", "piano", "pad", "lead"]),
        min_size=1,
        max_size=5,
        unique=True,
    ),
    candidates=st.integers(1, 8),
)
def test_candidate_bars_is_bars_times_roles_times_candidates(
    bars: int, roles: list[str], candidates: int
) -> None:
    text = (
        f"MAESTRO PROMPT\nMode: compose\nRole: [{', '.join(roles)}]\n"
        f"Constraints: {{bars: {bars}, candidates: {candidates}}}"
    )
    with plan_limits(max_candidate_bars=10**9):
        cost = plan_cost(plan(text))
    assert cost.bars == bars
    assert cost.roles == len(roles)
    assert cost.candidate_bars == bars * len(roles) * candidates


def test_a_one_line_prompt_cannot_make_the_planner_itself_work_unboundedly(
    capsys: pytest.CaptureFixture[str],
) -> None:
    text = (
        "MAESTRO PROMPT\nMode: edit\nSections: {verse: 1-2000000}\nSection: verse\n"
        "Role: [bass]\nRequest: redo the bass"
    )
    began = time.perf_counter()
    assert main(["plan", text]) == 2
    assert time.perf_counter() - began < 5  # unguarded, this plan ran for minutes
    err = capsys.readouterr().err
    assert "2000000 bars of new material, above the limit max_bars=256" in err
    assert "--limit max_bars=2000000" in err
