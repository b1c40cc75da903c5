"""Agent contracts: the frozen, hash-chained lineage of a composition.

A :class:`CompositionContract` fixes what the whole piece is (sections,
tempo, meter, key, style, roles, base seed, plan hash). Each instrument agent
gets an :class:`InstrumentContract` derived from it (its role, sections,
chord schedule, program, seed) that records the composition's hash, and each
section it generates gets a :class:`SectionContract` that records the
instrument contract's hash. Every contract hashes its own content *and* its
parent's hash, so changing anything upstream changes every hash below it.

:meth:`verify` recomputes a contract's hash and checks the link to its
parent; a mismatch (a contract edited after it was issued, or paired with the
wrong parent) raises :class:`~maestro_lab.errors.ProtocolViolationError`.
Contracts serialise with ``to_dict`` / ``from_dict``; ``from_dict`` verifies
the stored hash.

Example
-------
>>> verse = SectionSpec("verse", "verse", bars=8, start_bar=0)
>>> song = CompositionContract(project_id="p", run_id="r", sections=(verse,), bpm=92,
...                            style="lofi", roles=("drums", "bass"), seed=7)
>>> bass = song.instrument("bass")
>>> part = bass.section("verse")
>>> verify_lineage(part, bass, song)
>>> part.instrument_hash == bass.hash and bass.composition_hash == song.hash
True
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final

from pydantic import JsonValue

from maestro_lab.errors import ProtocolViolationError
from storpheus.jsontypes import JSONObject
from storpheus.seeding import derive_seed
from storpheus.spec import ChordScheduleEntry

CONTRACT_VERSION: Final = 1
"""Version of the contract hashing scheme (part of every hash's domain)."""


def _digest(kind: str, doc: Mapping[str, JsonValue]) -> str:
    text = json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(
        f"maestro.contract.{kind}.v{CONTRACT_VERSION}\0{text}".encode()
    ).hexdigest()


def _text(name: str, value: object) -> None:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{name}={value!r} must be non-empty text")


@dataclass(frozen=True)
class SectionSpec:
    """One section of the piece: id, name and bar span (``start_bar`` 0-based)."""

    section_id: str
    name: str
    bars: int
    start_bar: int
    description: str = ""

    def __post_init__(self) -> None:
        _text("section_id", self.section_id)
        _text(f"section {self.section_id!r}.name", self.name)
        if isinstance(self.bars, bool) or not isinstance(self.bars, int) or self.bars < 1:
            raise ValueError(f"section {self.section_id!r}: bars={self.bars!r} must be >= 1")
        if (
            isinstance(self.start_bar, bool)
            or not isinstance(self.start_bar, int)
            or self.start_bar < 0
        ):
            raise ValueError(
                f"section {self.section_id!r}: start_bar={self.start_bar!r} must be >= 0"
            )

    @property
    def end_bar(self) -> int:
        """First bar after the section."""
        return self.start_bar + self.bars

    def to_dict(self) -> JSONObject:
        """Plain JSON-ready dict."""
        return {
            "section_id": self.section_id,
            "name": self.name,
            "bars": self.bars,
            "start_bar": self.start_bar,
            "description": self.description,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, JsonValue]) -> SectionSpec:
        """Inverse of :meth:`to_dict`."""
        return cls(
            section_id=str(data["section_id"]),
            name=str(data["name"]),
            bars=_int(data["bars"]),
            start_bar=_int(data["start_bar"]),
            description=str(data.get("description", "")),
        )


def _int(value: JsonValue) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValueError(f"{value!r} is not an integer")
    return int(value)


def _check_hash(contract_id: str, stored: str, actual: str) -> None:
    if stored != actual:
        raise ProtocolViolationError(contract_id, "hash", expected=actual, actual=stored)


