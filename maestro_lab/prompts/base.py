"""The value types of the structured prompt DSL.

``MaestroPrompt`` is what :func:`maestro_lab.prompts.parse_prompt` returns:
routing fields as typed attributes, every other top-level key verbatim in
:attr:`StructuredPrompt.extensions`. All types are frozen; sequences are
tuples. ``to_dict`` gives the camelCase JSON shape (the ``parsedPrompt``
schema of ``maestro-lab schema``) and ``from_dict`` reads it back.

Example
-------
>>> p = MaestroPrompt(raw="", mode="compose", request="Compose lofi", style="lofi")
>>> MaestroPrompt.from_dict(p.to_dict()) == p
True
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Literal, TypeAlias

from pydantic import JsonValue

from storpheus.jsontypes import JSONObject

Mode = Literal["compose", "edit", "ask"]
TargetKind = Literal["project", "selection", "track", "region"]
PositionKind = Literal["after", "before", "alongside", "between", "within", "absolute", "last"]

MODES: tuple[Mode, ...] = ("compose", "edit", "ask")
TARGET_KINDS: tuple[TargetKind, ...] = ("project", "selection", "track", "region")
POSITION_KINDS: tuple[PositionKind, ...] = (
    "after",
    "before",
    "alongside",
    "between",
    "within",
    "absolute",
    "last",
)

MaestroDimensions: TypeAlias = JSONObject
"""Open-vocabulary dimension blocks (Harmony, Melody, Effects...), kept verbatim."""

PromptConstraints: TypeAlias = JSONObject
"""The ``Constraints:`` block; keys lower snake_case (``no reverb`` -> ``no_reverb``)."""


BEATS_PER_BAR_CONVENTION = 4.0
"""Bar numbers in ``Position:`` are converted to beats assuming 4/4."""


@dataclass(frozen=True)
class TargetSpec:
    """The scope an edit applies to: the project, the selection, a track or a region.

    ``name`` is the human-readable label of the track or region (case kept).
    """

    kind: TargetKind
    name: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in TARGET_KINDS:
            raise ValueError(f"target kind {self.kind!r} must be one of {TARGET_KINDS}")
        if self.kind in ("track", "region") and not self.name:
            raise ValueError(f"target {self.kind!r} needs a name")
        if self.kind in ("project", "selection") and self.name is not None:
            raise ValueError(f"target {self.kind!r} takes no name")

    def __str__(self) -> str:
        return self.kind if self.name is None else f"{self.kind}:{self.name}"

    def to_dict(self) -> JSONObject:
        """``{"kind": ..., "name": ...}``."""
        return {"kind": self.kind, "name": self.name}

    @classmethod
    def from_dict(cls, data: JSONObject) -> TargetSpec:
        """Inverse of :meth:`to_dict`."""
        kind = str(data["kind"])
        name = data.get("name")
        return cls(_target_kind(kind), None if name is None else str(name))


@dataclass(frozen=True)
class PositionSpec:
    """Where a section goes in the arrangement (seven placement modes).

    ``ref``/``ref2`` are lowercased section names, ``offset`` is in beats
    (bar offsets are converted at 4 beats per bar), ``beat`` is the explicit
    beat of an ``absolute`` position (``bar 9`` -> beat 32.0).
    """

    kind: PositionKind
    ref: str | None = None
    ref2: str | None = None
    offset: float = 0.0
    beat: float | None = None

    def __post_init__(self) -> None:
        if self.kind not in POSITION_KINDS:
            raise ValueError(f"position kind {self.kind!r} must be one of {POSITION_KINDS}")
        needs_ref = self.kind not in ("absolute", "last")
        if needs_ref and not self.ref:
            raise ValueError(f"position {self.kind!r} needs a reference section")
        if self.kind == "between" and not self.ref2:
            raise ValueError("position 'between' needs two reference sections")
        if self.kind == "absolute" and self.offset and self.beat is not None:
            # one normal form: the offset of an absolute position is part of its beat
            object.__setattr__(self, "beat", self.beat + self.offset)
            object.__setattr__(self, "offset", 0.0)
        if self.kind == "absolute" and (self.beat is None or self.beat < 0):
            raise ValueError("position 'absolute' needs a beat >= 0")

    def __str__(self) -> str:
        if self.kind == "absolute":
            return f"beat {_num(self.beat or 0.0)}"
        parts: list[str] = [self.kind]
        if self.ref:
            parts.append(self.ref)
        if self.ref2:
            parts += ["and", self.ref2]
        if self.offset:
            parts.append(f"{'+' if self.offset > 0 else '-'} {_num(abs(self.offset))} beats")
        return " ".join(parts)

    def to_dict(self) -> JSONObject:
        """``{"kind", "ref", "ref2", "offset", "beat"}``."""
        return {
            "kind": self.kind,
            "ref": self.ref,
            "ref2": self.ref2,
            "offset": self.offset,
            "beat": self.beat,
        }

    @classmethod
    def from_dict(cls, data: JSONObject) -> PositionSpec:
        """Inverse of :meth:`to_dict`."""
        ref, ref2, beat = data.get("ref"), data.get("ref2"), data.get("beat")
        return cls(
            kind=_position_kind(str(data["kind"])),
            ref=None if ref is None else str(ref),
            ref2=None if ref2 is None else str(ref2),
            offset=_float(data.get("offset", 0.0)),
            beat=None if beat is None else _float(beat),
        )


AfterSpec = PositionSpec
"""Backwards-compatible synonym of :class:`PositionSpec` (the ``After:`` key)."""


@dataclass(frozen=True)
class VibeWeight:
    """One mood keyword and how many times it counts (``dusty x3`` -> weight 3)."""

    vibe: str
    weight: int = 1

    def __post_init__(self) -> None:
        if not self.vibe:
            raise ValueError("a vibe needs a keyword")
        if isinstance(self.weight, bool) or not 1 <= self.weight <= 100:
            raise ValueError(f"vibe {self.vibe!r}: weight={self.weight!r} must be 1-100")

    def __str__(self) -> str:
        return self.vibe if self.weight == 1 else f"{self.vibe} x{self.weight}"

    def to_dict(self) -> JSONObject:
        """``{"vibe": ..., "weight": ...}``."""
        return {"vibe": self.vibe, "weight": self.weight}

    @classmethod
    def from_dict(cls, data: JSONObject) -> VibeWeight:
        """Inverse of :meth:`to_dict`."""
        weight = data.get("weight", 1)
        if not isinstance(weight, int):
            raise ValueError(f"vibe weight must be an integer, got {weight!r}")
        return cls(str(data["vibe"]), weight)


@dataclass(frozen=True)
class StructuredPrompt:
    """Base of the structured prompt dialects: routing fields plus open extensions.

    ``roles`` and ``vibes`` are tuples (frozen lists);
    ``constraints`` and ``extensions`` hold JSON values and must not be
    mutated.
    """

    raw: str
    mode: Mode
    request: str
    prompt_kind: str = "structured"
    version: int = 1
    section: str | None = None
    position: PositionSpec | None = None
    target: TargetSpec | None = None
    style: str | None = None
    key: str | None = None
    tempo: int | None = None
    energy: str | None = None
    roles: tuple[str, ...] = ()
    constraints: PromptConstraints = field(default_factory=dict)
    vibes: tuple[VibeWeight, ...] = ()
    extensions: MaestroDimensions = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ValueError(f"mode {self.mode!r} must be one of {MODES}")
        if self.tempo is not None and not 20 <= self.tempo <= 300:
            raise ValueError(f"tempo={self.tempo} must be within 20-300 BPM")

    @property
    def after(self) -> PositionSpec | None:
        """Backwards-compatible alias of :attr:`position`."""
        return self.position

    @property
    def has_maestro_fields(self) -> bool:
        """True when the prompt carries extension dimensions (Harmony, Melody...)."""
        return bool(self.extensions)

    def to_dict(self, *, include_raw: bool = True) -> JSONObject:
        """The camelCase JSON shape; ``include_raw=False`` drops the original text."""
        out: JSONObject = {
            "promptKind": self.prompt_kind,
            "version": self.version,
            "mode": self.mode,
            "request": self.request,
            "section": self.section,
            "position": self.position.to_dict() if self.position else None,
            "target": self.target.to_dict() if self.target else None,
            "style": self.style,
            "key": self.key,
            "tempo": self.tempo,
            "energy": self.energy,
            "roles": list(self.roles),
            "constraints": dict(self.constraints),
            "vibes": [v.to_dict() for v in self.vibes],
            "extensions": dict(self.extensions),
        }
        if include_raw:
            out["raw"] = self.raw
        return out

    def canonical_json(self) -> str:
        """Key-sorted compact JSON of everything but the raw text: the normalised prompt.

        Two prompts that differ only in comments, key order, whitespace or
        the spelling of routing values (``F#m`` vs ``F# minor``) have the
        same canonical JSON, hence the same :attr:`prompt_hash` and base seed.
        """
        return json.dumps(self.to_dict(include_raw=False), sort_keys=True, separators=(",", ":"))

    @property
    def prompt_hash(self) -> str:
        """SHA-256 of :meth:`canonical_json`."""
        return hashlib.sha256(self.canonical_json().encode()).hexdigest()


@dataclass(frozen=True)
class MaestroPrompt(StructuredPrompt):
    """The canonical (and only) structured prompt dialect: ``MAESTRO PROMPT``."""

    prompt_kind: str = "maestro"

    @classmethod
    def from_dict(cls, data: JSONObject) -> MaestroPrompt:
        """Inverse of :meth:`StructuredPrompt.to_dict` (``raw`` defaults to ``""``).

        Raises ``ValueError`` (or ``KeyError`` for a missing required key) on
        a malformed dict; :func:`maestro_lab.prompts.prompt_from_json`
        validates untrusted JSON first and raises typed errors.
        """
        position = data.get("position")
        target = data.get("target")
        tempo = data.get("tempo")
        version = data.get("version", 1)
        return cls(
            raw=str(data.get("raw", "")),
            mode=as_mode(str(data["mode"])),
            request=str(data["request"]),
            prompt_kind=str(data.get("promptKind", "maestro")),
            version=version if isinstance(version, int) else 1,
            section=_opt_str(data.get("section")),
            position=PositionSpec.from_dict(position) if isinstance(position, dict) else None,
            target=TargetSpec.from_dict(target) if isinstance(target, dict) else None,
            style=_opt_str(data.get("style")),
            key=_opt_str(data.get("key")),
            tempo=tempo if isinstance(tempo, int) else None,
            energy=_opt_str(data.get("energy")),
            roles=tuple(str(r) for r in _list(data.get("roles"))),
            constraints=_dict(data.get("constraints")),
            vibes=tuple(
                VibeWeight.from_dict(v) for v in _list(data.get("vibes")) if isinstance(v, dict)
            ),
            extensions=_dict(data.get("extensions")),
        )


_MODES: dict[str, Mode] = {m: m for m in MODES}
_TARGET_KINDS: dict[str, TargetKind] = {k: k for k in TARGET_KINDS}
_POSITION_KINDS: dict[str, PositionKind] = {k: k for k in POSITION_KINDS}


def as_mode(value: str) -> Mode:
    """``value`` as a :data:`Mode` (``ValueError`` unless compose, edit or ask)."""
    if value not in _MODES:
        raise ValueError(f"mode {value!r} must be one of {', '.join(MODES)}")
    return _MODES[value]


def _target_kind(value: str) -> TargetKind:
    if value not in _TARGET_KINDS:
        raise ValueError(f"target kind {value!r} must be one of {TARGET_KINDS}")
    return _TARGET_KINDS[value]


def _position_kind(value: str) -> PositionKind:
    if value not in _POSITION_KINDS:
        raise ValueError(f"position kind {value!r} must be one of {POSITION_KINDS}")
    return _POSITION_KINDS[value]


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


def _float(value: JsonValue) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"expected a number, got {value!r}")
    return float(value)


def _opt_str(value: JsonValue) -> str | None:
    return None if value is None else str(value)


def _list(value: JsonValue) -> list[JsonValue]:
    return list(value) if isinstance(value, list) else []


def _dict(value: JsonValue) -> dict[str, JsonValue]:
    return dict(value) if isinstance(value, dict) else {}
