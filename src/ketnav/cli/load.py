"""``ketnav load PATH...``: load ClinicalTrials.gov records from files into the local registry."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ketnav.errors import InvalidInput


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "paths",
        nargs="+",
        type=Path,
        metavar="PATH",
        help="study JSON, API page, JSON Lines (.gz), directory, bulk zip, NCT*.xml",
    )
    parser.add_argument(
        "--format", choices=["auto", "v2", "xml"], default="auto", help="record format (default: detect per record)"
    )
    parser.add_argument("--workers", type=int, default=None, help="parsing processes (default: up to 2)")
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")
    parser.add_argument(
        "--show", type=int, default=20, metavar="N", help="list at most N problems and warnings (default 20)"
    )


def run(args: argparse.Namespace) -> int:
    from ketnav.cli import django_setup
    from ketnav.cli.progress import Stopwatch, counter, rate_text

    missing = [str(p) for p in args.paths if not p.exists()]
    if missing:
        raise InvalidInput(f"PATH: no such file or directory: {', '.join(missing)}")
    if args.workers is not None and args.workers < 0:
        raise InvalidInput("--workers: must be 0 or more")
    django_setup.setup()
    django_setup.migrate()
    from ketnav.trials.loading import interrupted_runs, load_paths

    for run_ in interrupted_runs():
        print(
            f"ketnav: an earlier load started {run_.started_at:%Y-%m-%d %H:%M} did not finish; "
            "its finished batches are stored and this load completes it",
            file=sys.stderr,
        )
        run_.status = "interrupted"
        run_.save(update_fields=["status"])
    clock = Stopwatch()
    with counter("Loading studies", enabled=not args.json) as update:
        summary = load_paths(list(args.paths), fmt=args.format, workers=args.workers, progress=update)
    if summary.inserted or summary.updated:
        django_setup.prepare_search()
    data = summary.as_dict()
    if args.json:
        print(json.dumps(data, indent=2))
    else:
        older = f" ({summary.older:,} older than the stored version)" if summary.older else ""
        print(
            f"read {rate_text(summary.seen, clock.seconds)}: "
            f"inserted {summary.inserted:,}, updated {summary.updated:,}, unchanged {summary.unchanged:,}{older}, "
            f"rejected {summary.rejected:,}, warnings {summary.warnings:,}"
        )
        for title, lines in (("rejected", summary.problems), ("warnings", summary.notes)):
            if lines and args.show:
                print(f"{title}:")
                for line in lines[: args.show]:
                    print(f"  {line}")
                if len(lines) > args.show:
                    print(f"  ... and {len(lines) - args.show:,} more (use --json to see all)")
    # A file with some rejected records still loads the rest (exit 0, each rejection listed); a file
    # from which nothing at all could be stored is an error (exit 2), so scripts notice.
    failed = summary.wholly_rejected()
    if failed:
        shown = ", ".join(failed[:5]) + (f" and {len(failed) - 5:,} more" if len(failed) > 5 else "")
        print(f"ketnav: error: nothing could be loaded from {shown}", file=sys.stderr)
        return 2
    return 0
