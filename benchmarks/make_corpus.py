"""Write N distinct, realistic API v2 studies by recombining fields of the real ones.

    python benchmarks/make_corpus.py 100000 /tmp/corpus.jsonl.gz [--seed 7]

Each generated study takes its modules (titles, status and dates, conditions with their MeSH terms,
arms and interventions, eligibility, sites, descriptions, design, sponsor, outcomes) from different
real records in ../shared/data/ctgov/ctgov_v2_studies.jsonl.gz, and gets a new NCT id in the
NCT9xxxxxxx range (not used by the registry), so a corpus has real-world shapes and sizes without
copying any one record. Output is JSON Lines, gzip-compressed when OUT ends in .gz.
"""

from __future__ import annotations

import argparse
import gzip
import os
import random
import sys
from pathlib import Path
from typing import Any

import orjson

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("KETNAV_SHARED_DATA", REPO.parent / "shared" / "data"))
SOURCE = SHARED / "ctgov" / "ctgov_v2_studies.jsonl.gz"
MODULES = ("statusModule", "conditionsModule", "armsInterventionsModule", "eligibilityModule",
           "contactsLocationsModule", "descriptionModule", "designModule", "sponsorCollaboratorsModule",
           "outcomesModule", "oversightModule")  # fmt: skip


def real_studies(path: Path = SOURCE) -> list[dict[str, Any]]:
    """The complete real records (the partial, field-filtered ones would make thin studies)."""
    out = []
    with gzip.open(path, "rb") as handle:
        for line in handle:
            study = orjson.loads(line)
            protocol = study.get("protocolSection", {})
            if all(m in protocol for m in ("statusModule", "designModule", "eligibilityModule")):
                out.append(study)
    return out


def generate(real: list[dict[str, Any]], n: int, *, seed: int = 7, start: int = 0) -> Any:
    rng = random.Random(seed)
    for i in range(start, start + n):
        ident = dict(rng.choice(real)["protocolSection"]["identificationModule"])
        ident["nctId"] = f"NCT{90_000_000 + i:08d}"
        protocol: dict[str, Any] = {"identificationModule": ident}
        derived: dict[str, Any] = {}
        for module in MODULES:
            donor = rng.choice(real)
            if module in donor["protocolSection"]:
                protocol[module] = donor["protocolSection"][module]
            # MeSH terms travel with the conditions and interventions they were derived from.
            browse = {
                "conditionsModule": "conditionBrowseModule",
                "armsInterventionsModule": "interventionBrowseModule",
            }.get(module)
            if browse and browse in donor.get("derivedSection", {}):
                derived[browse] = donor["derivedSection"][browse]
        yield {"protocolSection": protocol, "derivedSection": derived, "hasResults": rng.random() < 0.2}


def write(n: int, out: Path, *, seed: int = 7) -> int:
    real = real_studies()
    gz = out.name.endswith(".gz")
    with gzip.open(out, "wb", compresslevel=1) if gz else out.open("wb") as handle:
        for study in generate(real, n, seed=seed):
            handle.write(orjson.dumps(study))
            handle.write(b"\n")
    return n


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("n", type=int, help="number of studies (up to 9,999,999)")
    parser.add_argument("out", type=Path, help="output .jsonl or .jsonl.gz")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    if not 0 < args.n < 10_000_000:
        parser.error("n must be between 1 and 9,999,999")
    if not SOURCE.exists():
        print(f"make_corpus: the real records are not at {SOURCE}", file=sys.stderr)
        return 2
    write(args.n, args.out, seed=args.seed)
    print(f"wrote {args.n:,} studies to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
