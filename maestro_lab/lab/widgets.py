"""Thin ipywidgets views over the lab controllers.

Each view builds its widgets, forwards user input to its controller and
redraws from the controller's state; no logic lives here (the controllers
are tested without a browser). Figures are shown as PNG images, so they
appear whatever matplotlib backend the kernel uses. :class:`LabUI` puts
every view in one tabbed widget (``lab.ui()``).
"""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import TYPE_CHECKING

import ipywidgets as w

from maestro_lab.lab.candidate_browser import CandidateBrowser
from maestro_lab.lab.dashboard import TelemetryDashboard
from maestro_lab.lab.history_view import HistoryView
from maestro_lab.lab.plan_inspector import PlanInspector
from maestro_lab.lab.progress import ComposeProgress
from maestro_lab.lab.prompt_editor import PromptCheck, PromptEditor

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from maestro_lab.lab.facade import Lab
    from maestro_lab.runtime.commit import PendingComposition
    from maestro_lab.runtime.events import MaestroEvent
    from maestro_lab.runtime.results import CompositionResult

_EMOTION_AXES = ("energy", "valence", "tension", "intimacy", "motion")


def _image(fig: Figure) -> w.Image:
    from maestro_lab.viz.figures import to_png

    return w.Image(value=to_png(fig), format="png", layout=w.Layout(max_width="100%"))


def _table(frame: object, max_rows: int = 60) -> str:
    import pandas as pd

    if not isinstance(frame, pd.DataFrame):
        return ""
    shown = frame.head(max_rows)
    return str(shown.to_html(index=False, float_format=lambda v: f"{v:.3f}", border=0))


class PromptEditorView:
    """Prompt text area with live parsing, problems per field, fields, emotion, compose."""

    def __init__(
        self,
        editor: PromptEditor,
        plan_view: PlanInspectorView | None = None,
        on_composed: Callable[[CompositionResult], None] | None = None,
        on_proposed: Callable[[PendingComposition], None] | None = None,
    ) -> None:
        self.editor = editor
        self.plan_view = plan_view
        self.on_composed = on_composed
        self.on_proposed = on_proposed
        self.text = w.Textarea(
            value=editor.text,
            placeholder="MAESTRO PROMPT\nMode: compose\nStyle: ...",
            layout=w.Layout(width="100%", height="220px"),
            continuous_update=False,
        )
        self.problems = w.HTML()
        self.fields = w.HTML()
        self.emotion = w.VBox()
        self.button = w.Button(description="Compose", button_style="primary", icon="music")
        self.propose_button = w.Button(description="Propose for review", icon="eye")
        self.progress = ProgressView()
        self.status = w.HTML()
        self.text.observe(self._edited, names="value")
        self.button.on_click(self._compose)
        self.propose_button.on_click(self._propose)
        self.widget = w.VBox(
            [
                w.HTML("<b>Prompt</b>"),
                self.text,
                self.problems,
                w.HBox([self.fields, self.emotion]),
                w.HBox([self.button, self.propose_button, self.progress.widget]),
                self.status,
            ]
        )
        self._render(editor.check)

    def _edited(self, change: dict[str, object]) -> None:
        self._render(self.editor.set_text(str(change["new"])))

    def _render(self, check: PromptCheck) -> None:
        groups = check.problems_by_field()
        if groups:
            items = "".join(
                f"<li><b>{html.escape(field)}</b>: {html.escape('; '.join(msgs))}</li>"
                for field, msgs in groups.items()
            )
            self.problems.value = (
                f"<div class='maestro-problems' style='color:#b00'><ul>{items}</ul></div>"
            )
        else:
            self.problems.value = "<div style='color:#080'>✓ valid</div>"
        rows = "".join(
            f"<tr><th style='text-align:left'>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>"
            for k, v in check.fields.items()
        )
        self.fields.value = f"<table class='maestro-fields'>{rows}</table>" if rows else ""
        self.emotion.children = tuple(
            w.FloatProgress(
                value=check.emotion[a], min=0.0, max=1.0, description=a, bar_style="info"
            )
            for a in _EMOTION_AXES
            if a in check.emotion
        )
        self.button.disabled = not check.valid
        self.propose_button.disabled = not check.valid
        if self.plan_view is not None and check.plan is not None:
            self.plan_view.show(PlanInspector(check.plan))

    def _compose(self, _: object) -> None:
        self.button.disabled = True
        self.progress.reset()
        try:
            result = self.editor.compose(progress=self.progress.update)
        except Exception as exc:  # shown to the user, the widget stays usable
            self.status.value = f"<span style='color:#b00'>{html.escape(str(exc))}</span>"
        else:
            if result is not None:
                self.status.value = (
                    f"committed <code>{result.commit_id[:12]}</code> "
                    f"(run <code>{result.run_id}</code>)"
                )
                if self.on_composed is not None:
                    self.on_composed(result)
        finally:
            self.button.disabled = not self.editor.check.valid

    def _propose(self, _: object) -> None:
        try:
            pending = self.editor.propose()
        except Exception as exc:  # shown to the user, the widget stays usable
            self.status.value = f"<span style='color:#b00'>{html.escape(str(exc))}</span>"
            return
        if pending is None:
            return
        staged = len(pending.phrase_ids)
        self.status.value = f"{staged} phrases to review (run <code>{pending.run_id}</code>)"
        if self.on_proposed is not None:
            self.on_proposed(pending)


