"""Muse on DuckDB: versioned composition history and generation telemetry.

Imports storpheus only.
"""

from storpheus import __version__

__all__ = ["__version__"]
