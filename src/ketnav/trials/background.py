"""Registry syncs started from the web admin, run in a background thread of the server.

Staff on a shared server should not need a shell to fill an empty registry. A :class:`SyncLauncher`
(owned by the trials app config, one per server process) starts one sync at a time in a thread that
records its progress on a :class:`~ketnav.trials.models.SyncJob` row after every page; the admin's
progress page reads that row. Failures are not swallowed: the job ends ``failed`` with the one-line
message the CLI would print, and unexpected errors are also logged with their traceback.

The sync itself is :func:`ketnav.trials.sync.sync`, exactly what ``ketnav sync`` runs, so an admin
sync and a command-line sync share their cursors: either resumes what the other left unfinished.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable, Sequence
from typing import Any

from django.conf import settings
from django.db import close_old_connections, connection, transaction
from django.utils import timezone

from ketnav.errors import InvalidInput, KetnavError
from ketnav.trials.models import SyncJob
from ketnav.trials.sync import DEFAULT_SCOPES, Scope, ScopeResult, sync

logger = logging.getLogger(__name__)

# A running job that has not written progress for this long is taken to have died with its server
# (a page can take minutes with retries and backoff, so this is generous).
STALE_AFTER = dt.timedelta(minutes=30)
ACTIVE = ("queued", "running")


def scopes_named(names: Sequence[str]) -> list[Scope]:
    """The default scopes chosen by name, in their usual order; an unknown name is refused."""
    known = {s.name: s for s in DEFAULT_SCOPES}
    unknown = [n for n in names if n not in known]
    if unknown:
        raise InvalidInput(f"scopes: unknown scope {', '.join(unknown)}; use {', '.join(known)}")
    if not names:
        raise InvalidInput("scopes: choose at least one scope to sync")
    return [s for s in DEFAULT_SCOPES if s.name in names]


def mark_stale_jobs(now: dt.datetime | None = None) -> int:
    """Jobs left 'running' by a server that stopped become 'interrupted'; returns how many."""
    now = now or timezone.now()
    stale = SyncJob.objects.filter(status__in=ACTIVE, heartbeat_at__lt=now - STALE_AFTER)
    return stale.update(status="interrupted", finished_at=now, message="the server stopped during this sync")


def interrupted_by_restart() -> int:
    """At server start: runs left 'queued' or 'running' belonged to a server that has stopped (their
    threads died with it), so they are marked interrupted now rather than after ``STALE_AFTER``. A run
    of another live server on the same database sets itself back to running with its next page."""
    return SyncJob.objects.filter(status__in=ACTIVE).update(
        status="interrupted",
        finished_at=timezone.now(),
        message="the server was restarted during this sync; start it again to resume where it stopped",
    )


def active_job() -> SyncJob | None:
    """The newest sync that is queued or running (one a stopped server left behind is marked interrupted
    first). Reads before it writes: the trials page asks on every view, and an UPDATE on every page view
    took SQLite's write lock under concurrent readers only to change nothing."""
    job = SyncJob.objects.filter(status__in=ACTIVE).order_by("-created_at").first()
    if job is not None and mark_stale_jobs():
        job = SyncJob.objects.filter(status__in=ACTIVE).order_by("-created_at").first()
    return job


def job_dict(job: SyncJob) -> dict[str, Any]:
    """What the progress page and its script show (one shape for both)."""
    end = job.finished_at or timezone.now()
    elapsed = (end - job.started_at).total_seconds() if job.started_at else 0.0
    return {
        "id": job.pk,
        "status": job.status,
        "scopes": job.scopes,
        "scopes_total": len(job.scopes),
        "scopes_done": job.scopes_done,
        "current_scope": job.current_scope,
        "pages": job.pages,
        "fetched": job.fetched,
        "scope_fetched": job.scope_fetched,
        "total": job.scope_total,
        "inserted": job.inserted,
        "updated": job.updated,
        "unchanged": job.unchanged,
        "rejected": job.rejected,
        "elapsed_seconds": round(elapsed, 1),
        "rate": round(job.fetched / elapsed, 1) if elapsed > 0 else None,
        "message": job.message,
        "requested_by": job.requested_by,
    }


ClientFactory = Callable[[], Any]  # returns a context manager yielding a CtgovClient


