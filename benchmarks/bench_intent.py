"""Intent classification accuracy on the labelled request set, with a confusion table.

Runs ``maestro_lab.intent.classify_intent`` over ``tests/data/intent_labelled.yaml``
and prints, per split (dev, holdout, probe) and overall: intent accuracy, finer
label accuracy, and the accuracy of a naive keyword baseline side by side;
then the 3x3 intent confusion table, every misclassified request, and the
median classification time. Goal: intent accuracy >= 95 %.

    python benchmarks/bench_intent.py            # full set
    python benchmarks/bench_intent.py --quick    # first 60 requests, fewer timing rounds
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import yaml

from maestro_lab.intent import Intent, classify_intent

DATA = Path(__file__).resolve().parents[1] / "tests" / "data" / "intent_labelled.yaml"
GOAL = 0.95
INTENTS = [i.value for i in Intent]


def baseline(text: str) -> str:
    """A naive keyword classifier, the peer the rules are compared with."""
    lowered = text.lower().strip()
    if not lowered or lowered.endswith("?"):
        return "REASONING"
    edit_words = ("tempo", "bpm", "mute", "solo", "volume", "pan", "reverb", "delete", "play")
    if any(w in lowered.split() for w in edit_words):
        return "EDITING"
    return "COMPOSING"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small workload for a smoke test")
    args = parser.parse_args(argv)
    items = yaml.safe_load(DATA.read_text())["items"]
    if args.quick:
        items = items[::4]  # every fourth request: all splits and intents, a quarter of the work
    results = [classify_intent(item["text"]) for item in items]

    splits = sorted({item["split"] for item in items}, key=["dev", "holdout", "probe"].index)
    print(f"Intent accuracy on {DATA.name} ({len(items)} requests)\n")
    print(f"{'split':<8} {'n':>4} {'rules':>8} {'labels':>8} {'baseline':>9}")
    print(f"{'-' * 8} {'-' * 4} {'-' * 8} {'-' * 8} {'-' * 9}")
    for split in [*splits, "all"]:
        chosen = [
            (item, result)
            for item, result in zip(items, results, strict=True)
            if split in ("all", item["split"])
        ]
        n = len(chosen)
        rules = sum(r.intent.value == i["intent"] for i, r in chosen) / n
        labels = sum(r.label == i["label"] for i, r in chosen) / n
        base = sum(baseline(i["text"]) == i["intent"] for i, _ in chosen) / n
        print(f"{split:<8} {n:>4} {rules:>8.1%} {labels:>8.1%} {base:>9.1%}")

    print("\nConfusion (rows: expected, columns: predicted)")
    print(f"{'':<10}" + "".join(f"{name:>11}" for name in INTENTS))
    for expected in INTENTS:
        row = [
            sum(
                1
                for item, result in zip(items, results, strict=True)
                if item["intent"] == expected and result.intent.value == predicted
            )
            for predicted in INTENTS
        ]
        print(f"{expected:<10}" + "".join(f"{count:>11}" for count in row))

    wrong = [
        (item, result)
        for item, result in zip(items, results, strict=True)
        if result.intent.value != item["intent"]
    ]
    print(f"\nMisclassified ({len(wrong)}):")
    for item, result in wrong:
        print(
            f"  [{item['split']}] {item['text']!r}: expected {item['intent']}, "
            f"got {result.intent.value} ({result.label}, rule {result.rule}, "
            f"confidence {result.confidence:.2f})"
        )

    rounds = 3 if args.quick else 20
    timings = []
    for _ in range(rounds):
        start = time.perf_counter()
        for item in items:
            classify_intent(item["text"])
        timings.append((time.perf_counter() - start) / len(items))
    base_timings = []
    for _ in range(rounds):
        start = time.perf_counter()
        for item in items:
            baseline(item["text"])
        base_timings.append((time.perf_counter() - start) / len(items))
    rules_us = statistics.median(timings) * 1e6
    base_us = statistics.median(base_timings) * 1e6
    print(f"\n{'classifier':<10} {'median µs/request':>18} {'ratio':>7}")
    print(f"{'-' * 10} {'-' * 18} {'-' * 7}")
    print(f"{'rules':<10} {rules_us:>18.1f} {rules_us / base_us:>7.1f}")
    print(f"{'baseline':<10} {base_us:>18.1f} {1.0:>7.1f}")

    accuracy = sum(
        r.intent.value == i["intent"] for i, r in zip(items, results, strict=True)
    ) / len(items)
    verdict = "PASS" if accuracy >= GOAL else "FAIL"
    print(f"\nIntent accuracy {accuracy:.1%} (goal >= {GOAL:.0%}): {verdict}")
    return 0 if accuracy >= GOAL else 1


if __name__ == "__main__":
    sys.exit(main())
