"""Read and write real MIDI files with storpheus.io, pretty_midi and mido, side by side.

Material: Bach chorales exported from the music21 corpus (offline), plus one
long file (a chorale repeated to ~20 minutes at a fine resolution) to show
pretty_midi's tick limit. Prints per-file median times and ratios.

    python benchmarks/bench_midi_io.py            # 100 chorales
    python benchmarks/bench_midi_io.py --quick    # 5 chorales, fewer repeats
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
from pathlib import Path

import mido
import pretty_midi
import symusic

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _table import median_seconds, print_table  # noqa: E402

from storpheus.datasets import export_bach_chorales  # noqa: E402
from storpheus.io import read_midi, score_to_midi_bytes  # noqa: E402
from storpheus.notes import NoteArray  # noqa: E402
from storpheus.score import Score, Track  # noqa: E402


def _per_file_medians(paths: list[Path], repeat: int) -> dict[str, dict[str, float]]:
    results: dict[str, dict[str, list[float]]] = {
        "read": {"storpheus.io": [], "symusic (raw)": [], "pretty_midi": [], "mido": []},
        "write": {"storpheus.io": [], "pretty_midi": [], "mido": []},
    }
    for path in paths:
        score = read_midi(path)
        pm = pretty_midi.PrettyMIDI(str(path))
        mf = mido.MidiFile(str(path))
        results["read"]["storpheus.io"].append(median_seconds(lambda: read_midi(path), repeat))
        results["read"]["symusic (raw)"].append(
            median_seconds(lambda: symusic.Score(str(path)), repeat)
        )
        results["read"]["pretty_midi"].append(
            median_seconds(lambda: pretty_midi.PrettyMIDI(str(path)), repeat)
        )
        results["read"]["mido"].append(median_seconds(lambda: mido.MidiFile(str(path)), repeat))
        results["write"]["storpheus.io"].append(
            median_seconds(lambda: score_to_midi_bytes(score), repeat)
        )
        results["write"]["pretty_midi"].append(
            median_seconds(lambda: pm.write(io.BytesIO()), repeat)
        )
        results["write"]["mido"].append(median_seconds(lambda: mf.save(file=io.BytesIO()), repeat))
    return {
        op: {lib: statistics.median(times) for lib, times in libs.items()}
        for op, libs in results.items()
    }


def _long_file(out: Path, base: Path) -> Path:
    """A chorale's notes repeated ~200 times at 15360 ticks per quarter."""
    score = read_midi(base)
    span = score.end_beat
    tracks = []
    for t in score.tracks:
        copies = [t.notes.shift(k * span) for k in range(200)]
        tracks.append(Track(t.name, NoteArray.concat(copies), program=t.program))
    long_score = Score(tuple(tracks), bpm=score.bpm, ticks_per_quarter=15360)
    path = out / "long-chorale.mid"
    path.write_bytes(score_to_midi_bytes(long_score))
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="5 files, 3 repeats")
    parser.add_argument("--files", type=int, default=100, help="number of chorales")
    parser.add_argument("--cache", default="bench-output/chorales", help="export folder")
    args = parser.parse_args(argv)
    n, repeat = (5, 3) if args.quick else (args.files, 7)
    paths = export_bach_chorales(args.cache, limit=n)
    notes = statistics.median(read_midi(p).n_notes for p in paths)
    print(f"{len(paths)} Bach chorales (music21 corpus), median {notes:.0f} notes per file\n")
    medians = _per_file_medians(paths, repeat)
    rows = []
    for op in ("read", "write"):
        ours = medians[op]["storpheus.io"]
        for lib, t in medians[op].items():
            rows.append((op, lib, t * 1e3, t / ours))
    print_table(["op", "library", "median ms/file", "x storpheus.io time"], rows)
    print("(symusic (raw) is the bare parse storpheus.io builds on, without conversion to a Score)")

    long_path = _long_file(Path(args.cache), paths[0])
    print(f"\nlong file: {long_path.name}, {long_path.stat().st_size / 1e6:.1f} MB")
    long_rows: list[tuple[str, str]] = []
    for lib, fn in (
        ("storpheus.io", lambda: read_midi(long_path)),
        ("pretty_midi", lambda: pretty_midi.PrettyMIDI(str(long_path))),
        ("mido", lambda: mido.MidiFile(str(long_path))),
    ):
        try:
            long_rows.append((lib, f"{median_seconds(fn, 1) * 1e3:.1f} ms"))
        except Exception as exc:  # the point of this row: which libraries refuse the file
            long_rows.append((lib, f"fails: {type(exc).__name__}: {str(exc)[:60]}"))
    print_table(["library", "read long file"], long_rows)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
