"""Scorers the experiments compare (``lab_scorers:NAME`` in a spec of this folder).

``groove_first`` is the built-in scorer re-weighted for rhythm: note density
and the share of silence count twice, key compliance half. The scorer A vs B
experiment re-scores the same stored candidates with it and with the default.
"""

from __future__ import annotations

from dataclasses import replace

from storpheus.scoring import Scorer


def groove_first() -> Scorer:
    """The built-in dimensions, weighted for density and silence over key compliance."""
    weighted = Scorer().with_weights(key_compliance=0.5, density_fit=2.0, silence_fit=2.0)
    return replace(weighted, name="groove-first")
