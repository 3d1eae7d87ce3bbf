"""``ketnav sync``: fetch new and updated studies from the live ClinicalTrials.gov API."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import sys
import time
from collections.abc import Callable

from ketnav.errors import InvalidInput, KetnavError

MIN_EVERY_S = 10 * 60  # the registry changes daily; more often only loads the public API
MAX_EVERY_S = 7 * 24 * 3600
_DURATION = re.compile(r"(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?")


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
    parser.add_argument(
        "--every",
        default=None,
        metavar="DURATION",
        help="keep running: sync again every DURATION (e.g. 6h, 30m, 1h30m; at least 10m)",
    )


def parse_every(raw: str) -> float:
    """Seconds in a duration such as 6h, 30m, 1d or 1h30m, between 10 minutes and 7 days."""
    text = raw.strip().lower()
    match = _DURATION.fullmatch(text)
    if not text or match is None or not any(match.groups()):
        raise InvalidInput(f"--every: {raw!r} is not a duration like 6h, 30m or 1h30m")
    days, hours, minutes, seconds = (int(g or 0) for g in match.groups())
    total = ((days * 24 + hours) * 60 + minutes) * 60 + seconds
    if not MIN_EVERY_S <= total <= MAX_EVERY_S:
        raise InvalidInput(f"--every: {raw!r} is outside 10m to 7d")
    return float(total)


def repeat(
    once: Callable[[], None],
    interval_s: float,
    *,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
    runs: int | None = None,
) -> None:
    """Call ``once`` every ``interval_s`` seconds, start to start (a sync that overruns is followed at
    once by the next), ``runs`` times or for ever. A failed sync (the API down, another sync running) is
    reported in one line and the next one runs on schedule: the cursor makes it resume where it stopped."""
    done = 0
    next_start = clock()
    while runs is None or done < runs:
        try:
            once()
        except KetnavError as exc:
            if isinstance(exc, InvalidInput):
                raise  # the same arguments would fail the same way next time
            print(f"ketnav: sync failed: {exc.message}", file=sys.stderr, flush=True)
        done += 1
        if runs is not None and done >= runs:
            return
        next_start = max(next_start + interval_s, clock())
        print(f"ketnav: next sync in {_duration_text(next_start - clock())}", file=sys.stderr, flush=True)
        sleep(max(0.0, next_start - clock()))


def _duration_text(seconds: float) -> str:
    minutes = round(seconds / 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min" if hours else f"{minutes} min"


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
    every = parse_every(args.every) if args.every is not None else None
    if every is not None and since is not None:
        raise InvalidInput("--every: cannot be combined with --since (each later pass asks since the one before)")
    from ketnav.trials.ctgov_client import DEFAULT_API_URL, check_api_url

    api_url = check_api_url(args.api_url) if args.api_url is not None else DEFAULT_API_URL
    from ketnav.cli import django_setup

    django_setup.setup()
    django_setup.migrate()
    if every is None:
        _sync_once(args, api_url, since)
        return 0

    def once() -> None:
        from django.db import connections

        try:
            _sync_once(args, api_url, None)
        finally:
            connections.close_all()  # a connection idle for hours may be dropped by the server or a proxy

    repeat(once, every)
    return 0


def _sync_once(args: argparse.Namespace, api_url: str, since: dt.date | None) -> None:
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
    if any(r.summary.inserted or r.summary.updated for r in results):
        from ketnav.cli.django_setup import prepare_search

        prepare_search()
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
        print(f"fetched {rate_text(fetched, clock.seconds)}", flush=True)
