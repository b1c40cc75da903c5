"""The seed library on disk: an index of primer phrases and their MIDI files.

``storpheus/seeds/data/index.json`` lists every seed (style, role, key,
bars, tempo, content id, provenance, file); the files are single-track
Standard MIDI Files beside it. :func:`load_index` reads and validates the
index once per process; :func:`seed_notes` reads one seed's notes (cached)
and checks them against the recorded content id.

Example
-------
>>> infos = load_index()
>>> {info.role for info in infos} >= {"drums", "bass", "chords", "melody"}
True
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Final

from storpheus.errors import MidiFileError
from storpheus.identity import content_id
from storpheus.notes import NoteArray

DATA_DIR: Final = Path(__file__).parent / "data"
"""Folder of the shipped seed files."""

INDEX_NAME: Final = "index.json"


@dataclass(frozen=True)
class SeedInfo:
    """Metadata of one primer phrase.

    ``key`` is ``None`` for drum seeds (never transposed). ``provenance``
    says how the phrase was made (generator, version, seed, script).
    """

    seed_id: str
    style: str
    role: str
    key: str | None
    bars: int
    bpm: int
    content_id: str
    file: str
    provenance: tuple[tuple[str, str], ...]

    @property
    def path(self) -> Path:
        """Absolute path of the MIDI file."""
        return DATA_DIR / self.file

    def to_dict(self) -> dict[str, object]:
        """JSON-ready dict (the index entry)."""
        return {
            "seed_id": self.seed_id,
            "style": self.style,
            "role": self.role,
            "key": self.key,
            "bars": self.bars,
            "bpm": self.bpm,
            "content_id": self.content_id,
            "file": self.file,
            "provenance": dict(self.provenance),
        }

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> SeedInfo:
        """Parse one index entry (``ValueError`` naming the missing or bad field)."""
        try:
            provenance = data.get("provenance", {})
            if not isinstance(provenance, dict):
                raise ValueError("provenance must be an object")
            key = data.get("key")
            return cls(
                seed_id=str(data["seed_id"]),
                style=str(data["style"]),
                role=str(data["role"]),
                key=None if key is None else str(key),
                bars=int(str(data["bars"])),
                bpm=int(str(data["bpm"])),
                content_id=str(data["content_id"]),
                file=str(data["file"]),
                provenance=tuple(sorted((str(k), str(v)) for k, v in provenance.items())),
            )
        except KeyError as exc:
            raise ValueError(f"seed index entry lacks field {exc}") from None


@lru_cache(maxsize=4)
def load_index(data_dir: Path = DATA_DIR) -> tuple[SeedInfo, ...]:
    """Every seed of the library, in index order (cached)."""
    path = data_dir / INDEX_NAME
    if not path.exists():
        raise MidiFileError(
            path, "seed index not found; run `python -m storpheus.backends.embedded.build_seeds`"
        )
    raw = json.loads(path.read_text(encoding="utf-8"))
    entries = raw.get("seeds") if isinstance(raw, dict) else None
    if not isinstance(entries, list):
        raise MidiFileError(path, "seed index must be an object with a 'seeds' list")
    infos = []
    for i, entry in enumerate(entries):
        if not isinstance(entry, dict):
            raise MidiFileError(path, f"seeds[{i}] is not an object")
        try:
            infos.append(SeedInfo.from_dict(entry))
        except ValueError as exc:
            raise MidiFileError(path, f"seeds[{i}]: {exc}") from None
    return tuple(infos)


@lru_cache(maxsize=1024)
def seed_notes(info: SeedInfo) -> NoteArray:
    """The notes of a seed as stored (untransposed), checked against its content id."""
    from storpheus.io import read_midi

    score = read_midi(info.path)
    notes = NoteArray.concat([t.notes for t in score.tracks]).sort()
    if content_id(notes) != info.content_id:
        raise MidiFileError(info.path, f"content id does not match the index ({info.seed_id})")
    return notes


__all__ = ["DATA_DIR", "SeedInfo", "load_index", "seed_notes"]