class ReviewView:
    """The phrases of a staged composition: accept the selected ones, or discard them all."""

    def __init__(
        self, browser: CandidateBrowser, on_done: Callable[[], None] | None = None
    ) -> None:
        self.browser = browser
        self.on_done = on_done
        phrases = browser.phrases()
        self.phrases = w.SelectMultiple(
            options=[
                (f"{label or region} (+{added} / -{removed})", str(pid))
                for pid, label, region, added, removed in zip(
                    phrases["phrase_id"].astype(str),
                    phrases["label"].astype(str),
                    phrases["region_id"].astype(str),
                    phrases["added"].astype(int),
                    phrases["removed"].astype(int),
                    strict=True,
                )
            ],
            value=tuple(str(p) for p in phrases["phrase_id"]),
            rows=min(16, max(4, len(phrases))),
            layout=w.Layout(width="60%"),
        )
        self.accept = w.Button(description="Accept selected", button_style="success")
        self.discard = w.Button(description="Discard", button_style="danger")
        self.status = w.HTML()
        self.accept.on_click(self._accept)
        self.discard.on_click(self._discard)
        self.widget = w.VBox(
            [
                w.HTML("<b>Review</b>: the phrases of the staged composition"),
                self.phrases,
                w.HBox([self.accept, self.discard]),
                self.status,
            ]
        )

    def _finish(self, text: str) -> None:
        self.status.value = text
        self.accept.disabled = self.discard.disabled = True
        if self.on_done is not None:
            self.on_done()

    def _accept(self, _: object) -> None:
        result = self.browser.accept(list(self.phrases.value))
        self._finish(f"committed <code>{result.commit_id[:12]}</code>")

    def _discard(self, _: object) -> None:
        self.browser.discard()
        self._finish("discarded: nothing committed")


class ProgressView:
    """A progress bar and the latest message of a running composition."""

    def __init__(self) -> None:
        self.state = ComposeProgress()
        self.bar = w.FloatProgress(value=0.0, min=0.0, max=1.0, description="progress")
        self.label = w.Label()
        self.widget = w.HBox([self.bar, self.label])

    def reset(self) -> None:
        """Start over for a new run."""
        self.state = ComposeProgress()
        self.bar.value = 0.0
        self.label.value = ""

    def update(self, event: MaestroEvent) -> None:
        """Fold an event and redraw."""
        self.state.update(event)
        self.bar.value = self.state.fraction
        self.bar.bar_style = (
            "success" if self.state.success else "danger" if self.state.error else "info"
        )
        self.label.value = self.state.message


class PlanInspectorView:
    """Summary, sections x roles grid, chord schedule, tool calls, warnings of a plan."""

    def __init__(self) -> None:
        self.summary = w.HTML()
        self.grid = w.HTML()
        self.chords = w.HTML()
        self.tools = w.HTML()
        self.warnings = w.HTML()
        more = w.Accordion(children=[self.chords, self.tools])
        more.set_title(0, "chord schedule")
        more.set_title(1, "tool calls")
        self.widget = w.VBox([w.HTML("<b>Plan</b>"), self.summary, self.warnings, self.grid, more])

    def show(self, inspector: PlanInspector) -> None:
        """Draw ``inspector``'s plan."""
        facts = " | ".join(f"{k}: {html.escape(v)}" for k, v in inspector.summary().items())
        self.summary.value = f"<div class='maestro-plan'>{facts}</div>"
        self.warnings.value = "".join(
            f"<div style='color:#a60'>⚠ {html.escape(x)}</div>" for x in inspector.warnings
        )
        self.grid.value = str(inspector.grid().to_html(border=0))
        self.chords.value = _table(inspector.chord_schedule(), 200)
        self.tools.value = _table(inspector.tool_calls(), 300)