@dataclass(frozen=True)
class CompositionContract:
    """What the whole composition is; the root of the lineage.

    ``hash`` covers every other field except ``contract_id`` (which defaults
    to ``"composition:<first 12 hex of the hash>"``).
    """

    project_id: str
    run_id: str
    sections: tuple[SectionSpec, ...]
    bpm: int
    style: str
    roles: tuple[str, ...]
    seed: int
    time_signature: str = "4/4"
    key: str | None = None
    plan_hash: str | None = None
    contract_id: str = ""
    hash: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        _text("project_id", self.project_id)
        _text("run_id", self.run_id)
        if not self.sections:
            raise ValueError("a composition contract needs at least one section")
        ids = [s.section_id for s in self.sections]
        if len(set(ids)) != len(ids):
            raise ValueError(f"section ids {ids} are not unique")
        if not self.roles or len(set(self.roles)) != len(self.roles):
            raise ValueError(f"roles {list(self.roles)} must be non-empty and unique")
        if not 20 <= self.bpm <= 300:
            raise ValueError(f"bpm={self.bpm} must be 20-300")
        if self.seed < 0:
            raise ValueError(f"seed={self.seed} must be >= 0")
        computed = self.compute_hash()
        if not self.hash:
            object.__setattr__(self, "hash", computed)
        _check_hash(self.contract_id or "composition", self.hash, computed)
        if not self.contract_id:
            object.__setattr__(self, "contract_id", f"composition:{computed[:12]}")

    @property
    def conversation_id(self) -> str:
        """Alias of :attr:`run_id`."""
        return self.run_id

    @property
    def bars(self) -> int:
        """Length of the piece in bars (end of the last section)."""
        return max(s.end_bar for s in self.sections)

    def content(self) -> JSONObject:
        """Everything the hash covers."""
        return {
            "project_id": self.project_id,
            "run_id": self.run_id,
            "sections": [s.to_dict() for s in self.sections],
            "bpm": self.bpm,
            "style": self.style,
            "roles": list(self.roles),
            "seed": self.seed,
            "time_signature": self.time_signature,
            "key": self.key,
            "plan_hash": self.plan_hash,
        }

    def compute_hash(self) -> str:
        """SHA-256 of :meth:`content` (recomputed, never cached)."""
        return _digest("composition", self.content())

    def verify(self) -> None:
        """Raise :class:`~maestro_lab.errors.ProtocolViolationError` if the content changed."""
        _check_hash(self.contract_id, self.hash, self.compute_hash())

    def section(self, section_id: str) -> SectionSpec:
        """The section with this id (``KeyError`` listing the ids if absent)."""
        for spec in self.sections:
            if spec.section_id == section_id:
                return spec
        raise KeyError(
            f"no section {section_id!r}; sections are {[s.section_id for s in self.sections]}"
        )

    def instrument(
        self,
        role: str,
        *,
        sections: Sequence[str] | None = None,
        chord_schedule: Sequence[ChordScheduleEntry] = (),
        program: int | None = None,
        seed: int | None = None,
    ) -> InstrumentContract:
        """The contract of one instrument agent (all sections unless ``sections`` is given).

        Its seed defaults to ``derive_seed(self.seed, "role", role)``.
        """
        self.verify()
        if role not in self.roles:
            raise ValueError(f"role {role!r} is not in the composition's roles {list(self.roles)}")
        chosen = self.sections if sections is None else tuple(self.section(s) for s in sections)
        return InstrumentContract(
            role=role,
            composition_hash=self.hash,
            sections=tuple(chosen),
            chord_schedule=tuple(chord_schedule),
            program=program,
            style=self.style,
            seed=derive_seed(self.seed, "role", role) if seed is None else seed,
        )

    def to_dict(self) -> JSONObject:
        """JSON-ready dict including ``contract_id`` and ``hash``."""
        return {**self.content(), "contract_id": self.contract_id, "hash": self.hash}

    @classmethod
    def from_dict(cls, data: Mapping[str, JsonValue]) -> CompositionContract:
        """Rebuild and verify a contract from :meth:`to_dict` output."""
        sections = data["sections"]
        roles = data["roles"]
        if not isinstance(sections, list) or not isinstance(roles, list):
            raise ValueError("sections and roles must be lists")
        return cls(
            project_id=str(data["project_id"]),
            run_id=str(data["run_id"]),
            sections=tuple(SectionSpec.from_dict(_obj(s)) for s in sections),
            bpm=_int(data["bpm"]),
            style=str(data["style"]),
            roles=tuple(str(r) for r in roles),
            seed=_int(data["seed"]),
            time_signature=str(data.get("time_signature", "4/4")),
            key=_opt_str(data.get("key")),
            plan_hash=_opt_str(data.get("plan_hash")),
            contract_id=str(data.get("contract_id", "")),
            hash=str(data.get("hash", "")),
        )


