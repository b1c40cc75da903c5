"""Plots: role colours, a drum lane with GM names, section bands, overlays, the commit DAG."""

from __future__ import annotations

from dataclasses import dataclass

from maestro_lab.roles import ROLE_COLORS
from maestro_lab.viz.figures import to_png
from maestro_lab.viz.history import dag_layout, plot_commit_dag
from maestro_lab.viz.pianoroll import drum_name, plot_candidates, plot_pianoroll
from storpheus.notes import NoteArray
from storpheus.score import Score, Track


def _notes(pitches: list[int], channel: int = 0) -> NoteArray:
    n = len(pitches)
    return NoteArray(
        pitch=pitches, velocity=[100] * n, start_beat=list(range(n)),
        duration_beats=[0.5] * n, channel=[channel] * n,
    )  # fmt: skip


def _score() -> Score:
    return Score(
        tracks=(
            Track("Bass", _notes([36, 38, 40]), program=33, channel=0, role="bass"),
            Track("Drums", _notes([36, 42, 38, 42], 9), is_drum=True, channel=9, role="drums"),
        ),
        bpm=90,
    )


def test_pianoroll_colours_by_role_and_puts_drums_on_a_named_lane() -> None:
    fig = plot_pianoroll(_score(), sections=[("intro", 0.0, 2.0), ("verse", 2.0, 2.0)])
    roll, lane = fig.axes
    labels = [t.get_text() for t in lane.get_yticklabels()]
    assert labels == ["Bass Drum 1", "Acoustic Snare", "Closed Hi-Hat"]
    legend = {
        t.get_text(): h
        for t, h in zip(
            roll.get_legend().get_texts(), roll.get_legend().legend_handles, strict=True
        )
    }
    assert set(legend) == {"Bass (bass)", "Drums (drums)"}
    from matplotlib.colors import to_hex

    assert to_hex(legend["Bass (bass)"].get_facecolor()).lower() == ROLE_COLORS["bass"].lower()
    assert {"intro", "verse"} <= {t.get_text() for t in roll.texts}
    assert to_png(fig)[:8] == b"\x89PNG\r\n\x1a\n"


def test_overlays_and_candidates_are_outlined_next_to_the_chosen() -> None:
    fig = plot_pianoroll(_score(), overlays={"candidate #2": _notes([50, 52])})
    assert "candidate #2" in [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    fig = plot_candidates({"#0": _notes([40, 41]), "#1": _notes([43, 45])}, chosen="#1")
    texts = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert texts == ["#0", "#1 (chosen)"]


def test_drum_names_cover_the_general_midi_map() -> None:
    assert drum_name(42) == "Closed Hi-Hat"
    assert drum_name(20) == "note 20"


@dataclass(frozen=True)
class _Commit:
    commit_id: str
    parents: tuple[str, ...]
    message: str


def test_dag_layout_forks_to_a_new_lane_and_merges_back() -> None:
    commits = [
        _Commit("a", (), "root"),
        _Commit("b", ("a",), "main 1"),
        _Commit("c", ("a",), "branch 1"),
        _Commit("d", ("b", "c"), "merge"),
        _Commit("e", ("d",), "after"),
    ]
    lanes = {n.commit_id: n.lane for n in dag_layout(commits)}
    assert lanes == {"a": 0, "b": 0, "c": 1, "d": 0, "e": 0}
    fig = plot_commit_dag(commits, {"main": "e", "topic": "c"}, head="e")
    text = " ".join(t.get_text() for t in fig.axes[0].texts)
    assert "[main]" in text
    assert "[topic]" in text
    assert "← HEAD" in text
