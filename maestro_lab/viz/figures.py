"""Figures that show as pictures in Jupyter, and as PNG bytes anywhere.

A matplotlib :class:`~matplotlib.figure.Figure` made without pyplot has no
picture representation in IPython until a backend registers one (that is
what ``%matplotlib inline`` does). :func:`new_figure` registers a PNG
formatter for figures with the running IPython shell, if any, so every plot
of :mod:`maestro_lab.viz` returned at the end of a notebook cell is shown as
an ``image/png`` output and never as the text ``<Figure size ...>``.
Outside IPython nothing is registered.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.figure import Figure

_registered: set[int] = set()


def _png_formatter(fig: Figure) -> bytes:
    return to_png(fig)


def register_inline() -> bool:
    """Register the PNG formatter for figures with the running IPython shell (once).

    Returns whether a shell was found.
    """
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    if shell is None:
        return False
    if id(shell) not in _registered:
        from matplotlib.figure import Figure

        formatter = shell.display_formatter.formatters["image/png"]
        formatter.for_type(Figure, _png_formatter)
        _registered.add(id(shell))
    return True


def new_figure(width: float, height: float, dpi: int = 100) -> Figure:
    """A new figure (no pyplot state), shown as a PNG picture when a notebook cell returns it."""
    from matplotlib.figure import Figure

    register_inline()
    return Figure(figsize=(width, height), dpi=dpi)


def to_png(fig: Figure, dpi: int | None = None) -> bytes:
    """The figure rendered as PNG bytes (tight bounding box)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi or fig.dpi, bbox_inches="tight")
    return buffer.getvalue()


__all__ = ["new_figure", "register_inline", "to_png"]