@dataclass(frozen=True)
class InstrumentContract:
    """What one instrument agent must produce; chained to its composition by hash."""

    role: str
    composition_hash: str
    sections: tuple[SectionSpec, ...]
    style: str
    seed: int
    chord_schedule: tuple[ChordScheduleEntry, ...] = ()
    program: int | None = None
    contract_id: str = ""
    hash: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        _text("role", self.role)
        _text("composition_hash", self.composition_hash)
        if not self.sections:
            raise ValueError(f"instrument {self.role!r} needs at least one section")
        computed = self.compute_hash()
        if not self.hash:
            object.__setattr__(self, "hash", computed)
        _check_hash(self.contract_id or self.role, self.hash, computed)
        if not self.contract_id:
            object.__setattr__(self, "contract_id", f"instrument:{self.role}:{computed[:12]}")

    def content(self) -> JSONObject:
        """Everything the hash covers (including the parent's hash)."""
        return {
            "role": self.role,
            "composition_hash": self.composition_hash,
            "sections": [s.to_dict() for s in self.sections],
            "style": self.style,
            "seed": self.seed,
            "chord_schedule": [_chord_dict(c) for c in self.chord_schedule],
            "program": self.program,
        }

    def compute_hash(self) -> str:
        """SHA-256 of :meth:`content`."""
        return _digest("instrument", self.content())

    def verify(self, composition: CompositionContract | None = None) -> None:
        """Check this contract's hash and, if given, its link to ``composition``."""
        _check_hash(self.contract_id, self.hash, self.compute_hash())
        if composition is None:
            return
        composition.verify()
        if self.composition_hash != composition.hash:
            raise ProtocolViolationError(
                self.contract_id, "composition_hash", composition.hash, self.composition_hash
            )
        if self.role not in composition.roles:
            raise ProtocolViolationError(
                self.contract_id, "role", ",".join(composition.roles), self.role
            )

    def section(self, section_id: str, *, seed: int | None = None) -> SectionContract:
        """The contract of one section of this instrument.

        Its seed defaults to ``derive_seed(self.seed, "section", section_id)``.
        """
        self.verify()
        for spec in self.sections:
            if spec.section_id == section_id:
                return SectionContract(
                    role=self.role,
                    section=spec,
                    instrument_hash=self.hash,
                    seed=derive_seed(self.seed, "section", section_id) if seed is None else seed,
                )
        ids = [s.section_id for s in self.sections]
        raise KeyError(f"instrument {self.role!r} has no section {section_id!r}; it has {ids}")

    def to_dict(self) -> JSONObject:
        """JSON-ready dict including ``contract_id`` and ``hash``."""
        return {**self.content(), "contract_id": self.contract_id, "hash": self.hash}

    @classmethod
    def from_dict(cls, data: Mapping[str, JsonValue]) -> InstrumentContract:
        """Rebuild and verify a contract from :meth:`to_dict` output."""
        sections = data["sections"]
        schedule = data.get("chord_schedule", [])
        if not isinstance(sections, list) or not isinstance(schedule, list):
            raise ValueError("sections and chord_schedule must be lists")
        program = data.get("program")
        return cls(
            role=str(data["role"]),
            composition_hash=str(data["composition_hash"]),
            sections=tuple(SectionSpec.from_dict(_obj(s)) for s in sections),
            style=str(data["style"]),
            seed=_int(data["seed"]),
            chord_schedule=tuple(_chord_from(_obj(c)) for c in schedule),
            program=None if program is None else _int(program),
            contract_id=str(data.get("contract_id", "")),
            hash=str(data.get("hash", "")),
        )


