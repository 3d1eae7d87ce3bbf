"""Criterion-level accuracy of the eligibility pre-screen on the hand-labelled (person, criterion) set.

    python benchmarks/eligibility_accuracy.py [--pairs tests/data/eligibility_pairs.jsonl] [--fresh FILE] [--errors]

Each pair is a TREC 2021 topic (the person, read from ../shared/data) and one real criterion item
from a study in ../shared/data, labelled by hand from a clinical reading of the criterion: ``met``,
``not_met`` or ``unknown``, with a short why. The labels were written before measuring and never from
the qrels. Topics whose number is divisible by 3 are held out: the rules were written and adjusted
only while looking at the other topics' pairs. Prints overall and held-out accuracy; never fails.

Because the held-out part of that file has been measured many times, a second, fresh held-out set
(``tests/data/eligibility_pairs_fresh.jsonl``: held-out topics only, other criteria, labelled and
committed before it was first evaluated) is reported on its own line. ``--errors`` lists mistakes on
development pairs only: held-out and fresh mistakes are never printed, so they cannot steer the rules.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks._common import REPO, SHARED

PAIRS = REPO / "tests" / "data" / "eligibility_pairs.jsonl"
FRESH = REPO / "tests" / "data" / "eligibility_pairs_fresh.jsonl"
TOPICS = SHARED / "trec-ct" / "trialgpt" / "dataset" / "trec_2021" / "queries.jsonl"


def held_out(topic: str) -> bool:
    """trec-202121 -> topic 21 -> held out (divisible by 3)."""
    return int(topic.removeprefix("trec-2021")) % 3 == 0


@dataclass(frozen=True)
class Outcome:
    pair: dict[str, str]
    predicted: str
    because: str

    @property
    def correct(self) -> bool:
        return self.predicted == self.pair["expected"]


@dataclass(frozen=True)
class Accuracy:
    outcomes: tuple[Outcome, ...]

    def of(self, *, held: bool | None = None) -> tuple[int, int]:
        chosen = [o for o in self.outcomes if held is None or held_out(o.pair["topic"]) == held]
        return sum(o.correct for o in chosen), len(chosen)


def load_pairs(path: Path = PAIRS) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def load_topics(path: Path = TOPICS) -> dict[str, str]:
    with path.open(encoding="utf-8") as handle:
        return {row["_id"]: row["text"] for row in map(json.loads, handle)}


def measure(pairs: list[dict[str, str]], topics: dict[str, str]) -> Accuracy:
    from ketnav.trials.eligibility import assess, build_profile, parse_criterion

    profiles = {topic: build_profile(topics[topic]) for topic in {p["topic"] for p in pairs}}
    outcomes = []
    for pair in pairs:
        kind: Literal["inclusion", "exclusion"] = "inclusion" if pair["kind"] == "inclusion" else "exclusion"
        result = assess(parse_criterion(pair["criterion"], kind), profiles[pair["topic"]])
        outcomes.append(Outcome(pair, result.status, result.because))
    return Accuracy(tuple(outcomes))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pairs", type=Path, default=PAIRS)
    parser.add_argument("--fresh", type=Path, default=FRESH, help="the fresh held-out set (all held-out topics)")
    parser.add_argument(
        "--errors", action="store_true", help="list the pairs the pre-screen gets wrong (development part only)"
    )
    args = parser.parse_args()
    pairs = load_pairs(args.pairs)
    topics = load_topics()
    accuracy = measure(pairs, topics)
    right, total = accuracy.of()
    print(f"pairs: {total} ({Counter(p['expected'] for p in pairs)})")
    print(f"eligibility accuracy overall={right / total:.3f} ({right}/{total})")
    for label, held in (("development", False), ("held-out", True)):
        r, n = accuracy.of(held=held)
        print(f"eligibility accuracy {label}={r / n:.3f} ({r}/{n})")
    confusion = Counter((o.pair["expected"], o.predicted) for o in accuracy.outcomes)
    print("expected -> predicted: " + ", ".join(f"{e}->{p} {n}" for (e, p), n in sorted(confusion.items())))
    if args.fresh.exists():
        fresh_pairs = load_pairs(args.fresh)
        fresh = measure(fresh_pairs, topics)
        r, n = fresh.of()
        print(f"fresh held-out accuracy={r / n:.3f} ({r}/{n})")
        fresh_confusion = Counter((o.pair["expected"], o.predicted) for o in fresh.outcomes)
        print(
            "fresh expected -> predicted: "
            + ", ".join(f"{e}->{p} {c}" for (e, p), c in sorted(fresh_confusion.items()))
        )
    if args.errors:
        for o in accuracy.outcomes:
            if not o.correct and not held_out(o.pair["topic"]):
                print(
                    f"{o.pair['topic']} {o.pair['kind'][:3]} expected {o.pair['expected']} got {o.predicted}: "
                    f"{o.pair['criterion'][:90]} | {o.because[:120]}"
                )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
