"""Key finding: storpheus.theory.estimate_key vs music21's analyze("key"), side by side.

Material: Bach chorales, and a 30-piece non-Bach set (string quartets by
Mozart, Beethoven and Haydn, madrigals, masses, a song, an aria, a sonata
movement; ``storpheus.datasets.NON_BACH_SET``), exported from the music21
corpus to MIDI. Each file is parsed once by each library (``music21.converter.parse`` and
``storpheus.io.read_midi``, not timed); then each library names the key.
Agreement counts the same tonic pitch class and mode. music21's "key" is
the Krumhansl-Schmuckler method with Aarden-Essen weights (our default
profile); the Krumhansl-Kessler rows compare like with like against
music21's "key.krumhansl".

    python benchmarks/bench_key.py            # 100 chorales + the 30 non-Bach pieces
    python benchmarks/bench_key.py --quick    # 10 chorales + 6 committed test pieces

The non-Bach rows also show the agreement when our key finder reads the
notes as pretty_midi pairs them: with correct note pairing in
``storpheus.io`` the two agree.
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

from storpheus.datasets import export_bach_chorales, export_corpus_pieces
from storpheus.io import from_pretty_midi, read_midi
from storpheus.score import Score
from storpheus.theory import estimate_key

ROOT = Path(__file__).resolve().parents[1]

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


def compare(pieces: list[tuple[object, Score]], label: str) -> list[list[object]]:
    """One table row per case: agreement with music21 and per-file medians."""
    rows: list[list[object]] = []
    for case, method, profile in CASES:
        agree, t21, ours = 0, [], []
        for stream, score in pieces:
            seconds, theirs = once(lambda s=stream, m=method: s.analyze(m))  # type: ignore[attr-defined]
            t21.append(min(seconds, once(lambda s=stream, m=method: s.analyze(m))[0]))  # type: ignore[attr-defined]
            key = estimate_key(score, profile=profile)
            ours.append(
                median_seconds(lambda s=score, p=profile: estimate_key(s, profile=p), 5, 20)
            )
            agree += key.tonic == theirs.tonic.pitchClass and key.mode == theirs.mode  # type: ignore[attr-defined]
        m21, mine = statistics.median(t21), statistics.median(ours)
        rows.append(
            [label, case, f"{100 * agree / len(pieces):.1f} %", m21 * 1e3, mine * 1e6, m21 / mine]
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small workload (smoke test)")
    parser.add_argument("--chorales", type=int, default=100)
    parser.add_argument("--out", type=Path, default=Path("bench-output"))
    args = parser.parse_args()
    import pretty_midi
    from music21 import converter

    count = 10 if args.quick else args.chorales
    chorales = export_bach_chorales(args.out / "chorales", limit=count)
    if args.quick:
        others = sorted(
            p
            for p in (ROOT / "tests" / "data" / "corpus").glob("*.mid")
            if not p.name.startswith(("bach", "folk"))
        )[::4]
    else:
        others = export_corpus_pieces(args.out / "corpus")
    pretty_midi.pretty_midi.MAX_TICK = 10**9  # music21 writes long movements past its cap
    rows = compare([(converter.parse(str(p)), read_midi(p)) for p in chorales], "Bach chorales")
    rows += compare([(converter.parse(str(p)), read_midi(p)) for p in others], "non-Bach")
    rows += compare(
        [
            (converter.parse(str(p)), from_pretty_midi(pretty_midi.PrettyMIDI(str(p))))
            for p in others
        ],
        "non-Bach, notes read by pretty_midi",
    )
    print(f"{len(chorales)} Bach chorales, {len(others)} non-Bach pieces; per-file medians\n")
    print_table(
        [
            "set",
            "music21 method vs estimate_key profile",
            "agreement",
            "music21 ms",
            "ours us",
            "ratio",
        ],
        rows,
    )


if __name__ == "__main__":
    main()
