"""Key finding: storpheus.theory.estimate_key vs music21's analyze("key"), side by side.

Material: Bach chorales exported from the music21 corpus to MIDI. Each file
is parsed once by each library (``music21.converter.parse`` and
``storpheus.io.read_midi``, not timed); then each library names the key.
Agreement counts the same tonic pitch class and mode. music21's "key" is
the Krumhansl-Schmuckler method with Aarden-Essen weights (our default
profile); the Krumhansl-Kessler rows compare like with like against
music21's "key.krumhansl".

    python benchmarks/bench_key.py            # 100 chorales
    python benchmarks/bench_key.py --quick    # 10 chorales
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _table import median_seconds, print_table

from storpheus.datasets import export_bach_chorales
from storpheus.io import read_midi
from storpheus.theory import estimate_key

CASES = (
    # (label, music21 method, storpheus profile)
    ("key (Aarden-Essen)", "key", "aarden"),
    ("key.krumhansl (Krumhansl-Kessler)", "key.krumhansl", "krumhansl"),
    ("key vs our Krumhansl-Kessler", "key", "krumhansl"),
)


def once(fn: Callable[[], object]) -> tuple[float, object]:
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small workload (smoke test)")
    parser.add_argument("--chorales", type=int, default=100)
    parser.add_argument("--out", type=Path, default=Path("bench-output"))
    args = parser.parse_args()
    from music21 import converter

    count = 10 if args.quick else args.chorales
    paths = export_bach_chorales(args.out / "chorales", limit=count)
    pieces = [(converter.parse(str(p)), read_midi(p)) for p in paths]
    rows = []
    for label, method, profile in CASES:
        agree, t21, ours = 0, [], []
        for stream, score in pieces:
            seconds, theirs = once(lambda s=stream, m=method: s.analyze(m))
            t21.append(min(seconds, once(lambda s=stream, m=method: s.analyze(m))[0]))
            key = estimate_key(score, profile=profile)
            ours.append(
                median_seconds(lambda s=score, p=profile: estimate_key(s, profile=p), 5, 20)
            )
            agree += key.tonic == theirs.tonic.pitchClass and key.mode == theirs.mode
        m21, mine = statistics.median(t21), statistics.median(ours)
        rows.append([label, f"{100 * agree / len(paths):.1f} %", m21 * 1e3, mine * 1e6, m21 / mine])
    print(f"{len(paths)} Bach chorales; per-file medians\n")
    print_table(
        ["music21 method vs estimate_key profile", "agreement", "music21 ms", "ours us", "ratio"],
        rows,
    )


if __name__ == "__main__":
    main()
