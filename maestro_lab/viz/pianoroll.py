"""Piano-roll plots of a :class:`~storpheus.score.Score`.

matplotlib is imported inside the functions, so importing this module is
cheap. Figures are drawn with the non-interactive Agg backend when saved.

Example
-------
>>> from maestro_lab.viz.pianoroll import save_pianoroll  # doctest: +SKIP
>>> save_pianoroll(score, "roll.png")                    # doctest: +SKIP
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from storpheus.score import Score

if TYPE_CHECKING:
    from matplotlib.figure import Figure

_TRACK_COLOURS = (
    "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd",
    "#8c564b", "#e377c2", "#17becf", "#bcbd22", "#7f7f7f",
)  # fmt: skip


def plot_pianoroll(score: Score, title: str | None = None) -> Figure:
    """Draw every track's notes as bars (time in beats, pitch upwards), one colour a track.

    Bar lines follow the score's meter; drum tracks are drawn with their GM
    note numbers like any other track.
    """
    from matplotlib.colors import to_rgba
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch

    end = max(score.end_beat, score.beats_per_bar)
    fig = Figure(figsize=(min(24.0, 4.0 + end / 4.0), 5.0), dpi=100)
    ax = fig.add_subplot()
    handles = []
    for i, track in enumerate(score.tracks):
        colour = _TRACK_COLOURS[i % len(_TRACK_COLOURS)]
        notes = track.notes
        if len(notes):
            rgba = np.tile(to_rgba(colour), (len(notes), 1))
            rgba[:, 3] = 0.35 + 0.65 * notes.velocity / 127.0  # louder notes are darker
            ax.barh(
                notes.pitch.astype(int),
                notes.duration_beats,
                left=notes.start_beat,
                height=0.8,
                color=rgba,
                edgecolor="none",
            )
        label = f"{track.name} ({track.role})" if track.role else track.name
        handles.append(Patch(color=colour, label=label))
    bar = score.beats_per_bar
    for k in range(int(end // bar) + 1):
        ax.axvline(k * bar, color="#cccccc", linewidth=0.6, zorder=0)
    ax.set_xlim(0, end)
    ax.set_xlabel("beat")
    ax.set_ylabel("MIDI pitch")
    ax.set_title(title or f"{score.bpm} BPM · {score.time_signature} · {score.key or 'no key'}")
    if handles:
        ax.legend(handles=handles, loc="upper right", fontsize="small")
    fig.tight_layout()
    return fig


def save_pianoroll(score: Score, path: str | Path, title: str | None = None) -> Path:
    """Render :func:`plot_pianoroll` to a PNG file and return its path."""
    out = Path(path)
    plot_pianoroll(score, title).savefig(out)
    return out