class CandidateBrowserView:
    """Generation picker, sortable candidate table, piano roll + audio, commit the choice."""

    def __init__(self, browser: CandidateBrowser) -> None:
        self.browser = browser
        groups = browser.groups()
        self.group = w.Dropdown(
            options=[(f"{r} / {s}", (r, s)) for r, s in groups], description="part"
        )
        columns = [c for c in browser.frame.columns if c not in ("run_id", "notes_id")]
        self.sort = w.Dropdown(options=columns, value="score", description="sort by")
        self.candidate = w.Dropdown(description="candidate")
        self.table = w.HTML()
        self.view = w.VBox()
        self.commit = w.Button(description="Commit this candidate", icon="check")
        self.status = w.HTML()
        self.group.observe(self._group, names="value")
        self.sort.observe(lambda _: self._render(), names="value")
        self.candidate.observe(self._candidate, names="value")
        self.commit.on_click(self._commit)
        self.widget = w.VBox(
            [
                w.HTML(f"<b>Candidates</b> of run <code>{html.escape(browser.run_id)}</code>"),
                w.HBox([self.group, self.sort, self.candidate]),
                self.table,
                self.view,
                w.HBox([self.commit, self.status]),
            ]
        )
        self._render()

    def _group(self, change: dict[str, object]) -> None:
        value = change["new"]
        if isinstance(value, tuple):
            self.browser.choose(str(value[0]), None if value[1] is None else str(value[1]))
            self._render()

    def _candidate(self, change: dict[str, object]) -> None:
        value = change["new"]
        if isinstance(value, int) and value != self.browser.selected:
            self.browser.select(value)
            self._show_selected()

    def _render(self) -> None:
        table = self.browser.table(sort_by=str(self.sort.value))
        self.table.value = _table(table)
        options = [
            (f"#{int(i)} score {float(s):.3f}{' (chosen)' if sel else ''}", int(c))
            for c, i, s, sel in zip(
                table["candidate_id"],
                table["candidate_index"],
                table["score"],
                table["selected"],
                strict=True,
            )
        ]
        self.candidate.options = options
        if self.browser.selected is not None:
            self.candidate.value = self.browser.selected
        self._show_selected()

    def _show_selected(self) -> None:
        clip = self.browser.audio()
        player = w.Audio(value=clip.to_wav_bytes(), format="wav", autoplay=False, loop=False)
        self.view.children = (_image(self.browser.pianoroll()), player)

    def _commit(self, _: object) -> None:
        try:
            commit = self.browser.commit_selected()
        except Exception as exc:  # shown to the user
            self.status.value = f"<span style='color:#b00'>{html.escape(str(exc))}</span>"
        else:
            self.status.value = f"committed <code>{commit.commit_id[:12]}</code>"


class HistoryViewWidget:
    """Commit graph, checkout, diff of two commits as a piano-roll overlay, blame."""

    def __init__(self, view: HistoryView) -> None:
        self.view = view
        self.graph = w.VBox()
        self.ref = w.Dropdown(description="ref")
        self.checkout = w.Button(description="Checkout")
        self.a = w.Text(value="HEAD~1", description="from")
        self.b = w.Text(value="HEAD", description="to")
        self.diff = w.Button(description="Diff")
        self.target = w.Text(description="blame", placeholder="region / track / section")
        self.blame = w.Button(description="Blame")
        self.out = w.VBox()
        self.checkout.on_click(self._checkout)
        self.diff.on_click(self._diff)
        self.blame.on_click(self._blame)
        self.widget = w.VBox(
            [
                w.HTML("<b>History</b>"),
                self.graph,
                w.HBox([self.ref, self.checkout]),
                w.HBox([self.a, self.b, self.diff]),
                w.HBox([self.target, self.blame]),
                self.out,
            ]
        )
        self.refresh()

    def refresh(self) -> None:
        """Redraw the graph and the list of refs."""
        branches = self.view.branches()
        self.ref.options = sorted(branches)
        self.graph.children = (_image(self.view.graph()),) if branches else ()

    def _checkout(self, _: object) -> None:
        result = self.view.checkout(str(self.ref.value))
        where = html.escape(result.branch or "detached HEAD")
        self.out.children = (
            w.HTML(f"HEAD -> {where} at <code>{result.commit.commit_id[:12]}</code>"),
        )
        self.refresh()

    def _diff(self, _: object) -> None:
        self.out.children = (_image(self.view.diff_pianoroll(self.a.value, self.b.value)),)

    def _blame(self, _: object) -> None:
        self.out.children = (w.HTML(_table(self.view.blame(self.target.value), 40)),)


