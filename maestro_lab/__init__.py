"""Maestro Lab: a notebook-first research workbench for AI-native music composition.

``import maestro_lab`` stays fast: heavy dependencies (matplotlib, music21,
gradio, dask) load only when the function that needs them runs.
"""

from storpheus import __version__

__all__ = ["__version__"]
