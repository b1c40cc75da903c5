"""Set-level evaluation: storpheus.evaluation vs a straightforward reference, and what it shows.

Side by side on real music (music21's corpus, cached in a DuckDB file with
its provenance): ``storpheus.evaluation.compare_sets`` (vectorised over the
columnar notes) against the loop-and-scipy reference implementation the
tests check it with (``tests/storpheus/evaluation_reference.py``: a Python
loop per note and per pair, ``scipy.stats.gaussian_kde``,
``scipy.integrate.trapezoid``, ``scipy.stats.entropy``), on N Bach chorales
vs N Essen folk songs, every feature, one run each. The two must agree to
1e-9 (the largest difference is printed).

Then what the evaluation says about generated music: a lo-fi composition's
candidates (4 roles, 16 candidates, acceptance threshold 0.9 so some are
rejected) against the Bach chorales, against each other (accepted vs
rejected), and the chorales split in two as a baseline. Mean overlapping
area (1 = the sets are alike) and KL divergence over the features.

BLAS and OpenMP are pinned to one thread so the figures are per core.

    python benchmarks/bench_evaluation.py            # 100 vs 100 pieces
    python benchmarks/bench_evaluation.py --quick    # 20 vs 20
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402 - the thread pins must precede numpy's import
import math  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(ROOT))
from _table import print_table  # noqa: E402

import maestro_lab  # noqa: E402
from maestro_lab import analysis  # noqa: E402
from storpheus.evaluation import FEATURE_NAMES, compare_sets  # noqa: E402
from tests.storpheus import evaluation_reference as reference  # noqa: E402

PROMPT = """MAESTRO PROMPT
Mode: compose
Style: lofi
Key: Am
Role: [drums, bass, chords, melody]
Constraints: {sections: {verse: 8, chorus: 8}, candidates: 16}
"""
STATS = ("overlap_a", "kl_a", "overlap_b", "kl_b", "overlap_intra", "kl_intra")


def largest_difference(
    fast: dict[str, dict[str, float]], slow: dict[str, dict[str, float]]
) -> float:
    worst = 0.0
    for name in FEATURE_NAMES:
        for stat in STATS:
            a, b = fast[name][stat], slow[name][stat]
            if (math.isnan(a) and math.isnan(b)) or a == b:
                continue
            worst = max(worst, abs(a - b) / max(1.0, abs(b)))
    return worst


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="20 vs 20 pieces")
    parser.add_argument("--pieces", type=int, default=None, help="pieces per set")
    parser.add_argument(
        "--cache",
        default=str(ROOT / "bench-output" / "evaluation.duckdb"),
        help="DuckDB file caching the reference corpora (default: %(default)s)",
    )
    args = parser.parse_args()
    n = args.pieces or (20 if args.quick else 100)
    Path(args.cache).parent.mkdir(parents=True, exist_ok=True)

    began = time.perf_counter()
    bach = analysis.reference_set("bach-chorales", limit=n, db=args.cache)
    folk = analysis.reference_set("essen-folksongs", limit=n, db=args.cache)
    loaded = time.perf_counter() - began
    print(
        f"{len(bach)} Bach chorales and {len(folk)} Essen folk songs in {loaded:.2f} s "
        f"(music21 {bach.provenance.get('package_version')}, cache {args.cache})"
    )

    start = time.perf_counter()
    fast = compare_sets(bach.scores, folk.scores, labels=("bach", "essen"))
    fast_table = fast.summary()
    fast_s = time.perf_counter() - start
    start = time.perf_counter()
    slow = reference.compare(bach.scores, folk.scores)
    slow_s = time.perf_counter() - start
    fast_rows = {name: {s: float(fast_table.loc[name, s]) for s in STATS} for name in FEATURE_NAMES}
    worst = largest_difference(fast_rows, slow)
    print(f"\n{n} vs {n} pieces, {len(FEATURE_NAMES)} features, 1000-point grid")
    print_table(
        ["implementation", "seconds", "speed-up"],
        [
            ["storpheus.evaluation.compare_sets", fast_s, slow_s / fast_s],
            ["reference (loops + scipy)", slow_s, 1.0],
        ],
    )
    print(f"largest relative difference of overlap/KL: {worst:.2e} (must be <= 1e-9)")
    if worst > 1e-9:
        raise SystemExit("the implementations disagree")

    print("\nbach vs essen, per feature (overlap/KL of each set's intra-set vs the inter-set)")
    print_table(
        ["feature", "intra bach", "intra essen", "inter", "OA bach", "KL bach", "OA essen"],
        [
            [
                name,
                float(fast_table.loc[name, "intra_a_mean"]),
                float(fast_table.loc[name, "intra_b_mean"]),
                float(fast_table.loc[name, "inter_mean"]),
                float(fast_table.loc[name, "overlap_a"]),
                float(fast_table.loc[name, "kl_a"]),
                float(fast_table.loc[name, "overlap_b"]),
            ]
            for name in FEATURE_NAMES
        ],
    )

    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "lofi.duckdb"
        options = maestro_lab.AgentOptions(threshold=0.9)
        result = maestro_lab.compose(PROMPT, seed=7, db=db, out=None, options=options)
        sets = analysis.candidate_sets(db, result.run_id)
        half = len(bach) // 2
        comparisons = [
            (
                "lo-fi candidates vs Bach chorales",
                compare_sets(sets["all"], bach.scores, labels=("lofi", "bach")),
            ),
            (
                "accepted vs rejected lo-fi candidates",
                compare_sets(sets["accepted"], sets["rejected"], labels=("acc", "rej")),
            ),
            (
                "Bach chorales, first half vs second half",
                compare_sets(bach.scores[:half], bach.scores[half:], labels=("b1", "b2")),
            ),
        ]
        print(
            f"\nlo-fi run: {len(sets['all'])} pitched candidates, {len(sets['accepted'])} "
            f"accepted, {len(sets['rejected'])} rejected (threshold 0.9)"
        )
        rows = []
        for label, comparison in comparisons:
            summary = analysis.mean_distance(comparison)
            table = comparison.summary()
            inter = float(table["inter_mean"].mean())
            intra = float(table["intra_a_mean"].mean())
            rows.append([label, summary["overlap_a"], summary["kl_a"], inter / intra])
        print_table(["sets", "mean OA", "mean KL", "inter/intra distance"], rows)


if __name__ == "__main__":
    main()
