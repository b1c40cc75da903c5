"""Full score cards per second on one core, for 8-bar candidates of ~100 notes.

A full card is the total, the 7 constraint-fit dimensions and the 14 MusPy
metrics of one candidate. Candidates: 8-bar parts from the seeded test
backend (~12 notes per bar) and, when present, from the embedded backend.
Side by side:

* ``Scorer.score`` on batches of 16 (a typical ``num_candidates``), 256 and
  2048 candidates (vectorised over the batch);
* the same scorer called one candidate at a time;
* MusPy computing its 14 metrics per candidate (``muspy.Music`` objects built
  beforehand, not timed) — metrics only, no dimensions.

BLAS and OpenMP are pinned to one thread so the figures are per core.

    python benchmarks/bench_scoring.py            # 4096 candidates
    python benchmarks/bench_scoring.py --quick    # 256 candidates
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402 - the thread pins must precede numpy's import
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _table import print_table  # noqa: E402

from storpheus.backends.base import GenerationRequest, MusicGeneratorBackend  # noqa: E402
from storpheus.backends.testing import SeededTestBackend  # noqa: E402
from storpheus.notes import NoteArray  # noqa: E402
from storpheus.scoring import Scorer, ScoringParams  # noqa: E402

PARAMS = ScoringParams(
    bars=8,
    target_key="A minor",
    expected_channels=1,
    target_density=3.0,
    register_center=64,
    register_spread=12,
    velocity_floor=60,
    velocity_ceiling=110,
    target_velocity=85.0,
    target_diversity=0.6,
    target_coverage=0.8,
    target_silence=0.6,
)


def candidates(backend: MusicGeneratorBackend, role: str, count: int) -> list[NoteArray]:
    out: list[NoteArray] = []
    seed = 0
    while len(out) < count:
        n = min(256, count - len(out))
        request = GenerationRequest(
            role=role, bars=8, seed=seed, key="A minor", num_candidates=n, style="pop"
        )
        out.extend(c.notes for c in backend.generate(request).candidates)
        seed += 1
    return out


def rate(fn, n: int, repeat: int) -> float:
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - start)
    return n / statistics.median(runs)


def muspy_rate(notes: list[NoteArray], repeat: int) -> float:
    import muspy

    res = 480
    musics = []
    for arr in notes:
        ticks = np.rint(arr.start_beat * res).astype(int).tolist()
        ends = np.rint(arr.end_beat * res).astype(int).tolist()
        track = muspy.Track(
            notes=[
                muspy.Note(time=t, pitch=int(p), duration=e - t, velocity=int(v))
                for t, e, p, v in zip(ticks, ends, arr.pitch, arr.velocity, strict=True)
            ]
        )
        musics.append(muspy.Music(resolution=res, tracks=[track]))

    def all_metrics() -> None:
        for m in musics:
            muspy.pitch_range(m)
            muspy.n_pitches_used(m)
            muspy.n_pitch_classes_used(m)
            muspy.polyphony(m)
            muspy.polyphony_rate(m)
            muspy.pitch_in_scale_rate(m, 9, "minor")
            muspy.scale_consistency(m)
            muspy.pitch_entropy(m)
            muspy.pitch_class_entropy(m)
            muspy.empty_beat_rate(m)
            muspy.empty_measure_rate(m, 4 * res)
            muspy.groove_consistency(m, 4 * res)
            muspy.drum_in_pattern_rate(m, "duple")
            muspy.drum_pattern_consistency(m)

    return rate(all_metrics, len(musics), repeat)


def run(label: str, notes: list[NoteArray], repeat: int) -> list[list[object]]:
    full, light = Scorer(), Scorer(include_metrics=False)
    rows: list[list[object]] = []
    mean_notes = float(np.mean([len(n) for n in notes]))
    for size in (16, 256, 2048):
        if size > len(notes):
            continue
        chunks = [notes[i : i + size] for i in range(0, len(notes) - size + 1, size)]
        n = sum(len(c) for c in chunks)
        full_rate = rate(lambda ch=chunks: [full.score(c, PARAMS) for c in ch], n, repeat)
        light_rate = rate(lambda ch=chunks: [light.score(c, PARAMS) for c in ch], n, repeat)
        rows.append([label, mean_notes, f"Scorer, batches of {size}", full_rate, light_rate])
    few = notes[:256]
    one = rate(lambda: [full.score([c], PARAMS) for c in few], len(few), repeat)
    rows.append([label, mean_notes, "Scorer, one at a time", one, "-"])
    few = notes[:64]
    rows.append([label, mean_notes, "MusPy 14 metrics, one at a time", muspy_rate(few, 1), "-"])
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small workload (smoke test)")
    parser.add_argument("--count", type=int, default=4096)
    args = parser.parse_args()
    count, repeat = (256, 1) if args.quick else (args.count, 5)
    rows = run("testing", candidates(SeededTestBackend(), "melody", count), repeat)
    try:
        from storpheus.backends.embedded import EmbeddedBackend
    except ImportError:  # pragma: no cover - before the embedded backend exists
        EmbeddedBackend = None  # noqa: N806
    if EmbeddedBackend is not None:
        rows += run("embedded lead", candidates(EmbeddedBackend(), "lead", count), repeat)
    print("8-bar candidates; cards per second on one core (goal: >= 20,000 full cards/s)\n")
    print_table(
        ["backend", "notes/cand", "how", "full cards/s", "no-metric cards/s"],
        rows,
    )


if __name__ == "__main__":
    main()
