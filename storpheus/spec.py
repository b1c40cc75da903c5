"""The MusicSpec IR: what a composition should be, before any note exists.

Frozen dataclasses: a global spec, one spec per role family (drums, bass,
harmony, melody) and a section map, under one :class:`MusicSpec`. The
planner (``maestro_lab.planner``) builds a :class:`MusicSpec`; the role
renderers of the generation backends consume it. Every value type has
``to_dict`` / ``from_dict`` (snake_case JSON) so specs serialise losslessly.

Also here, because both the planner and the backends need them and storpheus
imports nothing upwards: :class:`EmotionVector` (five axes, each 0-1) and
:class:`GenerationConstraints` (the per-role generation hints the planner
derives from the emotion vector).

Example
-------
>>> spec = MusicSpec(global_spec=GlobalSpec(bpm=90, bars=8, key="A minor"),
...                  section_map=(SectionMapEntry("verse", 0, 8),))
>>> MusicSpec.from_dict(spec.to_dict()) == spec
True
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Self

from storpheus import midi_types as mt
from storpheus.jsontypes import JSONObject


def _unit(name: str, value: float) -> None:
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"{name}={value!r} must be within 0-1")


def _obj(data: JSONObject, key: str) -> JSONObject:
    """``data[key]`` as a dict (``{}`` when absent); ``ValueError`` if it is not one."""
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise ValueError(f"{key} must be an object, got {type(value).__name__}")
    return value


def _list(data: JSONObject, key: str) -> list[object]:
    """``data[key]`` as a list (``[]`` when absent); ``ValueError`` if it is not one."""
    value = data.get(key, [])
    if not isinstance(value, list | tuple):
        raise ValueError(f"{key} must be a list, got {type(value).__name__}")
    return list(value)


def _dicts(items: list[object], key: str) -> list[JSONObject]:
    out = []
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            raise ValueError(f"{key}[{i}] must be an object, got {type(item).__name__}")
        out.append(item)
    return out


def _check_min_max(name: str, low: float, high: float) -> None:
    if low < 0 or high < low:
        raise ValueError(f"{name}: need 0 <= min <= max, got min={low!r}, max={high!r}")


class _Serialisable:
    """``to_dict``/``from_dict`` for the flat value types (no nested dataclasses)."""

    def to_dict(self) -> JSONObject:
        """Snake_case dict of the fields (tuples become lists)."""
        out: JSONObject = {}
        for f in fields(self):  # type: ignore[arg-type]
            value = getattr(self, f.name)
            out[f.name] = list(value) if isinstance(value, tuple) else value
        return out

    @classmethod
    def from_dict(cls, data: JSONObject) -> Self:
        """Inverse of :meth:`to_dict`; unknown keys raise ``ValueError``."""
        names = {f.name for f in fields(cls)}  # type: ignore[arg-type]
        unknown = sorted(set(data) - names)
        if unknown:
            raise ValueError(f"{cls.__name__}: unknown fields {unknown}")
        kwargs = {k: tuple(v) if isinstance(v, list) else v for k, v in data.items()}
        return cls(**kwargs)


# ----------------------------------------------------------------- emotion
@dataclass(frozen=True)
class EmotionVector(_Serialisable):
    """Five mood axes, each in 0-1 (quantised into the Orpheus cache key)."""

    energy: float = 0.5
    valence: float = 0.5
    tension: float = 0.5
    intimacy: float = 0.5
    motion: float = 0.5

    def __post_init__(self) -> None:
        for f in fields(self):
            _unit(f.name, getattr(self, f.name))


@dataclass(frozen=True)
class GenerationConstraints(_Serialisable):
    """Generation hints derived from an :class:`EmotionVector`.

    ``drum_density`` (0-1), ``subdivision`` (steps per beat: 2, 3 or 4),
    ``swing`` (0.5 straight - 0.75 hard swing), ``register_center`` (MIDI
    pitch) and ``register_spread`` (semitones), ``rest_density`` and
    ``leap_probability`` (0-1), ``chord_extensions`` (allow 7ths/9ths...),
    ``harmonic_rhythm`` (chords per bar), ``velocity_floor`` /
    ``velocity_ceiling`` (MIDI velocities).
    """

    drum_density: float = 0.5
    subdivision: int = 4
    swing: float = 0.5
    register_center: int = 60
    register_spread: int = 12
    rest_density: float = 0.2
    leap_probability: float = 0.2
    chord_extensions: bool = False
    harmonic_rhythm: float = 1.0
    velocity_floor: int = 60
    velocity_ceiling: int = 110

    def __post_init__(self) -> None:
        for name in ("drum_density", "rest_density", "leap_probability"):
            _unit(name, getattr(self, name))
        if self.subdivision not in (1, 2, 3, 4, 6, 8):
            raise ValueError(f"subdivision={self.subdivision} must be 1, 2, 3, 4, 6 or 8")
        if not 0.5 <= self.swing <= 0.75:
            raise ValueError(f"swing={self.swing} must be within 0.5-0.75")
        mt.assert_range(self.register_center, mt.PITCH)
        if not 0 < self.register_spread <= 64:
            raise ValueError(f"register_spread={self.register_spread} must be 1-64")
        if not 0 < self.harmonic_rhythm <= 8:
            raise ValueError(f"harmonic_rhythm={self.harmonic_rhythm} must be within (0, 8]")
        mt.assert_range(self.velocity_floor, mt.VELOCITY)
        mt.assert_range(self.velocity_ceiling, mt.VELOCITY)
        if self.velocity_floor > self.velocity_ceiling:
            raise ValueError(
                f"velocity_floor={self.velocity_floor} exceeds "
                f"velocity_ceiling={self.velocity_ceiling}"
            )

    @property
    def register_low(self) -> int:
        """Lowest pitch of the register, clamped to 0."""
        return max(0, self.register_center - self.register_spread)

    @property
    def register_high(self) -> int:
        """Highest pitch of the register, clamped to 127."""
        return min(127, self.register_center + self.register_spread)


# ------------------------------------------------------------------ global
@dataclass(frozen=True)
class GlobalSpec(_Serialisable):
    """Tempo, length, meter and key of the whole piece."""

    bpm: int = 120
    bars: int = 8
    time_sig_num: int = 4
    time_sig_den: int = 4
    key: str = "C major"

    def __post_init__(self) -> None:
        mt.assert_range(self.bpm, mt.BPM)
        mt.assert_range(self.bars, mt.BARS)
        if not 1 <= self.time_sig_num <= 64 or self.time_sig_den not in (1, 2, 4, 8, 16, 32):
            raise ValueError(f"time signature {self.time_sig_num}/{self.time_sig_den} is invalid")

    @property
    def beats_per_bar(self) -> float:
        """Quarter-note beats in one bar."""
        return self.time_sig_num * 4.0 / self.time_sig_den


@dataclass(frozen=True)
class SectionMapEntry(_Serialisable):
    """One section: its name and bar span (``start_bar`` is 0-based)."""

    name: str
    start_bar: int
    length_bars: int

    def __post_init__(self) -> None:
        if self.start_bar < 0:
            raise ValueError(f"section {self.name!r}: start_bar={self.start_bar} must be >= 0")
        mt.assert_range(self.length_bars, mt.BARS)

    @property
    def end_bar(self) -> int:
        """First bar after the section."""
        return self.start_bar + self.length_bars


# ------------------------------------------------------------------- drums
@dataclass(frozen=True)
class DensityTarget(_Serialisable):
    """Hits per bar allowed for one drum layer."""

    min_hits_per_bar: float
    max_hits_per_bar: float

    def __post_init__(self) -> None:
        _check_min_max("density", self.min_hits_per_bar, self.max_hits_per_bar)


@dataclass(frozen=True)
class DrumLayerSpec:
    """One drum layer (kick, snare, hats, percussion...)."""

    role: str
    density: DensityTarget
    velocity_range: tuple[int, int] = (60, 120)

    def __post_init__(self) -> None:
        low, high = self.velocity_range
        mt.assert_range(low, mt.VELOCITY)
        mt.assert_range(high, mt.VELOCITY)
        if low > high:
            raise ValueError(f"drum layer {self.role!r}: velocity_range {low}-{high} is reversed")

    def to_dict(self) -> JSONObject:
        """Snake_case dict."""
        return {
            "role": self.role,
            "density": self.density.to_dict(),
            "velocity_range": list(self.velocity_range),
        }

    @classmethod
    def from_dict(cls, data: JSONObject) -> DrumLayerSpec:
        """Inverse of :meth:`to_dict`."""
        vr = [int(str(v)) for v in _list(data, "velocity_range") or [60, 120]]
        if len(vr) != 2:
            raise ValueError(f"velocity_range must have two values, got {vr}")
        return cls(
            str(data["role"]), DensityTarget.from_dict(_obj(data, "density")), (vr[0], vr[1])
        )


@dataclass(frozen=True)
class DrumConstraints(_Serialisable):
    """Kit-wide drum limits."""

    max_simultaneous: int = 3


@dataclass(frozen=True)
class DrumSpec:
    """Drum layers by name, the groove family and kit-wide constraints."""

    layers: tuple[tuple[str, DrumLayerSpec], ...] = ()
    constraints: DrumConstraints = field(default_factory=DrumConstraints)
    groove: str = "straight"

    def layer(self, name: str) -> DrumLayerSpec:
        """The layer called ``name`` (``KeyError`` if absent)."""
        for layer_name, layer in self.layers:
            if layer_name == name:
                return layer
        raise KeyError(f"no drum layer {name!r}; layers are {[n for n, _ in self.layers]}")

    def to_dict(self) -> JSONObject:
        """Snake_case dict; layers as a list of ``{"name": ..., **layer}`` (order kept).

        A list, not a mapping, so that a key-sorted JSON dump keeps the layer
        order and :meth:`from_dict` gives back an equal spec.
        """
        return {
            "layers": [{"name": name, **layer.to_dict()} for name, layer in self.layers],
            "constraints": self.constraints.to_dict(),
            "groove": self.groove,
        }

    @classmethod
    def from_dict(cls, data: JSONObject) -> DrumSpec:
        """Inverse of :meth:`to_dict` (also accepts layers as a ``{name: layer}`` mapping)."""
        raw = data.get("layers", [])
        if isinstance(raw, dict):
            raw = [{"name": name, **_obj(raw, name)} for name in raw]
        layers = []
        for entry in _dicts(_list({"layers": raw}, "layers"), "layers"):
            fields_ = {k: v for k, v in entry.items() if k != "name"}
            layers.append((str(entry.get("name", fields_.get("role", ""))), fields_))
        return cls(
            layers=tuple((name, DrumLayerSpec.from_dict(f)) for name, f in layers),
            constraints=DrumConstraints.from_dict(_obj(data, "constraints")),
            groove=str(data.get("groove", "straight")),
        )


# -------------------------------------------------------------------- bass
@dataclass(frozen=True)
class BassDensityTarget(_Serialisable):
    """Notes per bar allowed for the bass."""

    min_notes_per_bar: float = 2.0
    max_notes_per_bar: float = 8.0

    def __post_init__(self) -> None:
        _check_min_max("bass density", self.min_notes_per_bar, self.max_notes_per_bar)


@dataclass(frozen=True)
class BassNoteLength(_Serialisable):
    """Bass note lengths allowed, in beats."""

    min_beats: float = 0.25
    max_beats: float = 2.0

    def __post_init__(self) -> None:
        _check_min_max("bass note length", self.min_beats, self.max_beats)


@dataclass(frozen=True)
class BassSpec:
    """Bass density, note lengths and style."""

    density: BassDensityTarget = field(default_factory=BassDensityTarget)
    note_length: BassNoteLength = field(default_factory=BassNoteLength)
    style: str = "root"
    lock_to_kick: bool = False

    def to_dict(self) -> JSONObject:
        """Snake_case dict."""
        return {
            "density": self.density.to_dict(),
            "note_length": self.note_length.to_dict(),
            "style": self.style,
            "lock_to_kick": self.lock_to_kick,
        }

    @classmethod
    def from_dict(cls, data: JSONObject) -> BassSpec:
        """Inverse of :meth:`to_dict`."""
        return cls(
            density=BassDensityTarget.from_dict(_obj(data, "density")),
            note_length=BassNoteLength.from_dict(_obj(data, "note_length")),
            style=str(data.get("style", "root")),
            lock_to_kick=bool(data.get("lock_to_kick", False)),
        )


# ---------------------------------------------------------------- harmony
@dataclass(frozen=True)
class ChordScheduleEntry(_Serialisable):
    """The chord sounding from the start of ``bar`` (0-based), plus its beat offset.

    ``chord`` is a chord symbol such as ``"Am7"``, ``"F#dim"`` or ``"Bb/D"``.
    """

    bar: int
    chord: str
    beat: float = 0.0
    duration_beats: float | None = None

    def __post_init__(self) -> None:
        if self.bar < 0:
            raise ValueError(f"chord schedule bar={self.bar} must be >= 0")
        if not self.chord:
            raise ValueError("chord schedule entry needs a chord symbol")


@dataclass(frozen=True)
class HarmonicSpec:
    """The chord schedule and voicing style."""

    chord_schedule: tuple[ChordScheduleEntry, ...] = ()
    voicing_style: str = "close"

    def to_dict(self) -> JSONObject:
        """Snake_case dict."""
        return {
            "chord_schedule": [c.to_dict() for c in self.chord_schedule],
            "voicing_style": self.voicing_style,
        }

    @classmethod
    def from_dict(cls, data: JSONObject) -> HarmonicSpec:
        """Inverse of :meth:`to_dict`."""
        schedule = _dicts(_list(data, "chord_schedule"), "chord_schedule")
        return cls(
            chord_schedule=tuple(ChordScheduleEntry.from_dict(c) for c in schedule),
            voicing_style=str(data.get("voicing_style", "close")),
        )

    def chord_at(self, bar: int) -> str | None:
        """The chord symbol in force at the start of ``bar``."""
        current = None
        for entry in self.chord_schedule:
            if entry.bar <= bar:
                current = entry.chord
        return current


# ----------------------------------------------------------------- melody
@dataclass(frozen=True)
class MelodySpec(_Serialisable):
    """Melody style hint, scale name and register name (``"low"``, ``"mid"``, ``"high"``)."""

    style_hint: str = "lyrical"
    scale: str = "major"
    register: str = "mid"


# ------------------------------------------------------------------- root
@dataclass(frozen=True)
class MusicSpec:
    """The root of the IR: global spec, per-role specs, section map, style."""

    global_spec: GlobalSpec = field(default_factory=GlobalSpec)
    drum_spec: DrumSpec = field(default_factory=DrumSpec)
    bass_spec: BassSpec = field(default_factory=BassSpec)
    harmonic_spec: HarmonicSpec = field(default_factory=HarmonicSpec)
    melody_spec: MelodySpec = field(default_factory=MelodySpec)
    section_map: tuple[SectionMapEntry, ...] = ()
    style: str = "pop"

    def __post_init__(self) -> None:
        for entry in self.section_map:
            if entry.end_bar > self.global_spec.bars:
                raise ValueError(
                    f"section {entry.name!r} ends at bar {entry.end_bar}, "
                    f"after the piece's {self.global_spec.bars} bars"
                )

    def to_dict(self) -> JSONObject:
        """Snake_case, JSON-ready dict."""
        return {
            "global_spec": self.global_spec.to_dict(),
            "drum_spec": self.drum_spec.to_dict(),
            "bass_spec": self.bass_spec.to_dict(),
            "harmonic_spec": self.harmonic_spec.to_dict(),
            "melody_spec": self.melody_spec.to_dict(),
            "section_map": [s.to_dict() for s in self.section_map],
            "style": self.style,
        }

    @classmethod
    def from_dict(cls, data: JSONObject) -> MusicSpec:
        """Inverse of :meth:`to_dict`."""
        sections = _dicts(_list(data, "section_map"), "section_map")
        return cls(
            global_spec=GlobalSpec.from_dict(_obj(data, "global_spec")),
            drum_spec=DrumSpec.from_dict(_obj(data, "drum_spec")),
            bass_spec=BassSpec.from_dict(_obj(data, "bass_spec")),
            harmonic_spec=HarmonicSpec.from_dict(_obj(data, "harmonic_spec")),
            melody_spec=MelodySpec.from_dict(_obj(data, "melody_spec")),
            section_map=tuple(SectionMapEntry.from_dict(s) for s in sections),
            style=str(data.get("style", "pop")),
        )


__all__ = [
    "BassDensityTarget",
    "BassNoteLength",
    "BassSpec",
    "ChordScheduleEntry",
    "DensityTarget",
    "DrumConstraints",
    "DrumLayerSpec",
    "DrumSpec",
    "EmotionVector",
    "GenerationConstraints",
    "GlobalSpec",
    "HarmonicSpec",
    "MelodySpec",
    "MusicSpec",
    "SectionMapEntry",
]