class DashboardView:
    """Score distributions, acceptance curves and correlations, filtered by run or experiment."""

    def __init__(self, dashboard: TelemetryDashboard) -> None:
        self.dashboard = dashboard
        runs = dashboard.lab.runs()
        self.experiment = w.Dropdown(
            options=[("every run", None), *((e, e) for e in dashboard.experiments())],
            description="experiment",
        )
        self.run = w.Dropdown(
            options=[("every run", None), *((str(r), str(r)) for r in runs["run_id"])],
            description="run",
        )
        self.out = w.VBox()
        self.experiment.observe(lambda _: self._render(), names="value")
        self.run.observe(lambda _: self._render(), names="value")
        self.widget = w.VBox(
            [w.HTML("<b>Telemetry</b>"), w.HBox([self.experiment, self.run]), self.out]
        )
        self._render()

    def _render(self) -> None:
        run = self.run.value
        self.dashboard.filter(
            None if run is None else str(run),
            experiment=None if self.experiment.value is None else str(self.experiment.value),
        )
        if self.dashboard.frame().empty:
            self.out.children = (w.HTML("no candidates recorded for this selection"),)
            return
        self.out.children = (
            w.HTML(_table(self.dashboard.summary())),
            _image(self.dashboard.distributions()),
            _image(self.dashboard.acceptance()),
            _image(self.dashboard.correlations()),
        )


class LabUI:
    """Every lab view in one tabbed widget; tabs that need a run appear once one exists."""

    def __init__(self, lab: Lab, prompt: str = "") -> None:
        self.lab = lab
        self.plan_view = PlanInspectorView()
        self.editor = PromptEditor(lab, prompt)
        self.review: ReviewView | None = None
        self.prompt_view = PromptEditorView(
            self.editor,
            self.plan_view,
            on_composed=lambda _: self.refresh(),
            on_proposed=self._review,
        )
        self.tabs = w.Tab()
        self.refresh()
        self.widget = w.VBox([self.tabs])

    def _review(self, pending: PendingComposition) -> None:
        browser = CandidateBrowser(self.lab, pending.run_id)
        browser.attach(pending)
        self.review = ReviewView(browser, on_done=self.refresh)
        self.refresh()
        self.tabs.selected_index = len(self.tabs.children) - 1

    def refresh(self) -> None:
        """Rebuild the tabs from the database (after a composition, a checkout...)."""
        children: list[w.Widget] = [
            w.VBox([self.prompt_view.widget, self.plan_view.widget]),
        ]
        titles = ["Compose"]
        has_runs = not self.lab.runs().empty if _exists(self.lab.db) else False
        if has_runs:
            children.append(CandidateBrowserView(CandidateBrowser(self.lab)).widget)
            titles.append("Candidates")
            children.append(HistoryViewWidget(HistoryView(self.lab)).widget)
            titles.append("History")
            children.append(DashboardView(TelemetryDashboard(self.lab)).widget)
            titles.append("Telemetry")
        if self.review is not None:
            children.append(self.review.widget)
            titles.append("Review")
        self.tabs.children = tuple(children)
        for i, title in enumerate(titles):
            self.tabs.set_title(i, title)

    def _repr_mimebundle_(self, **kwargs: object) -> dict[str, object] | None:
        bundle: dict[str, object] | None = self.widget._repr_mimebundle_(**kwargs)
        return bundle


def _exists(db: str) -> bool:
    from pathlib import Path

    return db == ":memory:" or Path(db).exists()


__all__ = [
    "CandidateBrowserView",
    "DashboardView",
    "HistoryViewWidget",
    "LabUI",
    "PlanInspectorView",
    "ProgressView",
    "PromptEditorView",
    "ReviewView",
]
