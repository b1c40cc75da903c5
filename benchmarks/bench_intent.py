"""Intent classification accuracy on the labelled request set, next to a keyword baseline.

Runs ``maestro_lab.intent.classify_intent`` over ``tests/data/intent_labelled.yaml``
(whose header states who wrote it, when, and how the held-out split was made)
and prints:

- per split (dev, holdout, probe) and per intent: the number of requests, the
  rules' intent accuracy, their finer-label accuracy, and the accuracy of a
  naive keyword baseline side by side;
- per finer label on the held-out split: intent and label accuracy;
- the 3x3 intent confusion table of the held-out split, every misclassified
  request of the splits shown, and the median classification time.

Goal: held-out intent accuracy >= 95 % for every intent (exit code 1 otherwise).

    python benchmarks/bench_intent.py                # full set
    python benchmarks/bench_intent.py --quick        # every fourth request, fewer timing rounds
    python benchmarks/bench_intent.py --errors dev   # list only the dev split's mistakes
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import yaml

from maestro_lab.intent import LABELS, Intent, IntentResult, classify_intent

DATA = Path(__file__).resolve().parents[1] / "tests" / "data" / "intent_labelled.yaml"
GOAL = 0.95
INTENTS = [i.value for i in Intent]
SPLITS = ["dev", "holdout", "probe"]

Pair = tuple[dict[str, str], IntentResult]


def baseline(text: str) -> str:
    """A naive keyword classifier, the peer the rules are compared with."""
    lowered = text.lower().strip()
    if not lowered or lowered.endswith("?"):
        return "REASONING"
    edit_words = ("tempo", "bpm", "mute", "solo", "volume", "pan", "reverb", "delete", "play")
    if any(w in lowered.split() for w in edit_words):
        return "EDITING"
    return "COMPOSING"


def _rates(pairs: list[Pair]) -> tuple[int, float, float, float]:
    n = len(pairs)
    if n == 0:
        return 0, float("nan"), float("nan"), float("nan")
    rules = sum(r.intent.value == i["intent"] for i, r in pairs) / n
    labels = sum(r.label == i["label"] for i, r in pairs) / n
    base = sum(baseline(i["text"]) == i["intent"] for i, _ in pairs) / n
    return n, rules, labels, base


def main(argv: list[str] | None = None) -> int:
    """Print the accuracy tables; 0 when every intent meets the held-out goal."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small workload for a smoke test")
    parser.add_argument(
        "--errors",
        choices=[*SPLITS, "all", "none"],
        default="all",
        help="which split's misclassified requests to list (default: all)",
    )
    args = parser.parse_args(argv)
    items: list[dict[str, str]] = yaml.safe_load(DATA.read_text())["items"]
    if args.quick:
        items = items[::4]  # every fourth request: all splits and intents, a quarter of the work
    results = [classify_intent(item["text"]) for item in items]
    pairs: list[Pair] = list(zip(items, results, strict=True))
    present = [s for s in SPLITS if any(i["split"] == s for i in items)]

    print(f"Intent accuracy on {DATA.name} ({len(items)} requests)\n")
    print(f"{'split':<8} {'intent':<10} {'n':>5} {'rules':>8} {'labels':>8} {'baseline':>9}")
    print(f"{'-' * 8} {'-' * 10} {'-' * 5} {'-' * 8} {'-' * 8} {'-' * 9}")
    for split in [*present, "all"]:
        for intent in [*INTENTS, "all"]:
            chosen = [
                (i, r)
                for i, r in pairs
                if split in ("all", i["split"]) and intent in ("all", i["intent"])
            ]
            n, rules, labels, base = _rates(chosen)
            print(f"{split:<8} {intent:<10} {n:>5} {rules:>8.1%} {labels:>8.1%} {base:>9.1%}")

    held = [(i, r) for i, r in pairs if i["split"] == "holdout"]
    print("\nHeld-out split per finer label")
    print(f"{'label':<20} {'n':>5} {'intent':>8} {'label':>8}")
    print(f"{'-' * 20} {'-' * 5} {'-' * 8} {'-' * 8}")
    for label in LABELS:
        chosen = [(i, r) for i, r in held if i["label"] == label]
        if chosen:
            n, rules, labels, _ = _rates(chosen)
            print(f"{label:<20} {n:>5} {rules:>8.1%} {labels:>8.1%}")

    print("\nHeld-out confusion (rows: expected, columns: predicted)")
    print(f"{'':<10}" + "".join(f"{name:>11}" for name in INTENTS))
    for expected in INTENTS:
        row = [
            sum(1 for i, r in held if i["intent"] == expected and r.intent.value == predicted)
            for predicted in INTENTS
        ]
        print(f"{expected:<10}" + "".join(f"{count:>11}" for count in row))

    if args.errors != "none":
        wrong = [
            (i, r)
            for i, r in pairs
            if args.errors in ("all", i["split"])
            and (r.intent.value != i["intent"] or r.label != i["label"])
        ]
        print(f"\nMisclassified in {args.errors} ({len(wrong)}; * = wrong intent):")
        for item, result in wrong:
            star = "*" if result.intent.value != item["intent"] else " "
            print(
                f" {star}[{item['split']}] {item['text']!r}: expected {item['label']}, "
                f"got {result.label} (rule {result.rule}, confidence {result.confidence:.2f})"
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

    worst = min(
        (_rates([(i, r) for i, r in held if i["intent"] == intent])[1], intent)
        for intent in INTENTS
    )
    verdict = "PASS" if worst[0] >= GOAL else "FAIL"
    print(
        f"\nLowest held-out intent accuracy: {worst[1]} {worst[0]:.1%} "
        f"(goal >= {GOAL:.0%} for every intent): {verdict}"
    )
    return 0 if worst[0] >= GOAL else 1


if __name__ == "__main__":
    sys.exit(main())
