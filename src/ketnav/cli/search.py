"""``ketnav search QUERY``: search the local registry."""

from __future__ import annotations

import argparse
import json

QUERY_HELP = """\
Every word or "quoted phrase" must match (with its synonyms and MeSH terms); studies matching only some
are not listed but counted apart ("other studies mention ..."). Structured terms look in one part of the
record: intervention:WORD (interventions' names, other names, MeSH terms) and condition:WORD
(conditions and their MeSH terms); WORD may be a "quoted phrase", and alternatives are joined by
commas. The guide's live counts are such queries, e.g.:
  ketnav search 'intervention:ketamine,esketamine,arketamine condition:ptsd'"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.epilog = QUERY_HELP
    parser.add_argument(
        "query", nargs="*", help='words, "quoted phrases", prefix*, NCT ids, intervention:WORD, condition:WORD'
    )
    parser.add_argument(
        "--status",
        nargs="+",
        default=None,
        metavar="S",
        help="open (default), any, or statuses such as RECRUITING COMPLETED",
    )
    parser.add_argument("--phase", nargs="+", default=None, metavar="P", help="e.g. PHASE2 PHASE3")
    parser.add_argument(
        "--type",
        dest="study_type",
        nargs="+",
        default=None,
        metavar="T",
        help="INTERVENTIONAL, OBSERVATIONAL, EXPANDED_ACCESS",
    )
    parser.add_argument("--intervention-type", nargs="+", default=None, metavar="T", help="e.g. DRUG BEHAVIORAL")
    parser.add_argument("--age", type=float, default=None, help="a patient's age in years")
    parser.add_argument("--sex", choices=["F", "M", "any"], default=None)
    parser.add_argument(
        "--healthy-volunteers", action="store_true", default=None, help="only studies that accept healthy volunteers"
    )
    parser.add_argument("--country", default="")
    parser.add_argument("--state", default="")
    parser.add_argument("--city", default="")
    parser.add_argument("--near", default="", metavar="PLACE", help="'Boston, MA' or '42.36,-71.06'")
    parser.add_argument("--radius-km", type=float, default=None, help="distance from --near (default 100)")
    parser.add_argument("--start-from", default=None, metavar="DATE")
    parser.add_argument("--start-to", default=None, metavar="DATE")
    parser.add_argument("--with-results", dest="has_results", action="store_true", default=None)
    parser.add_argument("--sort", choices=["relevance", "distance", "last_updated", "start_date"], default="relevance")
    parser.add_argument("--limit", type=int, default=10, help="results per page (max 100)")
    parser.add_argument("--page", type=int, default=1)
    parser.add_argument("--json", action="store_true", help="print {total, results: [...]} as JSON")


def run(args: argparse.Namespace) -> int:
    from ketnav.cli import django_setup

    django_setup.setup(reader=True)
    django_setup.require_migrated()  # a search only reads: it never changes the schema
    from ketnav.trials.search.engine import SearchRequest, search
    from ketnav.trials.search.filters import filters_from
    from ketnav.trials.search.serialize import results_dict

    filters = filters_from(args)
    results = search(
        SearchRequest(
            text=" ".join(args.query),
            filters=filters,
            sort=args.sort,
            page=args.page,
            page_size=args.limit,
            facets=args.json,  # only the JSON output shows facets
        )
    )
    data = results_dict(results)
    if args.json:
        print(json.dumps(data, indent=2, ensure_ascii=False))
        return 0
    shown = f"{(results.page - 1) * results.page_size + 1}-{(results.page - 1) * results.page_size + len(results.hits)}"
    where = f" near {results.place}" if results.place else ""
    print(f"{results.total:,} studies{where} ({results.mode}); showing {shown if results.hits else 'none'}")
    for note in results.notes:
        print(f"note: {note}")
    for m in results.partial:
        studies = "1 other study mentions" if m.count == 1 else f"{m.count:,} other studies mention"
        print(f"not listed: {studies} {m.concept} without {' or '.join(m.missing)} (search: {m.concept})")
    for i, hit in enumerate(data["results"], start=(results.page - 1) * results.page_size + 1):
        phases = "/".join(hit["phases"]) or "-"
        print(f"\n{i}. {hit['nct_id']}  {hit['title']}")
        print(f"   {hit['status']} · {phases} · {', '.join(hit['conditions'][:3])}")
        if hit["nearest_site"]:
            s = hit["nearest_site"]
            print(f"   nearest site: {s['facility']}, {s['city']} ({s['distance_km']:.0f} km)")
        if hit["why"]:
            print(f"   matched: {'; '.join(hit['why'])}")
    return 0