class _DefaultClient:
    """The CtgovClient an admin sync uses: the public API, politely paced. ``KETNAV_SYNC_CLIENT`` (a
    Django setting, not an environment variable) can override its keyword arguments, which is how
    the tests point it at their local stand-in for ClinicalTrials.gov."""

    def __enter__(self) -> Any:
        import httpx

        from ketnav.trials.ctgov_client import CtgovClient

        self.http = httpx.Client(timeout=httpx.Timeout(60.0, connect=15.0), follow_redirects=True)
        options: dict[str, Any] = dict(getattr(settings, "KETNAV_SYNC_CLIENT", {}))
        return CtgovClient(self.http, **options)

    def __exit__(self, *exc: object) -> None:
        self.http.close()


class SyncLauncher:
    """Starts admin syncs in background threads, one at a time per server, and keeps their threads."""

    def __init__(self, client_factory: ClientFactory = _DefaultClient) -> None:
        self.client_factory = client_factory
        self._lock = threading.Lock()  # one start at a time in this process
        self._threads: dict[int, threading.Thread] = {}

    def start(self, *, scope_names: Sequence[str], requested_by: str) -> SyncJob:
        """Queue a sync of the named scopes and start it; refused while another is running."""
        scopes = scopes_named(scope_names)
        with self._lock, transaction.atomic():
            # Write first, as before active_job read first: on SQLite the UPDATE takes the write lock at
            # once, so two servers starting a sync at the same time see each other's job.
            mark_stale_jobs()
            running = active_job()
            if running is not None:
                raise InvalidInput(
                    f"a registry sync is already running (started {running.created_at:%Y-%m-%d %H:%M} UTC "
                    f"by {running.requested_by or 'someone'}); wait for it to finish"
                )
            job = SyncJob.objects.create(
                scopes=[s.name for s in scopes], requested_by=requested_by, heartbeat_at=timezone.now()
            )
        thread = threading.Thread(target=self._run, args=(job.pk, scopes), name=f"ketnav-sync-{job.pk}", daemon=True)
        self._threads[job.pk] = thread
        thread.start()
        return job

    def join(self, job_id: int, timeout: float | None = None) -> bool:
        """Wait for a job's thread (tests, and a server shutting down); True when it has finished."""
        thread = self._threads.get(job_id)
        if thread is None:
            return True
        thread.join(timeout)
        return not thread.is_alive()

    def _run(self, job_id: int, scopes: list[Scope]) -> None:
        close_old_connections()
        try:
            SyncJob.objects.filter(pk=job_id).update(
                status="running", started_at=timezone.now(), heartbeat_at=timezone.now(), current_scope=scopes[0].name
            )
            progress = _Progress(job_id, [s.name for s in scopes])
            with self.client_factory() as client:
                results = sync(client, scopes, on_page=progress.page)
            progress.finish(results)
        except KetnavError as exc:
            _fail(job_id, exc.message)
        except Exception as exc:
            logger.exception("background registry sync %s failed", job_id)
            _fail(job_id, f"internal error: {exc.__class__.__name__}: {exc}")
        finally:
            connection.close()  # this thread's own connection


def _fail(job_id: int, message: str) -> None:
    SyncJob.objects.filter(pk=job_id).update(status="failed", finished_at=timezone.now(), message=message[:2000])


class _Progress:
    """Turns each page's :class:`ScopeResult` into the job row's running totals."""

    def __init__(self, job_id: int, names: list[str]) -> None:
        self.job_id = job_id
        self.names = names
        self.results: dict[str, ScopeResult] = {}

    def page(self, result: ScopeResult) -> None:
        self.results[result.scope] = result
        self._save(current=result, status="running")

    def finish(self, results: list[ScopeResult]) -> None:
        for r in results:
            self.results[r.scope] = r
        self._save(current=results[-1] if results else None, status="completed")

    def _save(self, *, current: ScopeResult | None, status: str) -> None:
        done = self.results.values()
        now = timezone.now()
        fields: dict[str, Any] = {
            "status": status,
            "heartbeat_at": now,
            "pages": sum(r.pages for r in done),
            "fetched": sum(r.fetched for r in done),
            "inserted": sum(r.summary.inserted for r in done),
            "updated": sum(r.summary.updated for r in done),
            "unchanged": sum(r.summary.unchanged for r in done),
            "rejected": sum(r.summary.rejected for r in done),
        }
        if current is not None:
            index = self.names.index(current.scope) if current.scope in self.names else 0
            finished_scope = current.total is not None and current.fetched >= current.total
            fields |= {
                "current_scope": current.scope,
                "scope_fetched": current.fetched,
                "scope_total": current.total,
                "scopes_done": index + (1 if finished_scope or status == "completed" else 0),
            }
        if status == "completed":
            fields |= {"finished_at": now, "scopes_done": len(self.names)}
        SyncJob.objects.filter(pk=self.job_id).update(**fields)
