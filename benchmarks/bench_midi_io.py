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
from _table import median_seconds, print_table

from storpheus.datasets import export_bach_chorales
from storpheus.io import read_midi, score_to_midi_bytes
from storpheus.notes import NoteArray
from storpheus.score import Score, Track


def _time_one_file(path: Path, repeat: int) -> dict[tuple[str, str], float]:
    """Median seconds of each (operation, library) on one file."""
    score = read_midi(path)
    pm = pretty_midi.PrettyMIDI(str(path))
    mf = mido.MidiFile(str(path))
    name = str(path)
    calls = {
        ("read", "storpheus.io"): lambda: read_midi(path),
        ("read", "symusic (raw)"): lambda: symusic.Score(name),
        ("read", "pretty_midi"): lambda: pretty_midi.PrettyMIDI(name),
        ("read", "mido"): lambda: mido.MidiFile(name),
        ("write", "storpheus.io"): lambda: score_to_midi_bytes(score),
        ("write", "pretty_midi"): lambda: pm.write(io.BytesIO()),
        ("write", "mido"): lambda: mf.save(file=io.BytesIO()),
    }
    return {key: median_seconds(fn, repeat) for key, fn in calls.items()}


def _per_file_medians(paths: list[Path], repeat: int) -> dict[str, dict[str, float]]:
    per_file = [_time_one_file(path, repeat) for path in paths]
    out: dict[str, dict[str, float]] = {}
    for op, lib in per_file[0]:
        out.setdefault(op, {})[lib] = statistics.median(f[(op, lib)] for f in per_file)
    return out


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
