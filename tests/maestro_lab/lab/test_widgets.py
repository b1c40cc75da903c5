"""The ipywidgets views: thin shells that forward to the controllers (no browser needed)."""

from __future__ import annotations

from maestro_lab.lab import PromptEditor
from maestro_lab.lab.widgets import (
    CandidateBrowserView,
    LabUI,
    PlanInspectorView,
    PromptEditorView,
)

from .conftest import PROMPT


def test_prompt_view_shows_problems_and_disables_compose(tmp_path) -> None:
    from maestro_lab.lab import Lab

    lab = Lab(tmp_path / "lab.duckdb")
    plan_view = PlanInspectorView()
    view = PromptEditorView(PromptEditor(lab, PROMPT), plan_view)
    assert not view.button.disabled
    assert "bass" in plan_view.grid.value
    view.text.value = PROMPT.replace("Tempo: 78", "Tempo: 900")
    assert view.button.disabled
    assert "<b>Tempo</b>" in view.problems.value
    view.button.click()  # disabled in the browser; the controller refuses too
    assert not (tmp_path / "lab.duckdb").exists()
    view.text.value = PROMPT
    assert not view.button.disabled
    assert len(view.emotion.children) == 5


def test_commit_button_commits_the_selected_candidate(composed) -> None:
    from maestro_lab.lab import CandidateBrowser

    lab, run_id, first = composed
    view = CandidateBrowserView(CandidateBrowser(lab, run_id))
    view.group.value = ("bass", "verse")
    other = next(v for label, v in view.candidate.options if "(chosen)" not in label)
    view.candidate.value = other
    assert view.browser.selected == other
    assert len(view.view.children) == 2  # piano roll and audio player
    view.commit.click()
    assert "committed" in view.status.value
    assert lab.history()["commit_id"].iloc[1] == first


def test_lab_ui_has_every_tab_once_a_run_exists(composed, tmp_path) -> None:
    from maestro_lab.lab import Lab

    lab, _, _ = composed
    ui = LabUI(lab, PROMPT)
    titles = [ui.tabs.get_title(i) for i in range(len(ui.tabs.children))]
    assert titles == ["Compose", "Candidates", "History", "Telemetry"]
    empty = LabUI(Lab(tmp_path / "new.duckdb"), PROMPT)
    assert len(empty.tabs.children) == 1
    assert "application/vnd.jupyter.widget-view+json" in ui._repr_mimebundle_()


def test_compose_button_commits_and_adds_the_run_tabs(tmp_path) -> None:
    from maestro_lab.lab import Lab

    lab = Lab(tmp_path / "lab.duckdb")
    ui = LabUI(lab, PROMPT.replace("candidates: 8", "candidates: 2"))
    assert len(ui.tabs.children) == 1
    ui.prompt_view.button.click()
    progress = ui.prompt_view.progress
    assert progress.state.finished
    assert progress.bar.value == 1.0
    assert "committed" in ui.prompt_view.status.value
    assert len(lab.history()) == 1
    assert len(ui.tabs.children) == 4


def test_propose_then_accept_some_phrases_in_the_review_tab(tmp_path) -> None:
    from maestro_lab.lab import Lab

    lab = Lab(tmp_path / "lab.duckdb")
    ui = LabUI(lab, PROMPT.replace("candidates: 8", "candidates: 2"))
    ui.prompt_view.propose_button.click()
    assert ui.review is not None
    assert ui.tabs.get_title(ui.tabs.selected_index) == "Review"
    assert lab.history().empty  # staged, not committed
    review = ui.review
    keep = tuple(v for _, v in review.phrases.options if "bass" in v)
    review.phrases.value = keep
    review.accept.click()
    assert "committed" in review.status.value
    commit = lab.repository().get_commit()
    assert sorted(commit.accepted_phrase_ids) == sorted(keep)
