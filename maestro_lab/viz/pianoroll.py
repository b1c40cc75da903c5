"""Piano-roll plots of a :class:`~storpheus.score.Score` and of note sets.

Every function returns a matplotlib :class:`~matplotlib.figure.Figure`, which
Jupyter shows as a picture when a cell ends with it and which stays
editable (``fig.axes[0].set_xlim(...)``). matplotlib is imported inside the
functions, so importing this module is cheap.

- :func:`plot_pianoroll`: every track coloured by its role, drums on their
  own lane labelled with General MIDI drum names, section bands labelled,
  and optional overlays (outlined note sets, e.g. candidates);
- :func:`plot_candidates`: the candidates of one generation side by side on
  one roll, the chosen one filled;
- :func:`plot_note_diff`: added notes in green, removed in red, unchanged
  in grey (the diff of two commits).

Example
-------
>>> from maestro_lab.viz.pianoroll import save_pianoroll  # doctest: +SKIP
>>> save_pianoroll(score, "roll.png")                    # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Final, Protocol

import numpy as np

from maestro_lab.roles import ROLE_COLORS
from maestro_lab.viz.figures import new_figure
from storpheus.notes import NoteArray
from storpheus.score import Score

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from maestro_lab.planner import CompositionPlan

_TRACK_COLOURS = (
    "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd",
    "#8c564b", "#e377c2", "#17becf", "#bcbd22", "#7f7f7f",
)  # fmt: skip
_OVERLAY_COLOURS = ("#000000", "#d62728", "#1f77b4", "#2ca02c", "#9467bd", "#ff7f0e")
ADDED_COLOUR: Final = "#2ca02c"
REMOVED_COLOUR: Final = "#d62728"
UNCHANGED_COLOUR: Final = "#bbbbbb"

GM_DRUM_NAMES: Final[dict[int, str]] = {
    35: "Acoustic Bass Drum", 36: "Bass Drum 1", 37: "Side Stick", 38: "Acoustic Snare",
    39: "Hand Clap", 40: "Electric Snare", 41: "Low Floor Tom", 42: "Closed Hi-Hat",
    43: "High Floor Tom", 44: "Pedal Hi-Hat", 45: "Low Tom", 46: "Open Hi-Hat",
    47: "Low-Mid Tom", 48: "Hi-Mid Tom", 49: "Crash Cymbal 1", 50: "High Tom",
    51: "Ride Cymbal 1", 52: "Chinese Cymbal", 53: "Ride Bell", 54: "Tambourine",
    55: "Splash Cymbal", 56: "Cowbell", 57: "Crash Cymbal 2", 58: "Vibraslap",
    59: "Ride Cymbal 2", 60: "Hi Bongo", 61: "Low Bongo", 62: "Mute Hi Conga",
    63: "Open Hi Conga", 64: "Low Conga", 65: "High Timbale", 66: "Low Timbale",
    67: "High Agogo", 68: "Low Agogo", 69: "Cabasa", 70: "Maracas",
    71: "Short Whistle", 72: "Long Whistle", 73: "Short Guiro", 74: "Long Guiro",
    75: "Claves", 76: "Hi Wood Block", 77: "Low Wood Block", 78: "Mute Cuica",
    79: "Open Cuica", 80: "Mute Triangle", 81: "Open Triangle",
}  # fmt: skip
"""General MIDI percussion key map (channel 10): note number -> instrument name."""


class SectionLike(Protocol):
    """A named span of the timeline (e.g. :class:`muse_duckdb.Section`)."""

    @property
    def name(self) -> str: ...  # noqa: D102

    @property
    def start_beat(self) -> float: ...  # noqa: D102

    @property
    def duration_beats(self) -> float: ...  # noqa: D102


Sections = Iterable[SectionLike | tuple[str, float, float]]
"""Section bands: objects with ``name``, ``start_beat``, ``duration_beats``, or such tuples."""


def drum_name(pitch: int) -> str:
    """The General MIDI percussion name of a note number (``"note 30"`` outside the map)."""
    return GM_DRUM_NAMES.get(int(pitch), f"note {int(pitch)}")


def role_colour(role: str | None, index: int = 0) -> str:
    """The colour of an instrument role (the planner's palette), else a palette colour."""
    if role is not None and role in ROLE_COLORS:
        return ROLE_COLORS[role]
    return _TRACK_COLOURS[index % len(_TRACK_COLOURS)]


def plan_sections(plan: CompositionPlan) -> list[tuple[str, float, float]]:
    """The sections of a plan as ``(name, start_beat, duration_beats)`` bands."""
    per_bar = plan.beats_per_bar
    return [(s.name, s.start_beat, s.bars * per_bar) for s in plan.sections]


def _bands(sections: Sections | None) -> list[tuple[str, float, float]]:
    out: list[tuple[str, float, float]] = []
    for item in sections or ():
        if isinstance(item, tuple):
            name, start, length = item
        else:
            name, start, length = item.name, item.start_beat, item.duration_beats
        out.append((str(name), float(start), float(length)))
    return out


def _draw_notes(
    ax: Axes,
    notes: NoteArray,
    colour: str,
    y: np.ndarray | None = None,
    *,
    hollow: bool = False,
    alpha: float | None = None,
    label: str | None = None,
) -> None:
    from matplotlib.colors import to_rgba

    if not len(notes):
        return
    rows = notes.pitch.astype(int) if y is None else y
    if hollow:
        ax.barh(
            rows,
            notes.duration_beats,
            left=notes.start_beat,
            height=0.8,
            fill=False,
            edgecolor=colour,
            linewidth=1.2,
            label=label,
            zorder=3,
        )
        return
    rgba = np.tile(to_rgba(colour), (len(notes), 1))
    if alpha is None:
        rgba[:, 3] = 0.35 + 0.65 * notes.velocity / 127.0  # louder notes are darker
    else:
        rgba[:, 3] = alpha
    ax.barh(
        rows,
        notes.duration_beats,
        left=notes.start_beat,
        height=0.8,
        color=rgba,
        edgecolor="none",
        label=label,
        zorder=2,
    )


def _grid(ax: Axes, end: float, beats_per_bar: float) -> None:
    for k in range(int(end // beats_per_bar) + 1):
        ax.axvline(k * beats_per_bar, color="#dddddd", linewidth=0.6, zorder=0)
    ax.set_xlim(0, end)


def _draw_bands(axes: Sequence[Axes], bands: Sequence[tuple[str, float, float]]) -> None:
    shades = ("#f2f2f2", "#e4ecf7")
    for i, (name, start, length) in enumerate(bands):
        for ax in axes:
            ax.axvspan(start, start + length, color=shades[i % 2], zorder=-1, linewidth=0)
        top = axes[0]
        top.text(
            start + 0.2,
            1.0,
            name,
            transform=top.get_xaxis_transform(),
            va="bottom",
            ha="left",
            fontsize="small",
            fontweight="bold",
            clip_on=False,
        )


def plot_pianoroll(
    score: Score,
    title: str | None = None,
    *,
    sections: Sections | None = None,
    overlays: Mapping[str, NoteArray] | None = None,
    drum_lane: bool = True,
) -> Figure:
    """Draw every track's notes as bars, time in beats, coloured by role.

    Parameters
    ----------
    score:
        The music.
    title:
        The figure title (default: tempo, meter and key).
    sections:
        Section bands to shade and label (e.g. :func:`plan_sections`).
    overlays:
        Label -> notes (absolute beats) drawn as outlined boxes on top, e.g.
        the candidates rejection sampling did not choose. Notes on channel 9
        go to the drum lane.
    drum_lane:
        Draw drum tracks on their own lane, one row per drum sound labelled
        with its General MIDI name (else with the pitched tracks).

    Returns
    -------
    Figure
        Shown inline by Jupyter; ``fig.axes[0]`` is the pitched roll and
        ``fig.axes[1]`` the drum lane when there is one.
    """
    from matplotlib.patches import Patch

    drums = [t for t in score.tracks if t.is_drum and len(t.notes)] if drum_lane else []
    overlay_items = list((overlays or {}).items())
    drum_keys = sorted(
        {int(p) for t in drums for p in t.notes.pitch}
        | {int(p) for _, notes in overlay_items for p in notes.pitch[notes.channel == 9] if drums}
    )
    end = max(
        score.end_beat,
        score.beats_per_bar,
        *(float(n.end_beat.max()) for _, n in overlay_items if len(n)),
    )
    width = min(24.0, 5.0 + end / 4.0)
    if drums:
        lane_height = max(1.5, 0.22 * len(drum_keys) + 0.6)
        fig = new_figure(width, 4.5 + lane_height)
        grid = fig.add_gridspec(2, 1, height_ratios=(4.5, lane_height), hspace=0.08)
        ax = fig.add_subplot(grid[0])
        drum_ax: Axes | None = fig.add_subplot(grid[1], sharex=ax)
    else:
        fig = new_figure(width, 5.0)
        ax = fig.add_subplot()
        drum_ax = None
    handles = []
    for i, track in enumerate(score.tracks):
        colour = role_colour(track.role, i)
        if track in drums and drum_ax is not None:
            rows = np.searchsorted(drum_keys, track.notes.pitch.astype(int))
            _draw_notes(drum_ax, track.notes, colour, rows)
        else:
            _draw_notes(ax, track.notes, colour)
        label = f"{track.name} ({track.role})" if track.role else track.name
        handles.append(Patch(color=colour, label=label))
    for k, (label, notes) in enumerate(overlay_items):
        colour = _OVERLAY_COLOURS[k % len(_OVERLAY_COLOURS)]
        is_drum = notes.channel == 9
        if drum_ax is not None and is_drum.any():
            part = notes[is_drum]
            rows = np.searchsorted(drum_keys, part.pitch.astype(int))
            _draw_notes(drum_ax, part, colour, rows, hollow=True)
            notes = notes[~is_drum]
        _draw_notes(ax, notes, colour, hollow=True)
        handles.append(Patch(fill=False, edgecolor=colour, label=label))
    axes = [ax] if drum_ax is None else [ax, drum_ax]
    for a in axes:
        _grid(a, end, score.beats_per_bar)
    _draw_bands(axes, _bands(sections))
    ax.set_ylabel("MIDI pitch")
    if drum_ax is not None:
        drum_ax.set_yticks(range(len(drum_keys)), [drum_name(k) for k in drum_keys])
        drum_ax.tick_params(axis="y", labelsize="x-small")
        drum_ax.set_ylim(-0.6, len(drum_keys) - 0.4)
        drum_ax.set_xlabel("beat")
        ax.tick_params(axis="x", labelbottom=False)
    else:
        ax.set_xlabel("beat")
    ax.set_title(
        title or f"{score.bpm} BPM · {score.time_signature} · {score.key or 'no key'}",
        pad=16 if sections else 6,
    )
    if handles:
        ax.legend(handles=handles, loc="upper right", fontsize="small")
    fig.subplots_adjust(left=0.12 if drums else 0.07, right=0.98)
    return fig


def plot_candidates(
    candidates: Mapping[str, NoteArray],
    *,
    chosen: str | None = None,
    drums: bool = False,
    title: str | None = None,
    beats_per_bar: float = 4.0,
) -> Figure:
    """Candidates of one generation on one roll: the chosen one filled, the others outlined.

    ``candidates`` maps a label (``"#2 0.81"``) to its notes; ``drums`` labels
    the rows with General MIDI drum names.
    """
    from matplotlib.patches import Patch

    fig = new_figure(11.0, 4.5)
    ax = fig.add_subplot()
    keys = sorted({int(p) for n in candidates.values() for p in n.pitch}) if drums else []
    end = max([beats_per_bar, *(float(n.end_beat.max()) for n in candidates.values() if len(n))])
    handles = []
    for k, (label, notes) in enumerate(candidates.items()):
        rows = np.searchsorted(keys, notes.pitch.astype(int)) if drums else None
        colour = _TRACK_COLOURS[k % len(_TRACK_COLOURS)]
        if label == chosen:
            _draw_notes(ax, notes, colour, rows, alpha=0.75)
            handles.append(Patch(color=colour, label=f"{label} (chosen)"))
        else:
            _draw_notes(ax, notes, colour, rows, hollow=True)
            handles.append(Patch(fill=False, edgecolor=colour, label=label))
    _grid(ax, end, beats_per_bar)
    if drums:
        ax.set_yticks(range(len(keys)), [drum_name(k) for k in keys])
        ax.tick_params(axis="y", labelsize="x-small")
    else:
        ax.set_ylabel("MIDI pitch")
    ax.set_xlabel("beat")
    ax.set_title(title or f"{len(candidates)} candidates")
    if handles:
        ax.legend(handles=handles, loc="upper right", fontsize="small")
    fig.tight_layout()
    return fig


def plot_note_diff(
    added: NoteArray,
    removed: NoteArray,
    unchanged: NoteArray | None = None,
    *,
    title: str | None = None,
    beats_per_bar: float = 4.0,
    sections: Sections | None = None,
) -> Figure:
    """The difference of two versions as one roll: added green, removed red, unchanged grey."""
    from matplotlib.patches import Patch

    fig = new_figure(12.0, 5.0)
    ax = fig.add_subplot()
    same = unchanged if unchanged is not None else NoteArray.empty()
    _draw_notes(ax, same, UNCHANGED_COLOUR, alpha=0.5)
    _draw_notes(ax, removed, REMOVED_COLOUR, alpha=0.8)
    _draw_notes(ax, added, ADDED_COLOUR, alpha=0.8)
    ends = [float(n.end_beat.max()) for n in (same, removed, added) if len(n)]
    _grid(ax, max([beats_per_bar, *ends]), beats_per_bar)
    _draw_bands([ax], _bands(sections))
    ax.set_xlabel("beat")
    ax.set_ylabel("MIDI pitch")
    ax.set_title(
        title or f"{len(added)} notes added, {len(removed)} removed, {len(same)} unchanged",
        pad=16 if sections else 6,
    )
    ax.legend(
        handles=[
            Patch(color=ADDED_COLOUR, label=f"added ({len(added)})"),
            Patch(color=REMOVED_COLOUR, label=f"removed ({len(removed)})"),
            Patch(color=UNCHANGED_COLOUR, label=f"unchanged ({len(same)})"),
        ],
        loc="upper right",
        fontsize="small",
    )
    fig.tight_layout()
    return fig


def save_pianoroll(score: Score, path: str | Path, title: str | None = None) -> Path:
    """Render :func:`plot_pianoroll` to a PNG file and return its path."""
    out = Path(path)
    plot_pianoroll(score, title).savefig(out)
    return out


__all__ = [
    "ADDED_COLOUR",
    "GM_DRUM_NAMES",
    "REMOVED_COLOUR",
    "UNCHANGED_COLOUR",
    "SectionLike",
    "Sections",
    "drum_name",
    "plan_sections",
    "plot_candidates",
    "plot_note_diff",
    "plot_pianoroll",
    "role_colour",
    "save_pianoroll",
]
