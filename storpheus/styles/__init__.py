"""Styles: the one style table and the one style-name resolver.

Every path reads a style from here: the planner (tempo, key, roles, groove,
progression pools, form, emotion, mix) and the embedded backend (groove and
drum kit, swing, pattern families, registers, programs).

* :mod:`~storpheus.styles.profile` — :class:`StyleProfile` and the role defaults;
* :mod:`~storpheus.styles.table` — :data:`STYLES`, one profile per style;
* :mod:`~storpheus.styles.resolve` — :func:`resolve_style`, :func:`find_style`.

Example
-------
>>> from storpheus.styles import resolve_style
>>> style = resolve_style("funky house").profile
>>> style.id, style.default_tempo, style.groove
('house', 124, 'four_on_floor')
"""

from storpheus.styles.profile import (
    DEFAULT_PROGRAMS,
    DEFAULT_REGISTERS,
    DEFAULT_STYLE,
    PITCHED_ROLES,
    ROLE_CHANNELS,
    ROLES,
    StyleProfile,
)
from storpheus.styles.resolve import (
    MatchKind,
    StyleResolution,
    find_style,
    get_style,
    normalise_style,
    resolve_style,
    style_names,
)
from storpheus.styles.table import STYLES

__all__ = [
    "DEFAULT_PROGRAMS",
    "DEFAULT_REGISTERS",
    "DEFAULT_STYLE",
    "PITCHED_ROLES",
    "ROLES",
    "ROLE_CHANNELS",
    "STYLES",
    "MatchKind",
    "StyleProfile",
    "StyleResolution",
    "find_style",
    "get_style",
    "normalise_style",
    "resolve_style",
    "style_names",
]
