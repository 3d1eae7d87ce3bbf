"""``ketnav sync``: fetch new and updated studies from the live ClinicalTrials.gov API."""

from __future__ import annotations

import argparse
import datetime as dt
import json

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

    from ketnav.cli.progress import Stopwatch, rate_text, sync_display
    from ketnav.journal.watch import after_sync
    from ketnav.trials.ctgov_client import CtgovClient
    from ketnav.trials.sync import DEFAULT_SCOPES, custom_scope, sync

    custom = any([args.term, args.condition, args.intervention, args.status])
    scopes = (
        [custom_scope(term=args.term, condition=args.condition, intervention=args.intervention, statuses=args.status)]
        if custom
        else list(DEFAULT_SCOPES)
    )

    clock = Stopwatch()
    with (
        sync_display([s.name for s in scopes], enabled=not args.json) as report,
        httpx.Client(timeout=httpx.Timeout(60.0, connect=15.0), follow_redirects=True) as http,
    ):
        client = CtgovClient(http, api_url=api_url, max_attempts=args.tries)
        results = sync(client, scopes, since=since, on_page=report)
    after_sync()  # flag saved trial searches whose studies changed status (ketnav.journal.watch)
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
            pages = f"{r.pages:,} page{'' if r.pages == 1 else 's'}"
            print(
                f"{r.scope}{resumed}: {r.fetched:,} studies{since_text} in {pages}; inserted {s.inserted:,}, "
                f"updated {s.updated:,}, unchanged {s.unchanged:,}, rejected {s.rejected:,}"
            )
        fetched = sum(r.fetched for r in results)
        print(f"fetched {rate_text(fetched, clock.seconds)}")
    return 0
