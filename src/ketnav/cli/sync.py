"""``ketnav sync``: fetch new and updated studies from the live ClinicalTrials.gov API."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys

from ketnav.errors import InvalidInput


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--term", default="", help="free-text query (query.term)")
    parser.add_argument("--condition", default="", help="condition query (query.cond)")
    parser.add_argument("--intervention", default="", help="intervention query (query.intr)")
    parser.add_argument("--status", nargs="+", default=None, metavar="S", help="overall statuses, e.g. RECRUITING")
    parser.add_argument(
        "--since",
        default=None,
        metavar="DATE",
        help="only studies updated on or after DATE (YYYY-MM-DD); default: since the last sync",
    )
    parser.add_argument("--api-url", default=None, metavar="URL", help="API base URL (default: the public API v2)")
    parser.add_argument(
        "--tries",
        type=int,
        default=6,
        metavar="N",
        help="attempts per request before giving up (default 6, with backoff)",
    )
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")


def _since(raw: str | None) -> dt.date | None:
    if raw is None:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise InvalidInput(f"--since: {raw!r} is not a date (YYYY-MM-DD)") from None


def run(args: argparse.Namespace) -> int:
    since = _since(args.since)
    if args.tries < 1:
        raise InvalidInput("--tries: must be at least 1")
    from ketnav.trials.ctgov_client import DEFAULT_API_URL, check_api_url

    api_url = check_api_url(args.api_url) if args.api_url is not None else DEFAULT_API_URL
    from ketnav.cli import django_setup

    django_setup.setup()
    django_setup.migrate()
    import httpx

    from ketnav.trials.ctgov_client import CtgovClient
    from ketnav.trials.sync import DEFAULT_SCOPES, ScopeResult, custom_scope, sync

    custom = any([args.term, args.condition, args.intervention, args.status])
    scopes = (
        [custom_scope(term=args.term, condition=args.condition, intervention=args.intervention, statuses=args.status)]
        if custom
        else list(DEFAULT_SCOPES)
    )

    def report(result: ScopeResult) -> None:
        if not args.json and sys.stderr.isatty():
            total = f"/{result.total:,}" if result.total is not None else ""
            print(
                f"\r{result.scope}: page {result.pages}, {result.fetched:,}{total} studies",
                end="",
                file=sys.stderr,
                flush=True,
            )

    with httpx.Client(timeout=httpx.Timeout(60.0, connect=15.0), follow_redirects=True) as http:
        client = CtgovClient(http, api_url=api_url, max_attempts=args.tries)
        results = sync(client, scopes, since=since, on_page=report)
    if not args.json and sys.stderr.isatty():
        print(file=sys.stderr)
    if args.json:
        print(
            json.dumps(
                [
                    {
                        "scope": r.scope,
                        "pages": r.pages,
                        "fetched": r.fetched,
                        "resumed": r.resumed,
                        "since": r.since.isoformat() if r.since else None,
                        **r.summary.as_dict(),
                    }
                    for r in results
                ],
                indent=2,
            )
        )
    else:
        for r in results:
            since_text = f" updated since {r.since}" if r.since else ""
            resumed = " (resumed)" if r.resumed else ""
            s = r.summary
            print(
                f"{r.scope}{resumed}: {r.fetched:,} studies{since_text} in {r.pages} pages; inserted {s.inserted:,}, "
                f"updated {s.updated:,}, unchanged {s.unchanged:,}, rejected {s.rejected:,}"
            )
    return 0