@dataclass(frozen=True)
class SectionContract:
    """What one instrument generates for one section; chained to its instrument by hash."""

    role: str
    section: SectionSpec
    instrument_hash: str
    seed: int
    contract_id: str = ""
    hash: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        _text("role", self.role)
        _text("instrument_hash", self.instrument_hash)
        computed = self.compute_hash()
        if not self.hash:
            object.__setattr__(self, "hash", computed)
        label = self.contract_id or f"{self.role}/{self.section.section_id}"
        _check_hash(label, self.hash, computed)
        if not self.contract_id:
            object.__setattr__(
                self,
                "contract_id",
                f"section:{self.role}/{self.section.section_id}:{computed[:12]}",
            )

    def content(self) -> JSONObject:
        """Everything the hash covers (including the parent's hash)."""
        return {
            "role": self.role,
            "section": self.section.to_dict(),
            "instrument_hash": self.instrument_hash,
            "seed": self.seed,
        }

    def compute_hash(self) -> str:
        """SHA-256 of :meth:`content`."""
        return _digest("section", self.content())

    def verify(self, instrument: InstrumentContract | None = None) -> None:
        """Check this contract's hash and, if given, its link to ``instrument``."""
        _check_hash(self.contract_id, self.hash, self.compute_hash())
        if instrument is None:
            return
        instrument.verify()
        if self.instrument_hash != instrument.hash:
            raise ProtocolViolationError(
                self.contract_id, "instrument_hash", instrument.hash, self.instrument_hash
            )
        if self.role != instrument.role:
            raise ProtocolViolationError(self.contract_id, "role", instrument.role, self.role)
        if self.section not in instrument.sections:
            raise ProtocolViolationError(
                self.contract_id,
                "section",
                ",".join(s.section_id for s in instrument.sections),
                self.section.section_id,
            )

    def to_dict(self) -> JSONObject:
        """JSON-ready dict including ``contract_id`` and ``hash``."""
        return {**self.content(), "contract_id": self.contract_id, "hash": self.hash}

    @classmethod
    def from_dict(cls, data: Mapping[str, JsonValue]) -> SectionContract:
        """Rebuild and verify a contract from :meth:`to_dict` output."""
        return cls(
            role=str(data["role"]),
            section=SectionSpec.from_dict(_obj(data["section"])),
            instrument_hash=str(data["instrument_hash"]),
            seed=_int(data["seed"]),
            contract_id=str(data.get("contract_id", "")),
            hash=str(data.get("hash", "")),
        )


def verify_lineage(
    section: SectionContract, instrument: InstrumentContract, composition: CompositionContract
) -> None:
    """Verify a whole chain: section -> instrument -> composition.

    Raises :class:`~maestro_lab.errors.ProtocolViolationError` at the first broken link.
    """
    composition.verify()
    instrument.verify(composition)
    section.verify(instrument)


def _chord_dict(entry: ChordScheduleEntry) -> JSONObject:
    return {
        "bar": entry.bar,
        "chord": entry.chord,
        "beat": entry.beat,
        "duration_beats": entry.duration_beats,
    }


def _chord_from(data: Mapping[str, JsonValue]) -> ChordScheduleEntry:
    duration = data.get("duration_beats")
    beat = data.get("beat", 0.0)
    if not isinstance(beat, int | float) or not (
        duration is None or isinstance(duration, int | float)
    ):
        raise ValueError(f"chord schedule entry {dict(data)!r} has non-numeric beats")
    return ChordScheduleEntry(
        bar=_int(data["bar"]),
        chord=str(data["chord"]),
        beat=float(beat),
        duration_beats=None if duration is None else float(duration),
    )


def _obj(value: JsonValue) -> Mapping[str, JsonValue]:
    if not isinstance(value, dict):
        raise ValueError(f"expected a JSON object, got {value!r}")
    return value


def _opt_str(value: JsonValue) -> str | None:
    return None if value is None else str(value)


__all__ = [
    "CompositionContract",
    "InstrumentContract",
    "SectionContract",
    "SectionSpec",
    "verify_lineage",
]
