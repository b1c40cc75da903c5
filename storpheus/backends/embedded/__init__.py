"""The embedded backend: offline, deterministic, musical — the default backend.

One module per role renderer (:mod:`.drums`, :mod:`.bass`, :mod:`.chords`
for chords/keys/pads, :mod:`.melody` for melody/lead, :mod:`.arp`,
:mod:`.fx`), the groove and pattern tables (:mod:`.grooves`,
:mod:`.patterns`), a small key/chord helper (:mod:`.harmony`) and
:class:`EmbeddedBackend` (:mod:`.backend`). Styles come from the one style
table, :mod:`storpheus.styles` (re-exported here for convenience).

Example
-------
>>> from storpheus.backends.base import GenerationRequest
>>> from storpheus.backends.embedded import EmbeddedBackend
>>> result = EmbeddedBackend().generate(
...     GenerationRequest(role="drums", bars=8, seed=1, style="boom bap", num_candidates=4))
>>> result.n_candidates, bool((result.candidates[0].notes.channel == 9).all())
(4, True)
"""

from storpheus.backends.embedded.backend import EmbeddedBackend, render_candidate, render_role
from storpheus.backends.embedded.context import RenderContext, build_context
from storpheus.backends.embedded.defaults import default_constraints, default_spec
from storpheus.styles import (
    DEFAULT_STYLE,
    ROLES,
    StyleProfile,
    StyleResolution,
    get_style,
    resolve_style,
    style_names,
)

__all__ = [
    "DEFAULT_STYLE",
    "ROLES",
    "EmbeddedBackend",
    "RenderContext",
    "StyleProfile",
    "StyleResolution",
    "build_context",
    "default_constraints",
    "default_spec",
    "get_style",
    "render_candidate",
    "render_role",
    "resolve_style",
    "style_names",
]
