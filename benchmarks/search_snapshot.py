"""A snapshot of what search answers, to show that a change to the engine changed no result.

    python benchmarks/search_snapshot.py OUT.json [--db POSTGRESQL_URL | --into URL]

Loads the real records in ../shared/data/ctgov/ (API v2 and legacy XML) with `ketnav load` into a
scratch database (a temporary SQLite file; with --db, a scratch database made beside that PostgreSQL
URL and dropped afterwards; with --into, the database given, whose registry is deleted first), then
runs a fixed list of queries (text, phrases, prefixes, synonyms, NCT ids, every filter, places and
radii, every sort, pages, the any-word fallback, patient descriptions, errors) through the engine the
pages, the API and the CLI use, each twice (the second answer may come from the term cache, and must
equal the first). Writes, per query, the JSON the API returns (total, mode, notes, facets and the page of
results with their scores, nearest sites, snippets and reasons), one query per line, and prints a digest.

Compare two snapshots (say main's code and a branch's, run with PYTHONPATH pointing at each) with
`cmp` or `diff`: the figures are identical or the change is visible to a user. Not a timing script.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks._common import SHARED, ketnav, scratch_database, setup_django

FILES = ("ctgov_v2_studies.jsonl.gz", "ctgov_legacy_xml.jsonl.gz")
ANY = {"status": ["any"]}

# (label, text, filters as build_filters takes them, options: sort, page, page_size, match)
CASES: list[tuple[str, str, dict[str, Any], dict[str, Any]]] = [
    ("word", "ketamine", ANY, {}),
    ("word, open only (default)", "ketamine", {}, {}),
    ("word, concepts widen", "anxiety", ANY, {}),
    ("word, page 2", "depression", ANY, {"page": 2}),
    ("two words", "chronic pain", {}, {}),
    ("joined into a synonym phrase", "post traumatic stress disorder", ANY, {}),
    ("acronym synonym", "ptsd", ANY, {}),
    ("quoted phrase", '"major depressive disorder" adolescents', ANY, {}),
    ("prefix", "depress*", ANY, {}),
    ("short prefix taken as a word", "de*", ANY, {}),
    ("brand name", "Ketalar", ANY, {}),
    ("synonym and word", "esketamine depression", ANY, {}),
    ("falls back to any word", "ketamine fracture propofol migraine headache magnesium", ANY, {}),
    ("unknown word", "migraine zzzunknownword", ANY, {}),
    ("two concepts", "ketamine anxiety", {}, {}),
    ("two concepts, any status", "ketamine pain", ANY, {}),
    ("excluded word", "ketamine -placebo", ANY, {}),
    ("hostile input", 'NEAR( "unbalanced * -- OR AND ) \x00', ANY, {}),
    ("one NCT id", "NCT04179266", ANY, {}),
    ("two NCT ids", "NCT04179266 NCT04814381", ANY, {}),
    ("browse, open (newest first)", "", {}, {}),
    ("browse by start date", "", ANY, {"sort": "start_date"}),
    ("browse, last page", "", ANY, {"page": 40}),
    (
        "phase, age, sex, intervention",
        "pain",
        ANY | {"phase": ["PHASE3"], "age": 70, "sex": "F", "intervention_type": ["DRUG"]},
        {},
    ),
    ("older man, phase 2", "cancer", {"age": 70, "sex": "M", "phase": ["PHASE2"]}, {}),
    ("country and start date", "", ANY | {"country": "Denmark", "start_from": "2015-01-01"}, {}),
    ("with results", "", ANY | {"has_results": True}, {}),
    (
        "healthy volunteers, interventional",
        "",
        ANY | {"healthy_volunteers": True, "study_type": ["INTERVENTIONAL"]},
        {},
    ),
    (
        "behavioural or device, with results",
        "",
        ANY | {"has_results": True, "intervention_type": ["BEHAVIORAL", "DEVICE"]},
        {},
    ),
    ("child's age", "asthma", ANY | {"age": 8}, {}),
    ("statuses", "depression", {"status": ["COMPLETED", "TERMINATED"]}, {}),
    ("start-date window", "opioid use disorder", ANY | {"start_from": "2018-01-01", "start_to": "2022-12-31"}, {}),
    ("near a city, by distance", "", ANY | {"near": "Boston, MA", "radius_km": 40}, {"sort": "distance"}),
    ("near coordinates, text", "pain", {"near": "40.71,-74.01", "radius_km": 100}, {}),
    ("near coordinates across a border", "", ANY | {"near": "55.6761,12.5683", "radius_km": 30}, {}),
    ("near, text, by distance", "depression", ANY | {"near": "48.86,2.35", "radius_km": 100}, {"sort": "distance"}),
    ("near, wide radius, relevance", "ptsd", ANY | {"near": "Boston, MA", "radius_km": 500}, {}),
    ("state", "anxiety", ANY | {"state": "California"}, {}),
    ("city", "", ANY | {"city": "Boston"}, {}),
    ("sorted by last update", "depression", ANY, {"sort": "last_updated"}),
    ("sorted by start date, page 2", "insomnia", ANY, {"sort": "start_date", "page": 2}),
    ("page 3", "breast cancer", ANY, {"page": 3}),
    ("three words", "type 2 diabetes", ANY, {}),
    ("words across fields", "children asthma inhaled", ANY, {}),
    ("large page", "pain", ANY, {"page_size": 100}),
    ("any word (long description)", "ketamine", ANY, {"match": "any"}),
    (
        "patient description",
        "45 year old man with chronic cluster headache and glaucoma, takes verapamil, no heart disease",
        ANY,
        {"match": "any"},
    ),
    ("error: distance without a place", "pain", {}, {"sort": "distance"}),
    ("error: unknown place", "", {"near": "Bostn, MA"}, {}),
]


def run_case(text: str, raw_filters: dict[str, Any], options: dict[str, Any]) -> dict[str, Any]:
    from ketnav.errors import KetnavError
    from ketnav.trials.search.engine import SearchRequest, search
    from ketnav.trials.search.filters import build_filters
    from ketnav.trials.search.serialize import results_dict

    try:
        request = SearchRequest(text=text, filters=build_filters(**raw_filters), **options)
        return results_dict(search(request))
    except KetnavError as exc:
        return {"error": f"{type(exc).__name__}: {exc}"}


def snapshot() -> list[dict[str, Any]]:
    out = []
    for label, text, raw_filters, options in CASES:
        first = run_case(text, raw_filters, options)
        again = run_case(text, raw_filters, options)
        if again != first:
            raise SystemExit(f"{label!r}: a second run gave a different answer")
        out.append({"case": label, "text": text, "filters": raw_filters, "options": options, "answer": first})
    return out


def load(db_url: str, *, empty_first: bool) -> None:
    if empty_first:
        ketnav(db_url, "migrate")
        setup_django(db_url)
        from django.db import connection

        from ketnav.trials.models import LoadRun, Place, Study, Synonym

        Study.objects.all().delete()
        Place.objects.all().delete()
        Synonym.objects.all().delete()
        LoadRun.objects.all().delete()
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM trials_fts" if connection.vendor == "sqlite" else "DELETE FROM trials_search")
        connection.close()
    ketnav(db_url, "load", *(str(SHARED / "ctgov" / name) for name in FILES))
    setup_django(db_url)


def registry_size() -> tuple[str, int]:
    from django.db import connection

    from ketnav.trials.models import Study

    return connection.vendor, Study.objects.count()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", type=Path, help="where to write the snapshot (JSON Lines)")
    parser.add_argument("--db", default="", help="PostgreSQL URL: a scratch database is made beside it")
    parser.add_argument("--into", default="", metavar="URL", help="load into this database (its registry is deleted)")
    args = parser.parse_args()
    if args.into:
        os.environ.setdefault("KETNAV_DATA_DIR", str(args.out.resolve().parent))
        load(args.into, empty_first=True)
        cases = snapshot()
        vendor, studies = registry_size()
    else:
        with scratch_database(args.db) as db_url:
            load(db_url, empty_first=False)
            cases = snapshot()
            vendor, studies = registry_size()  # before the scratch database is dropped
    lines = [json.dumps(case, ensure_ascii=False, sort_keys=True) for case in cases]
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    digest = hashlib.sha256("\n".join(lines).encode()).hexdigest()[:16]
    totals = sum(case["answer"].get("total", 0) for case in cases)
    print(f"database: {vendor}, studies: {studies:,}")
    print(f"cases: {len(cases)}, summed totals: {totals:,}, sha256: {digest} -> {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
