"""Style names -> profiles: the one :func:`resolve_style` of the project.

:func:`resolve_style` maps free text to a profile in four steps and says
which one matched, so callers can warn on a fallback:

1. ``exact`` — the text is a style id (``"boom_bap"``, ``"Bossa Nova"``);
2. ``alias`` — the text is a style's name or one of its aliases (``"dnb"``);
3. ``substring`` — the longest name or alias inside the text; on a tie the
   one that ends later wins, since the genre noun comes last in English
   (``"funky house"`` is house, not funk); else the text inside a name or
   alias (``"techn"``);
4. ``fallback`` — :data:`~storpheus.styles.DEFAULT_STYLE`, with a warning.

Example
-------
>>> resolve_style("funky house").id, resolve_style("funky house").match
('house', 'substring')
>>> resolve_style("Lo-Fi Hip Hop").id, resolve_style("polka").match
('lofi', 'fallback')
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Final, Literal

from storpheus.styles.profile import DEFAULT_STYLE, StyleProfile
from storpheus.styles.table import PROFILES, STYLES

MatchKind = Literal["exact", "alias", "substring", "fallback"]
"""How a style name was matched."""


@dataclass(frozen=True)
class StyleResolution:
    """A resolved style: the profile, how the requested text matched it, and the alias used."""

    requested: str
    profile: StyleProfile
    match: MatchKind
    alias: str | None = None

    @property
    def id(self) -> str:
        """The style id (``"lofi"``, ``"boom_bap"``...)."""
        return self.profile.id

    @property
    def matched(self) -> bool:
        """Whether the text named a known style (it did not fall back)."""
        return self.match != "fallback"

    @property
    def warning(self) -> str | None:
        """A message for the result when the style was not recognised."""
        if self.matched:
            return None
        return (
            f"unknown style {self.requested!r}; fell back to the default style "
            f"{self.profile.id!r} (known: {', '.join(style_names())})"
        )


def normalise_style(text: str) -> str:
    """Lower case, ``&`` -> ``and``, punctuation to spaces: ``"Boom_Bap" -> "boom bap"``.

    >>> normalise_style("  Drum & Bass "), normalise_style("Lo-Fi_Hip-Hop!")
    ('drum and bass', 'lo fi hip hop')
    """
    lowered = text.lower().replace("&", " and ")
    return " ".join(re.sub(r"[^\w']+|_", " ", lowered).split())


# (normalised alias, alias as written, table order, profile): names first, then aliases
_ALIASES: Final = tuple(
    (normalise_style(alias), alias, order, profile)
    for order, profile in enumerate(PROFILES)
    for alias in (profile.name, *profile.aliases)
)
_BY_ID: Final = {normalise_style(profile.id): profile for profile in PROFILES}


def style_names() -> tuple[str, ...]:
    """Ids of every known style, sorted."""
    return tuple(sorted(STYLES))


def get_style(style_id: str) -> StyleProfile:
    """The profile with id ``style_id`` (``KeyError`` listing the ids if absent)."""
    if style_id not in STYLES:
        raise KeyError(f"no style {style_id!r}; known: {sorted(STYLES)}")
    return STYLES[style_id]


@lru_cache(maxsize=512)
def resolve_style(text: str | None) -> StyleResolution:
    """Resolve a free-text style name: exact, alias, substring, else fallback (see above)."""
    requested = text or ""
    wanted = normalise_style(requested)
    if wanted in _BY_ID:
        return StyleResolution(requested, _BY_ID[wanted], "exact", wanted)
    for norm, alias, _, profile in _ALIASES:
        if norm == wanted:
            return StyleResolution(requested, profile, "alias", alias)
    if wanted:
        padded = f" {wanted} "
        inside = []
        for norm, alias, order, profile in _ALIASES:
            at = padded.find(f" {norm} ")
            if at >= 0:
                end = padded.rfind(f" {norm} ") + len(norm)
                inside.append(((-len(norm), -end, order), alias, profile))
        if inside:
            _, alias, profile = min(inside, key=lambda item: item[0])
            return StyleResolution(requested, profile, "substring", alias)
        if len(wanted) >= 3:
            around = [
                ((len(norm), order), alias, profile)
                for norm, alias, order, profile in _ALIASES
                if wanted in norm
            ]
            if around:
                _, alias, profile = min(around, key=lambda item: item[0])
                return StyleResolution(requested, profile, "substring", alias)
    return StyleResolution(requested, STYLES[DEFAULT_STYLE], "fallback")


def find_style(text: str) -> StyleResolution:
    """The style named *first* in prose, for free-text requests.

    The first style word wins (ties: the longer alias); style words right
    after it join it into one phrase that :func:`resolve_style` reads, so
    the genre noun decides (``"a funky house track"`` -> house). The
    phrase is the result's ``alias``.

    >>> find_style("a dark techno track with cinematic strings").id
    'techno'
    >>> found = find_style("write a funky house track")
    >>> found.id, found.alias
    ('house', 'funky house')
    """
    padded = f" {normalise_style(text)} "
    hits = sorted(
        (at, -len(norm), order, norm)
        for norm, _, order, _ in _ALIASES
        if (at := padded.find(f" {norm} ")) >= 0
    )
    if not hits:
        return StyleResolution(text, STYLES[DEFAULT_STYLE], "fallback")
    first, _, _, norm = hits[0]
    end = first + 1 + len(norm)  # the space after the phrase
    grown = True
    while grown:
        grown = False
        for at, _, _, more in hits:
            if at == end:
                end, grown = at + 1 + len(more), True
    phrase = padded[first + 1 : end]
    if phrase == norm:
        alias = next(a for n, a, _, _ in _ALIASES if n == norm)
        return StyleResolution(text, resolve_style(phrase).profile, "substring", alias)
    return StyleResolution(text, resolve_style(phrase).profile, "substring", phrase)


__all__ = [
    "MatchKind",
    "StyleResolution",
    "find_style",
    "get_style",
    "normalise_style",
    "resolve_style",
    "style_names",
]
