"""The version of the ``maestro-lab`` distribution (the one place it is written).

``pyproject.toml`` reads it from here at build time, so importing it costs
nothing at run time (no package metadata lookup on every CLI start).
"""

__version__ = "0.1.0"
