"""``ketnav sync``: keep the local registry in step with ClinicalTrials.gov.

A scope is a saved query (e.g. "ketamine"). Each pass pages through the API, writing every page and
the cursor (page token) in one transaction, so an interrupted sync resumes where it stopped. When a
pass completes, the newest last-update date seen becomes the ``since`` of the next pass, which then asks
only for studies updated since (incremental sync).

One sync at a time per database (``sync_lock``): two schedulers (a timer on each of two app servers, or
a timer and a person in the admin) would otherwise page through the same scopes together, each moving
the other's cursor. On PostgreSQL the lock is a session advisory lock; on SQLite, an exclusive lock on a
file next to the database. Both are released by the operating system or the server when the process
dies, so a ``kill -9`` never leaves the registry locked.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from django.db import connection, transaction
from django.utils import timezone

from ketnav.errors import InvalidInput, KetnavError, UpstreamUnavailable
from ketnav.trials.ctgov_client import CtgovClient
from ketnav.trials.ingest import LoadSummary, StudyWriter, accepted, refresh_statistics
from ketnav.trials.models import LoadRun, SyncCursor
from ketnav.trials.prepare import Prepared, Rejected, prepare_chunk
from ketnav.trials.record import STATUSES
from ketnav.trials.sources import SourceItem


class SyncAlreadyRunning(KetnavError):
    """Another process (or the admin's background sync) holds this database's sync lock; nothing was done.

    Its own exit code (75, EX_TEMPFAIL in sysexits.h: try again later) lets a scheduler tell "skipped,
    another sync is at work" from a failed sync (4 when the API kept failing, 2 for bad input)."""

    code = "sync_already_running"
    http_status = 409
    exit_code = 75


# pg_try_advisory_lock takes one bigint: the bytes of "ketnsync", so the lock never collides with another
# application's advisory locks by accident.
SYNC_LOCK_KEY = int.from_bytes(b"ketnsync", "big")
_ALREADY_RUNNING = "another registry sync is running on this database; this one did nothing"


@contextmanager
def sync_lock() -> Iterator[None]:
    """Hold this database's sync lock for the block, or raise SyncAlreadyRunning at once (never wait:
    the next scheduled sync will catch up)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [SYNC_LOCK_KEY])
            (taken,) = cursor.fetchone()
        if not taken:
            raise SyncAlreadyRunning(_ALREADY_RUNNING)
        try:
            yield
        finally:
            if connection.connection is not None:  # a closed connection has released it already
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(%s)", [SYNC_LOCK_KEY])
        return
    path = _sqlite_lock_path(str(connection.settings_dict["NAME"]))
    if path is None:  # an in-memory database: no other process can reach it
        yield
        return
    with _file_lock(path):
        yield


def _sqlite_lock_path(name: str) -> Path | None:
    if name == ":memory:" or "mode=memory" in name:
        return None
    database = Path(name.removeprefix("file:").split("?", 1)[0])
    return database.with_name(database.name + ".sync-lock")


@contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    """An exclusive, non-blocking lock on ``path`` (flock on POSIX, msvcrt on Windows); the file stays."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            if sys.platform == "win32":
                import msvcrt

                msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            else:
                import fcntl

                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise SyncAlreadyRunning(_ALREADY_RUNNING) from None
        yield  # closing the file releases the lock, as does the death of this process
    finally:
        os.close(fd)


@dataclass(frozen=True)
class Scope:
    name: str
    params: dict[str, str]


DEFAULT_SCOPES = (
    Scope("ketamine", {"query.intr": "ketamine OR esketamine OR arketamine OR Ketalar OR Spravato"}),
    Scope("anxiety-disorders", {"query.cond": "anxiety disorders"}),
    Scope("ptsd", {"query.cond": "post-traumatic stress disorder"}),
    Scope("depression", {"query.cond": "depression"}),
    Scope("chronic-pain", {"query.cond": "chronic pain"}),
)


def custom_scope(
    *, term: str = "", condition: str = "", intervention: str = "", statuses: list[str] | None = None
) -> Scope:
    params: dict[str, str] = {}
    if term:
        params["query.term"] = term
    if condition:
        params["query.cond"] = condition
    if intervention:
        params["query.intr"] = intervention
    if statuses:
        codes = [s.strip().upper().replace(" ", "_") for s in statuses]
        unknown = [c for c in codes if c not in STATUSES]
        if unknown:
            raise InvalidInput(f"--status: unknown status {', '.join(unknown)}; use one of {', '.join(STATUSES)}")
        params["filter.overallStatus"] = ",".join(codes)
    if not params:
        raise InvalidInput("give at least one of --term, --condition, --intervention or --status")
    name = "custom:" + "&".join(f"{k}={v}" for k, v in sorted(params.items()))
    return Scope(name[:255], params)


@dataclass
class ScopeResult:
    scope: str
    pages: int = 0
    fetched: int = 0
    total: int | None = None
    resumed: bool = False
    since: dt.date | None = None
    summary: LoadSummary = field(default_factory=LoadSummary)


PageProgress = Callable[[ScopeResult], None]


def _with_since(params: dict[str, str], since: dt.date | None) -> dict[str, str]:
    if since is None:
        return dict(params)
    return {**params, "filter.advanced": f"AREA[LastUpdatePostDate]RANGE[{since.isoformat()},MAX]"}


def _write_page(items: list[Prepared | Rejected], writer: StudyWriter, summary: LoadSummary) -> str | None:
    good = accepted(items, summary)
    if good:
        writer.write(good, summary)
    dates = [p.last_update for p in good if p.last_update]
    return max(dates) if dates else None


def sync_scope(
    client: CtgovClient,
    scope: Scope,
    *,
    since: dt.date | None = None,
    run_id: int | None = None,
    on_page: PageProgress | None = None,
    result: ScopeResult | None = None,
) -> ScopeResult:
    """Page through one scope, storing each page with the cursor. ``result`` (filled in as pages are
    stored) lets a caller say what was stored when a later page fails."""
    cursor, _ = SyncCursor.objects.get_or_create(scope=scope.name, defaults={"params": scope.params})
    result = result if result is not None else ScopeResult(scope=scope.name)
    resuming = cursor.status == "running" and bool(cursor.page_token) and cursor.params == scope.params
    if resuming and since is None:
        result.resumed = True
        start_since = cursor.since
        token = cursor.page_token
    else:
        start_since = since if since is not None else cursor.since
        token = ""
        cursor.high_water = None
        cursor.pages_done = 0
        cursor.studies_seen = 0
    result.since = start_since
    params = _with_since(scope.params, start_since)
    cursor.params = scope.params
    cursor.since = start_since
    writer = StudyWriter(run_id=run_id)
    seen_tokens = {token} if token else set()
    while True:
        try:
            page = client.studies_page(params, token)
        except InvalidInput:
            if not (result.resumed and token == cursor.page_token and result.pages == 0):
                raise
            # The saved page token expired on the server: start this pass again from the first page.
            result.resumed = False
            token = ""
            cursor.pages_done = cursor.studies_seen = 0
            continue
        if page.next_page_token in seen_tokens:
            # A server that hands back a token it gave before would have us page in a circle for ever.
            raise UpstreamUnavailable(
                f"ClinicalTrials.gov sent the same page token again after page {cursor.pages_done + 1} of "
                f"{scope.name} ({page.next_page_token[:40]!r}); stopped so the sync does not loop"
            )
        seen_tokens.add(page.next_page_token)
        result.pages += 1
        result.fetched += len(page.studies)
        if page.total_count is not None:
            result.total = page.total_count
        location = f"{client.api_url}/studies[{scope.name} page {cursor.pages_done + 1}]"
        items = prepare_chunk([SourceItem(f"{location}#{i}", "v2", raw) for i, raw in enumerate(page.studies)])
        with transaction.atomic():
            newest = _write_page(items, writer, result.summary)
            if newest and (cursor.high_water is None or newest > cursor.high_water.isoformat()):
                cursor.high_water = dt.date.fromisoformat(newest)
            cursor.pages_done += 1
            cursor.studies_seen += len(page.studies)
            cursor.page_token = page.next_page_token
            if page.next_page_token:
                cursor.status = "running"
            else:
                cursor.status = "idle"
                cursor.last_completed_at = timezone.now()
                # Next pass asks only for what changed since the newest update we saw (same day included).
                cursor.since = cursor.high_water or cursor.since
            cursor.save()
        if on_page:
            on_page(result)
        if not page.next_page_token:
            return result
        token = page.next_page_token


def sync(
    client: CtgovClient,
    scopes: tuple[Scope, ...] | list[Scope],
    *,
    since: dt.date | None = None,
    on_page: PageProgress | None = None,
) -> list[ScopeResult]:
    """Sync the scopes in turn under this database's sync lock (SyncAlreadyRunning when it is taken)."""
    with sync_lock():
        return _sync(client, scopes, since=since, on_page=on_page)


def _sync(
    client: CtgovClient,
    scopes: tuple[Scope, ...] | list[Scope],
    *,
    since: dt.date | None,
    on_page: PageProgress | None,
) -> list[ScopeResult]:
    run = LoadRun.objects.create(kind="sync", sources=[s.name for s in scopes], started_at=timezone.now())
    results: list[ScopeResult] = []
    status = "failed"
    try:
        for scope in scopes:
            results.append(ScopeResult(scope=scope.name))
            sync_scope(client, scope, since=since, run_id=run.pk, on_page=on_page, result=results[-1])
        status = "completed"
    except KetnavError as exc:
        # Pages are stored as they arrive: say exactly what this run stored before it stopped.
        raise type(exc)(f"{exc.message}; {stored_before_failure(results)}", details=exc.details) from exc
    finally:
        if any(r.summary.inserted or r.summary.updated for r in results):
            refresh_statistics()
        run.status = status
        run.finished_at = timezone.now()
        run.summary = {
            r.scope: {
                "pages": r.pages,
                "fetched": r.fetched,
                **{k: v for k, v in r.summary.as_dict().items() if k not in {"problems", "notes"}},
            }
            for r in results
        }
        run.save(update_fields=["status", "finished_at", "summary"])
    return results


def stored_before_failure(results: list[ScopeResult]) -> str:
    """One sentence for an error message: what each scope of this run stored, and where it resumes."""
    stored = []
    for r in results:
        if not r.pages:
            continue
        s = r.summary
        stored.append(
            f"{r.scope}: {r.fetched:,} studies from {r.pages} pages (inserted {s.inserted:,}, updated "
            f"{s.updated:,}, unchanged {s.unchanged:,}, rejected {s.rejected:,})"
        )
    if not stored:
        return "nothing was stored"
    cursor = SyncCursor.objects.filter(scope=results[-1].scope, status="running").first()
    resume = f"; the next ketnav sync resumes {cursor.scope} after page {cursor.pages_done}" if cursor else ""
    return "stored before the failure: " + "; ".join(stored) + resume
