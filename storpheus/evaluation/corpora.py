"""Reference corpora for set-level evaluation, built from music21's own corpus.

music21 ships a corpus with its package (no download): :func:`reference_corpus`
turns the first ``limit`` pieces of one of :data:`CORPORA` into
:class:`~storpheus.score.Score` objects, one track per part, in beats (quarter
notes), with tied notes merged into one note. Every corpus carries its
provenance (corpus, music21 version, the file and the SHA-256 of every
source), so a cached copy (see ``muse_duckdb.telemetry.references``) can say
exactly what it holds.

==================  ==========================================================
``bach-chorales``   the Bach chorales (``bach/bwv*.mxl``), sorted by file name
``essen-folksongs`` the Essen folk song collection (``essenFolksong/*.abc``),
                    files sorted by name, songs in file order
==================  ==========================================================

Example
-------
>>> corpus = reference_corpus("bach-chorales", limit=2)  # doctest: +SKIP
>>> [p.name for p in corpus.pieces]  # doctest: +SKIP
['bwv1.6', 'bwv10.7']
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Final

from storpheus.datasets import MissingDependencyError
from storpheus.notes import NoteArray
from storpheus.score import Score, TimeSignature, Track

if TYPE_CHECKING:
    from collections.abc import Iterator

CORPORA: Final = ("bach-chorales", "essen-folksongs")
"""Names :func:`reference_corpus` knows."""

PIECE_VELOCITY: Final = 80
"""Velocity of every corpus note (the scores carry no dynamics worth keeping)."""


@dataclass(frozen=True)
class ReferencePiece:
    """One piece of a reference corpus: its name, source, source digest and score."""

    name: str
    source: str
    sha256: str
    score: Score


@dataclass(frozen=True)
class ReferenceCorpus:
    """The pieces of one corpus and where they came from."""

    name: str
    pieces: tuple[ReferencePiece, ...]
    provenance: dict[str, str | int | None] = field(default_factory=dict)

    @property
    def scores(self) -> list[Score]:
        """The pieces' scores, in corpus order (what :func:`compare_sets` takes)."""
        return [p.score for p in self.pieces]

    def __len__(self) -> int:
        return len(self.pieces)


def _music21() -> str:
    try:
        import music21
    except ImportError as exc:  # pragma: no cover - exercised only without the extra
        raise MissingDependencyError(
            "music21 is needed for reference corpora; run: pip install 'maestro-lab[bench]'"
        ) from exc
    return str(music21.__version__)


def _corpus_root() -> Path:
    from music21 import corpus

    return Path(str(corpus.getComposer("bach")[0])).parents[1]


def reference_corpus(name: str, *, limit: int = 100) -> ReferenceCorpus:
    """The first ``limit`` pieces of the corpus ``name`` (one of :data:`CORPORA`).

    Raises
    ------
    ValueError
        Unknown corpus name or ``limit < 1``.
    MissingDependencyError
        music21 is not installed (the message names the pip command).
    """
    if name not in CORPORA:
        raise ValueError(f"unknown corpus {name!r}; corpora: {list(CORPORA)}")
    if limit < 1:
        raise ValueError(f"limit={limit} must be >= 1")
    version = _music21()
    root = _corpus_root()
    pieces = list(_pieces(name, limit, root))
    digest = hashlib.sha256("\n".join(f"{p.source}:{p.sha256}" for p in pieces).encode())
    provenance: dict[str, str | int | None] = {
        "corpus": name,
        "package": "music21",
        "package_version": version,
        "limit": limit,
        "pieces": len(pieces),
        "sources_sha256": digest.hexdigest(),
    }
    return ReferenceCorpus(name, tuple(pieces), provenance)


def _pieces(name: str, limit: int, root: Path) -> Iterator[ReferencePiece]:
    from music21 import converter, corpus

    count = 0
    if name == "bach-chorales":
        paths = sorted(Path(str(p)) for p in corpus.getComposer("bach"))
        for path in paths:
            if count >= limit:
                return
            if not path.name.startswith("bwv"):
                continue
            parsed = converter.parse(path)
            score = _to_score(parsed)
            if score is None:
                continue
            yield ReferencePiece(
                path.name.removesuffix(".mxl").removesuffix(".xml"),
                path.relative_to(root).as_posix(),
                _sha256(path),
                score,
            )
            count += 1
        return
    paths = sorted(Path(str(p)) for p in corpus.getComposer("essenFolksong"))
    for path in paths:
        opus = converter.parse(path)
        digest = _sha256(path)
        for index, song in enumerate(getattr(opus, "scores", [opus])):
            if count >= limit:
                return
            score = _to_score(song)
            if score is None:
                continue
            yield ReferencePiece(
                f"{path.stem}#{index}", path.relative_to(root).as_posix(), digest, score
            )
            count += 1


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _to_score(stream: object) -> Score | None:
    """A music21 score as a :class:`Score` (ties merged); ``None`` if it has no notes."""
    from music21 import meter

    parts = list(getattr(stream, "parts", [])) or [stream]
    tracks: list[Track] = []
    numerator, denominator = 4, 4
    signatures = stream.recurse().getElementsByClass(meter.TimeSignature)  # type: ignore[attr-defined]
    first = signatures.first()
    if first is not None and first.denominator in (1, 2, 4, 8, 16, 32, 64):
        numerator, denominator = int(first.numerator), int(first.denominator)
    for index, part in enumerate(parts):
        pitches, starts, durations = _part_notes(part)
        if pitches:
            notes = NoteArray(pitches, PIECE_VELOCITY, starts, durations)
            tracks.append(Track(f"part {index + 1}", notes))
    if not tracks:
        return None
    return Score(tuple(tracks), time_signature=TimeSignature(numerator, denominator))


def _part_notes(part: object) -> tuple[list[int], list[float], list[float]]:
    flat = part.flatten()  # type: ignore[attr-defined]
    pitches: list[int] = []
    starts: list[float] = []
    durations: list[float] = []
    open_ties: dict[int, int] = {}
    for element in flat.notes:
        start = float(element.offset)
        length = float(element.duration.quarterLength)
        if length <= 0:  # grace notes have no duration
            continue
        chord_tie = getattr(element, "tie", None)
        members = list(element.notes) if getattr(element, "isChord", False) else [element]
        for member in members:
            midi = int(member.pitch.midi)
            tie = getattr(member, "tie", None) or chord_tie
            kind = None if tie is None else tie.type
            held = open_ties.get(midi)
            if kind in ("stop", "continue") and held is not None:
                durations[held] = start + length - starts[held]
                if kind == "stop":
                    del open_ties[midi]
                continue
            pitches.append(midi)
            starts.append(start)
            durations.append(length)
            if kind in ("start", "continue"):
                open_ties[midi] = len(pitches) - 1
            else:
                open_ties.pop(midi, None)
    return pitches, starts, durations


__all__ = ["CORPORA", "ReferenceCorpus", "ReferencePiece", "reference_corpus"]
