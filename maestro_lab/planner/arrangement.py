"""Arrangement: which sections, how many bars each, and where the new material goes.

Templates depend on the piece's length: a **short-form** template when the
piece lasts under 90 seconds, a **long-form** one from 90 seconds, where a
bridge (or its style's equivalent) appears only from 150 seconds and, in long
form, sections that would last under 16 seconds are dropped (optional repeats
first). Each style names its form family:

- song: short ``intro verse chorus outro``; long ``intro verse chorus verse*
  chorus* bridge° chorus outro``
- loop: short ``intro verse hook outro``; long ``intro verse hook verse* hook*
  bridge° hook outro``
- edm: short ``intro buildup drop outro``; long ``intro buildup drop breakdown°
  buildup* drop outro``
- aaba: short ``intro head outro``; long ``intro head head* bridge head solo° outro``
- through: short ``intro motif resolve``; long ``intro motif chorus bridge° outro``

(``*`` optional, dropped first when sections get too short; ``°`` only from
150 seconds.) Bars are shared by weight and snapped to 4-bar phrases when
there is room (2 or 1 otherwise); the total is always exact. Repeated names
get a suffix (``verse``, ``verse_2``) and sections longer than 64 bars are
split, so every generation stays within a backend's 64-bar limit.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from maestro_lab.emotion import section_preset_name
from maestro_lab.errors import PlanningError
from maestro_lab.planner.project import ProjectView
from maestro_lab.prompts.base import PositionSpec

LONG_FORM_SECONDS: Final = 90.0
BRIDGE_SECONDS: Final = 150.0
MIN_LONG_SECTION_SECONDS: Final = 16.0
MAX_SECTION_BARS: Final = 64
DEFAULT_TOTAL_BARS: Final = 16


@dataclass(frozen=True)
class Slot:
    """One template section: name, weight, optional repeat, minimum piece length."""

    name: str
    weight: float = 1.0
    optional: bool = False
    min_seconds: float = 0.0


def _s(name: str, weight: float = 1.0, *, opt: bool = False, from_s: float = 0.0) -> Slot:
    return Slot(name, weight, opt, from_s)


B = BRIDGE_SECONDS
TEMPLATES: Final[dict[str, tuple[tuple[Slot, ...], tuple[Slot, ...]]]] = {
    "song": (
        (_s("intro"), _s("verse", 2), _s("chorus", 2), _s("outro")),
        (_s("intro"), _s("verse", 2), _s("chorus", 2), _s("verse", 2, opt=True),
         _s("chorus", 2, opt=True), _s("bridge", 1.5, from_s=B), _s("chorus", 2), _s("outro")),
    ),
    "loop": (
        (_s("intro"), _s("verse", 2), _s("hook", 2), _s("outro")),
        (_s("intro"), _s("verse", 2), _s("hook", 2), _s("verse", 2, opt=True),
         _s("hook", 2, opt=True), _s("bridge", 1.5, from_s=B), _s("hook", 2), _s("outro")),
    ),
    "edm": (
        (_s("intro"), _s("buildup"), _s("drop", 2), _s("outro")),
        (_s("intro", 1.5), _s("buildup"), _s("drop", 2), _s("breakdown", 1.5, from_s=B),
         _s("buildup", opt=True), _s("drop", 2), _s("outro")),
    ),
    "aaba": (
        (_s("intro"), _s("head", 2), _s("outro")),
        (_s("intro"), _s("head", 2), _s("head", 2, opt=True), _s("bridge", 2), _s("head", 2),
         _s("solo", 2, from_s=B), _s("outro")),
    ),
    "through": (
        (_s("intro"), _s("motif", 2), _s("resolve")),
        (_s("intro"), _s("motif", 2), _s("chorus", 2), _s("bridge", 1.5, from_s=B), _s("outro")),
    ),
}  # fmt: skip
"""Short-form and long-form templates per form family."""

SECTION_WEIGHTS: Final = {
    "intro": 1.0,
    "outro": 1.0,
    "verse": 2.0,
    "chorus": 2.0,
    "hook": 2.0,
    "drop": 2.0,
    "bridge": 1.5,
    "breakdown": 1.5,
    "buildup": 1.0,
}
"""Relative lengths used for sections listed in constraints or named in the request."""

SINGLE_SECTION_BARS: Final = {
    "intro": 4,
    "outro": 4,
    "buildup": 4,
    "verse": 8,
    "chorus": 8,
    "bridge": 8,
    "breakdown": 8,
    "drop": 8,
}
"""Default length of a one-section prompt (``Section: verse``) without ``bars``."""


@dataclass(frozen=True)
class PlannedSection:
    """A section of the new material: unique name, kind, first bar and length."""

    name: str
    kind: str
    start_bar: int
    bars: int

    @property
    def end_bar(self) -> int:
        """First bar after the section."""
        return self.start_bar + self.bars


def seconds(bars: int, bpm: int, beats_per_bar: float) -> float:
    """Duration of ``bars`` bars at ``bpm`` (quarter-note beats)."""
    return bars * beats_per_bar * 60.0 / bpm


def template(form: str, long_form: bool, duration_s: float) -> tuple[Slot, ...]:
    """The template slots of a form family that apply at this duration."""
    short, long = TEMPLATES.get(form, TEMPLATES["song"])
    slots = long if long_form else short
    return tuple(slot for slot in slots if duration_s >= slot.min_seconds)


def allocate(
    weights: list[tuple[str, float]], total_bars: int, min_bars: int = 1
) -> list[tuple[str, int]]:
    """Share ``total_bars`` among named sections by weight (phrase-snapped, exact total).

    Phrase units (4, 2 or 1 bars) go one at a time to the section with the
    highest weight per unit already held (D'Hondt), ties to the heavier and
    then the earlier section; bars left over by the phrase unit go to the
    longest section.

    Every section gets at least ``min_bars`` (at least one phrase unit);
    when the bars cannot hold them all, the lowest-weight sections are
    dropped (the earliest kept on ties).

    >>> allocate([("intro", 1), ("verse", 2), ("chorus", 2), ("outro", 1)], 24)
    [('intro', 4), ('verse', 8), ('chorus', 8), ('outro', 4)]
    """
    if total_bars < 1:
        raise ValueError("total_bars must be >= 1")
    items = list(weights)
    while len(items) > 1 and len(items) * max(1, min_bars) > total_bars:
        drop = min(range(len(items)), key=lambda i: (items[i][1], -i))
        items.pop(drop)
    n = len(items)
    unit = 4 if total_bars >= 4 * n else 2 if total_bars >= 2 * n else 1
    units = total_bars // unit
    leftover = total_bars - units * unit
    floor_units = max(1, min(units // n, -(-min_bars // unit)))
    counts = [floor_units] * n
    for _ in range(
        units - n * floor_units
    ):  # D'Hondt: each unit to the highest weight per unit held
        best = max(range(n), key=lambda j: (items[j][1] / (counts[j] + 1), items[j][1], -j))
        counts[best] += 1
    bars = [c * unit for c in counts]
    if leftover:
        biggest = max(range(n), key=lambda j: (bars[j], -j))
        bars[biggest] += leftover
    return [(name, b) for (name, _), b in zip(items, bars, strict=True)]


def lay_out(pairs: list[tuple[str, int]]) -> tuple[PlannedSection, ...]:
    """Consecutive sections with unique names, each at most :data:`MAX_SECTION_BARS`."""
    split: list[tuple[str, int]] = []
    for name, bars in pairs:
        while bars > MAX_SECTION_BARS:
            split.append((name, MAX_SECTION_BARS))
            bars -= MAX_SECTION_BARS
        split.append((name, bars))
    seen: dict[str, int] = {}
    out = []
    start = 0
    for name, bars in split:
        seen[name] = seen.get(name, 0) + 1
        unique = name if seen[name] == 1 else f"{name}_{seen[name]}"
        out.append(PlannedSection(unique, kind_of(name), start, bars))
        start += bars
    return tuple(out)


def kind_of(name: str) -> str:
    """The emotion/harmony kind of a section name (``"verse_2"`` -> ``"verse"``)."""
    return section_preset_name(name) or "section"


def long_form_sections(
    slots: tuple[Slot, ...], total_bars: int, bpm: int, beats_per_bar: float
) -> list[tuple[str, int]]:
    """Allocate a long-form template with every section lasting at least 16 s.

    Optional slots are dropped first (last first) until the minimum fits; if
    it still does not, :func:`allocate` drops the lightest sections.
    """
    min_bars = -(-MIN_LONG_SECTION_SECONDS * bpm // (60.0 * beats_per_bar))
    min_bars = max(1, int(min_bars))
    current = list(slots)
    while len(current) * min_bars > total_bars and any(s.optional for s in current):
        last_optional = max(i for i, s in enumerate(current) if s.optional)
        current.pop(last_optional)
    return allocate([(s.name, s.weight) for s in current], total_bars, min_bars)


@dataclass(frozen=True)
class Placement:
    """Where the new material starts in the project, and what the planner had to assume."""

    start_beat: float
    gap_beats: float | None
    notes: tuple[str, ...]
    warnings: tuple[str, ...]


def place(
    position: PositionSpec | None,
    project: ProjectView,
    length_beats: float,
    *,
    creating: tuple[str, ...] = (),
) -> Placement:
    """Resolve a ``Position`` against the project to a start beat.

    ``after``: when ``ref`` ends; ``before``: ending where ``ref`` starts (with
    an offset, ``before chorus - 4``, starting that many beats before it: a
    pickup); ``alongside``/``within``: from ``ref``'s start; ``between``: when
    the first ends (``gap_beats`` is the room up to the second); ``absolute``:
    the beat; ``last``: after all existing content. Offsets add. A reference
    the project does not have is a :class:`~maestro_lab.errors.PlanningError`
    listing the known sections, unless the prompt creates that section itself
    (it is one of ``creating``, the sections being planned): the material
    then goes after all existing content. Negative starts clamp to 0 with a
    warning.
    """
    notes: list[str] = []
    warnings: list[str] = []
    gap: float | None = None
    if position is None:
        return Placement(0.0, None, (), ())
    if position.kind == "absolute":
        start = position.beat or 0.0
        notes.append(f"placed at beat {start:g} (Position: {position})")
        return Placement(start, None, tuple(notes), ())
    if position.kind == "last":
        start = project.content_end + position.offset
        notes.append(f"placed after all existing content, at beat {start:g}")
        return _clamped(start, None, notes, warnings)
    ref = project.section(position.ref or "")
    if ref is None:
        _check_created(position.ref or "", project, creating)
        start = project.content_end + position.offset
        notes.append(
            f"section {position.ref!r} is created by this prompt; placing the new material "
            f"after all existing content, at beat {start:g}"
        )
        return _clamped(start, None, notes, warnings)
    if position.kind == "after":
        start = ref.end_beat + position.offset
    elif position.kind == "before":
        start = ref.start_beat + (position.offset if position.offset else -length_beats)
    elif position.kind in ("alongside", "within"):
        start = ref.start_beat + position.offset
        if position.kind == "within" and not ref.start_beat <= start < ref.end_beat:
            warnings.append(f"Position: beat {start:g} is outside section {ref.name!r}")
    else:  # between
        other = project.section(position.ref2 or "")
        start = ref.end_beat + position.offset
        if other is None:
            _check_created(position.ref2 or "", project, creating)
            warnings.append(
                f"Position: section {position.ref2!r} is not in the project; "
                f"placing after {ref.name!r}"
            )
        else:
            gap = other.start_beat - start
            if gap <= 0:
                warnings.append(
                    f"Position: no gap between {ref.name!r} and {other.name!r}; "
                    f"placing after {ref.name!r}"
                )
                gap = None
    notes.append(f"placed at beat {start:g} (Position: {position})")
    return _clamped(start, gap, notes, warnings)


def _check_created(name: str, project: ProjectView, creating: tuple[str, ...]) -> None:
    """Raise unless the prompt itself creates the section ``name`` the position names."""
    if name.casefold() in {c.casefold() for c in creating}:
        return
    known = ", ".join(repr(s.name) for s in project.sections) or "none (the project is empty)"
    raise PlanningError(
        f"Position: section {name!r} is not in the project; known sections: {known}. Name one "
        f"of them, place by beat or bar ('at bar 9', 'last'), or create it in this prompt "
        f"(Constraints: {{sections: [{name}, ...]}})"
    )


def _clamped(start: float, gap: float | None, notes: list[str], warnings: list[str]) -> Placement:
    if start < 0:
        warnings.append(f"Position resolves to beat {start:g}, before the start; using beat 0")
        start = 0.0
    return Placement(start, gap, tuple(notes), tuple(warnings))
