"""The 14 MusPy metrics: storpheus.scoring.metrics vs MusPy on the same files.

Material: Bach chorales exported from the music21 corpus to MIDI, plus
generated 8-bar multi-track candidates (the embedded backend when present,
else the seeded test backend) written to MIDI. Each file is read once by
each library (``muspy.read_midi`` and ``storpheus.io.read_midi``, not timed)
and every metric is computed on it at two resolutions in the same run: the
file's own (music21 writes 10080 ticks per quarter, where two of MusPy's
metrics are slow) and 480 ticks per quarter (both libraries are given the
same resolution), or only at ``--resolution``.

Per metric: the median over files of the per-file time for each library,
the ratio, and the largest absolute difference between the two results
(NaN == NaN). Also timed: all 14 metrics per file, one call at a time;
our ``compute_metrics`` (all 14 in one pass over shared columns); and
``metrics_frame`` over all the files at once (one vectorised batch, time per
file) — how the scorer computes them for many candidates.

    python benchmarks/bench_metrics.py              # 100 chorales + 50 generated
    python benchmarks/bench_metrics.py --quick      # 8 chorales + 4 generated
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import muspy

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _table import print_table

from storpheus.backends.base import GenerationRequest, MusicGeneratorBackend
from storpheus.datasets import export_bach_chorales
from storpheus.io import read_midi, write_midi
from storpheus.score import Score, Track
from storpheus.scoring import compute_metrics, metrics_frame
from storpheus.scoring import metrics as sm

ROLES = ("drums", "bass", "chords", "lead")


def _backend() -> MusicGeneratorBackend:
    try:
        from storpheus.backends.embedded import EmbeddedBackend

        return EmbeddedBackend()
    except ImportError:  # pragma: no cover - before the embedded backend exists
        from storpheus.backends.testing import SeededTestBackend

        return SeededTestBackend()


def generated_files(out: Path, count: int) -> list[Path]:
    """``count`` 8-bar, 4-role scores written to MIDI (cached by name)."""
    backend = _backend()
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for seed in range(count):
        path = out / f"{backend.name}-{seed:03d}.mid"
        if not path.exists():
            tracks = []
            for role in ROLES:
                request = GenerationRequest(role=role, bars=8, seed=seed, key="D minor")
                notes = backend.generate(request).candidates[0].notes
                tracks.append(Track(role, notes, is_drum=role == "drums", role=role))
            write_midi(Score(tuple(tracks), bpm=110, ticks_per_quarter=480), path)
        paths.append(path)
    return paths


def metric_calls(
    music: muspy.Music, score: Score, res: int | None
) -> dict[str, tuple[Callable[[], object], Callable[[], object]]]:
    """(MusPy call, storpheus call) per metric, with the same parameters."""
    r = music.resolution
    mr = 4 * r
    return {
        "pitch_range": (lambda: muspy.pitch_range(music), lambda: sm.pitch_range(score)),
        "n_pitches_used": (lambda: muspy.n_pitches_used(music), lambda: sm.n_pitches_used(score)),
        "n_pitch_classes_used": (
            lambda: muspy.n_pitch_classes_used(music),
            lambda: sm.n_pitch_classes_used(score),
        ),
        "polyphony": (lambda: muspy.polyphony(music), lambda: sm.polyphony(score, res)),
        "polyphony_rate": (
            lambda: muspy.polyphony_rate(music),
            lambda: sm.polyphony_rate(score, resolution=res),
        ),
        "pitch_in_scale_rate": (
            lambda: muspy.pitch_in_scale_rate(music, 2, "minor"),
            lambda: sm.pitch_in_scale_rate(score, 2, "minor"),
        ),
        "scale_consistency": (
            lambda: muspy.scale_consistency(music),
            lambda: sm.scale_consistency(score),
        ),
        "pitch_entropy": (lambda: muspy.pitch_entropy(music), lambda: sm.pitch_entropy(score)),
        "pitch_class_entropy": (
            lambda: muspy.pitch_class_entropy(music),
            lambda: sm.pitch_class_entropy(score),
        ),
        "empty_beat_rate": (
            lambda: muspy.empty_beat_rate(music),
            lambda: sm.empty_beat_rate(score, res),
        ),
        "empty_measure_rate": (
            lambda: muspy.empty_measure_rate(music, mr),
            lambda: sm.empty_measure_rate(score, mr, res),
        ),
        "groove_consistency": (
            lambda: muspy.groove_consistency(music, mr),
            lambda: sm.groove_consistency(score, mr, res),
        ),
        "drum_in_pattern_rate": (
            lambda: muspy.drum_in_pattern_rate(music, "duple"),
            lambda: sm.drum_in_pattern_rate(score, "duple", res),
        ),
        "drum_pattern_consistency": (
            lambda: muspy.drum_pattern_consistency(music),
            lambda: sm.drum_pattern_consistency(score, res),
        ),
    }


def timed(fn: Callable[[], object], budget: float) -> tuple[float, object]:
    """Median time of ``fn`` over up to 7 runs (fewer for slow calls), and its value."""
    start = time.perf_counter()
    value = fn()
    first = time.perf_counter() - start
    runs = [first]
    while len(runs) < 7 and sum(runs) < budget:
        start = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs), value


def diff(a: object, b: object) -> float:
    x, y = float(a), float(b)  # type: ignore[arg-type]
    if math.isnan(x) or math.isnan(y):
        return 0.0 if math.isnan(x) and math.isnan(y) else math.inf
    return abs(x - y)


def run(paths: list[Path], resolution: int | None, budget: float) -> dict[str, float]:
    """Print the per-metric table; return the summary (aggregate and per-metric ratios)."""
    names = list(metric_calls(muspy.Music(), Score(), None))
    times: dict[str, list[tuple[float, float]]] = {n: [] for n in names}
    worst = dict.fromkeys(names, 0.0)
    total_muspy, total_ours, total_batch = [], [], []
    scores = []
    for path in paths:
        music = muspy.read_midi(path)
        if resolution is not None:
            music.adjust_resolution(resolution)
        score = read_midi(path)
        scores.append(score)
        calls = metric_calls(music, score, resolution)
        file_muspy = file_ours = 0.0
        for name, (theirs, ours) in calls.items():
            t_muspy, v_muspy = timed(theirs, budget)
            t_ours, v_ours = timed(ours, budget)
            times[name].append((t_muspy, t_ours))
            worst[name] = max(worst[name], diff(v_muspy, v_ours))
            file_muspy += t_muspy
            file_ours += t_ours
        total_muspy.append(file_muspy)
        total_ours.append(file_ours)
        batched = timed(lambda s=score: compute_metrics(s, resolution=resolution), budget)
        total_batch.append(batched[0])
    rows = []
    for name in names:
        m = statistics.median(t for t, _ in times[name])
        o = statistics.median(t for _, t in times[name])
        rows.append([name, m * 1e6, o * 1e6, m / o, worst[name]])
    m, o, b = (statistics.median(x) for x in (total_muspy, total_ours, total_batch))
    rows.append(["ALL 14, one call each", m * 1e6, o * 1e6, m / o, max(worst.values())])
    rows.append(["ALL 14, compute_metrics", m * 1e6, b * 1e6, m / b, max(worst.values())])
    frame_time = timed(lambda: metrics_frame(scores, resolution=resolution), budget * 20)[0]
    f = frame_time / len(scores)
    rows.append(["ALL 14, metrics_frame (all files)", m * 1e6, f * 1e6, m / f, "-"])
    print_table(["metric", "muspy us", "storpheus us", "ratio", "max |diff|"], rows)
    ratios = sorted(float(row[3]) for row in rows[: len(names)])
    return {
        "all 14, one call each": m / o,
        "metrics_frame": m / f,
        "slowest metric": ratios[0],
        "median metric": statistics.median(ratios),
        "metrics slower than MusPy": float(sum(r < 1 for r in ratios)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small workload (smoke test)")
    parser.add_argument("--chorales", type=int, default=100)
    parser.add_argument("--generated", type=int, default=50)
    parser.add_argument("--resolution", type=int, default=None, help="ticks per quarter")
    parser.add_argument("--out", type=Path, default=Path("bench-output"))
    args = parser.parse_args()
    n_chorales, n_generated = (8, 4) if args.quick else (args.chorales, args.generated)
    budget = 0.002 if args.quick else 0.05
    chorales = export_bach_chorales(args.out / "chorales", limit=n_chorales)
    generated = generated_files(args.out / "generated", n_generated)
    resolutions = [args.resolution] if args.resolution else [None, 480]
    print(f"MusPy {muspy.__version__}; per-file medians\n")
    summary = []
    for resolution in resolutions:
        where = f"{resolution} ticks/quarter" if resolution else "the source resolution"
        for label, paths, source in (
            ("Bach chorales", chorales, "10080 ticks/quarter from music21"),
            ("Generated 8-bar, 4-track candidates", generated, "480 ticks/quarter"),
        ):
            print(f"\n{label} ({len(paths)} files, {source}), computed at {where}")
            result = run(paths, resolution, budget)
            summary.append([label, where, *result.values()])
    print("\nSummary (ratio = MusPy time / storpheus time; < 1 means MusPy is faster)\n")
    print_table(
        [
            "set",
            "resolution",
            "all 14, one call each",
            "metrics_frame",
            "slowest metric",
            "median metric",
            "metrics slower than MusPy",
        ],
        summary,
    )


if __name__ == "__main__":
    main()
