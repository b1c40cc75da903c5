"""Real MIDI material for tests, benchmarks and notebooks, made offline.

The music21 corpus ships with its package (no download), so Bach chorales can
be exported to MIDI on any machine that has the ``bench`` or ``dev`` extra.
Exports are cached: a file already exported is not exported again.

Example
-------
>>> from storpheus.datasets import export_bach_chorales  # doctest: +SKIP
>>> paths = export_bach_chorales("bench-output/chorales", limit=100)  # doctest: +SKIP
"""

from __future__ import annotations

from pathlib import Path

from storpheus.errors import StorpheusError


class MissingDependencyError(StorpheusError, ImportError):
    """An optional dependency is needed; the message names the pip command."""


def bach_chorale_sources(limit: int | None = None) -> list[Path]:
    """Paths of the Bach chorales in the music21 corpus, sorted by name."""
    try:
        from music21 import corpus
    except ImportError as exc:  # pragma: no cover - exercised only without the extra
        raise MissingDependencyError(
            "music21 is needed for the Bach chorales; run: pip install 'maestro-lab[bench]'"
        ) from exc
    sources = sorted(Path(str(p)) for p in corpus.getComposer("bach"))
    return sources if limit is None else sources[:limit]


def export_bach_chorales(out_dir: str | Path, limit: int = 100) -> list[Path]:
    """Export up to ``limit`` Bach chorales as MIDI files into ``out_dir`` (cached).

    Files are named after the chorale (``bwv10.7.mid``); sources music21
    cannot turn into MIDI are skipped.
    """
    from music21 import converter

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for source in bach_chorale_sources():
        if len(written) >= limit:
            break
        target = out / (source.name.removesuffix(".mxl").removesuffix(".xml") + ".mid")
        if not target.exists():
            try:
                converter.parse(source).write("midi", fp=str(target))  # type: ignore[no-untyped-call]
            except Exception:  # a corpus file music21 cannot render is skipped
                target.unlink(missing_ok=True)
                continue
        written.append(target)
    return written


NON_BACH_SET: tuple[tuple[str, int], ...] = (
    ("mozart", 5),
    ("beethoven", 5),
    ("haydn", 5),
    ("monteverdi", 5),
    ("palestrina", 4),
    ("josquin", 3),
    ("schubert", 1),
    ("handel", 1),
    ("corelli", 1),
)
"""(composer, pieces) of the music21 corpus that make the 30-piece non-Bach
set: string quartets, madrigals, masses, a song, an aria and a sonata
movement, with more voices per part and more re-struck pitches than the
chorales."""

_SCORE_SUFFIXES = (".mxl", ".xml", ".musicxml", ".krn", ".abc")


def export_corpus_pieces(
    out_dir: str | Path, pieces: tuple[tuple[str, int], ...] = NON_BACH_SET
) -> list[Path]:
    """Export the first pieces of each composer as MIDI files (cached).

    ``pieces`` lists (composer, how many). Files are named
    ``<composer>_<work>_<piece>.mid``; sources that are not scores (analyses)
    and pieces music21 cannot turn into MIDI (badly formed repeats, for
    example) are skipped and the next piece is taken. Returns the files in
    the order of ``pieces``.
    """
    try:
        from music21 import converter, corpus
    except ImportError as exc:  # pragma: no cover - exercised only without the extra
        raise MissingDependencyError(
            "music21 is needed for the corpus pieces; run: pip install 'maestro-lab[bench]'"
        ) from exc

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for composer, wanted in pieces:
        taken = 0
        for source in sorted(Path(str(p)) for p in corpus.getComposer(composer)):
            if taken >= wanted:
                break
            if source.suffix not in _SCORE_SUFFIXES:
                continue
            target = out / f"{composer}_{source.parent.name}_{source.stem}.mid".replace(" ", "_")
            failed = target.with_suffix(".failed")
            if failed.exists():
                continue
            if not target.exists():
                try:
                    parsed = converter.parse(source)
                    scores = getattr(parsed, "scores", None)  # an opus (ABC) holds several
                    piece = scores[0] if scores else parsed
                    piece.write("midi", fp=str(target))
                except Exception:  # a corpus file music21 cannot render is skipped
                    target.unlink(missing_ok=True)
                    failed.touch()
                    continue
            written.append(target)
            taken += 1
    return written
