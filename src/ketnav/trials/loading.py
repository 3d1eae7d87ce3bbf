"""``ketnav load``: files in, studies out, with worker processes doing the parsing and the writing.

The main process reads files; a pool of worker processes parses, normalizes and (taking turns under
one lock) writes each batch, with a bounded number of batches in flight, so memory stays flat whatever
the size of the input. A caller that holds a transaction (or asks for one worker) gets the same work
done in-process, inside that transaction: workers have connections of their own.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils import timezone

from ketnav.trials import writing_workers
from ketnav.trials.ingest import LoadSummary, StudyWriter, batched, first_load_indexes, refresh_statistics
from ketnav.trials.models import LoadRun
from ketnav.trials.prepare import Prepared, Rejected, prepare_chunk
from ketnav.trials.sources import Entry, Format, iter_sources

CHUNK = 200
# Studies a worker prepares and then writes in one transaction. At 100,000 studies: 400 gave 2,272/s at
# a peak RSS (all processes) of 357 MiB; 500 gave 2,278/s at 383 MiB; 1,000 gave 2,312/s at 543 MiB.
WORKER_BATCH = 400
Progress = Callable[[int], None]


def default_workers() -> int:
    return max(1, min(2, (os.cpu_count() or 1)))


def prepared(
    entries: Iterable[Entry], summary: LoadSummary, *, workers: int, fmt: Format = "auto"
) -> Iterator[Prepared | Rejected]:
    chunks = batched(entries, summary, CHUNK)
    if workers <= 1:
        for chunk in chunks:
            yield from prepare_chunk(chunk, fmt)
        return
    # spawn, not fork: the parent has Django and database connections we must not share.
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(
        max_workers=workers, mp_context=context, initializer=writing_workers.die_with_parent, initargs=(os.getpid(),)
    ) as pool:
        pending: deque[Future[list[Prepared | Rejected]]] = deque()
        for chunk in chunks:
            pending.append(pool.submit(prepare_chunk, chunk, fmt))
            if len(pending) >= workers * 3:
                yield from pending.popleft().result()
        while pending:
            yield from pending.popleft().result()


def workers_can_write() -> bool:
    """Whether worker processes may write on connections of their own: not inside a caller's
    transaction (its writes would not be part of it, and on SQLite they would wait for its lock), and
    not into an in-memory SQLite database (another process cannot open it)."""
    if connection.in_atomic_block:
        return False
    name = str(connection.settings_dict["NAME"])
    return not (connection.vendor == "sqlite" and (name == ":memory:" or "mode=memory" in name))


def write_in_workers(
    entries: Iterable[Entry],
    summary: LoadSummary,
    *,
    workers: int,
    run_id: int | None,
    fmt: Format = "auto",
    progress: Progress | None = None,
) -> None:
    """Prepare and write every batch in worker processes; add their summaries up in input order.

    Two nearby batches (at most two apart: one batch queued behind each worker's) may be written in
    either order. The stored result is the same (``ingest.decide`` does not depend on order), but when
    both hold a copy of one study the summary may count the later copy as updated instead of unchanged."""
    context = multiprocessing.get_context("spawn")  # the parent's connections must not be shared
    lock = context.Lock()
    database = dict(connection.settings_dict)
    start_args = (settings.SETTINGS_MODULE, database, lock, run_id, os.getpid())
    with ProcessPoolExecutor(workers, context, writing_workers.start, start_args) as pool:
        pending: deque[Future[LoadSummary]] = deque()

        checkpoints = WalCheckpoints(lock) if connection.vendor == "sqlite" else None

        def collect() -> None:
            summary.add(pending.popleft().result())
            if checkpoints:
                checkpoints.run()
            if progress:
                progress(summary.seen)

        for batch in batched(entries, summary, WORKER_BATCH):
            pending.append(pool.submit(writing_workers.prepare_and_write, batch, fmt))
            if len(pending) > workers:  # one batch queued behind each worker's; more only takes memory
                collect()
        while pending:
            collect()
        if checkpoints:
            checkpoints.run(final=True)


class WalCheckpoints:
    """Copies the workers' WAL pages into the database file from the main process, off the write lock.

    SQLite's automatic checkpoint runs inside the commit that crosses its threshold, so with workers
    writing in turn it ran under the load's write lock: 1.0 of the 2.3 s that commits took per 20,000
    studies, time the other worker waited for. The workers turn it off; here a PASSIVE checkpoint
    (which runs alongside a writer) copies what was committed after each batch. Copying alone never
    lets the WAL start over, because by then the next batch is already being written; so once the WAL
    passes ``WAL_LIMIT``, one checkpoint takes the lock (it copies only what the last one missed) and
    the next writer starts the WAL from the beginning. The WAL stays near ``WAL_LIMIT``."""

    WAL_LIMIT = 64 * 1024 * 1024

    def __init__(self, lock: Any) -> None:
        self.lock = lock
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA page_size")
            self.page_size = int(cursor.fetchone()[0])

    def _checkpoint(self) -> int:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_checkpoint(PASSIVE)")
            _busy, wal_pages, _copied = cursor.fetchone()
        return int(wal_pages)

    def run(self, *, final: bool = False) -> None:
        if final or self._checkpoint() * self.page_size > self.WAL_LIMIT:
            with self.lock:
                self._checkpoint()


def load_paths(
    paths: list[Path], *, fmt: Format = "auto", workers: int | None = None, progress: Progress | None = None
) -> LoadSummary:
    """Load every study found under ``paths``; returns the summary (also saved on the LoadRun)."""
    summary = LoadSummary()
    run = LoadRun.objects.create(kind="load", sources=[str(p) for p in paths], started_at=timezone.now())
    status = "failed"
    first = False
    try:
        workers = workers or default_workers()
        with first_load_indexes() as first:
            entries = _counted(iter_sources(paths, fmt), summary)
            if workers > 1 and workers_can_write():
                write_in_workers(entries, summary, workers=workers, run_id=run.pk, fmt=fmt, progress=progress)
            else:
                writer = StudyWriter(run_id=run.pk)
                for batch in batched(prepared(entries, summary, workers=workers, fmt=fmt), summary):
                    writer.write(batch, summary)
                    if progress:
                        progress(summary.seen)
        status = "completed"
    finally:
        if summary.inserted or summary.updated:
            refresh_statistics(vacuum=first)
        run.status = status
        run.finished_at = timezone.now()
        run.summary = {k: v for k, v in summary.as_dict().items() if k not in {"problems", "notes"}}
        run.save(update_fields=["status", "finished_at", "summary"])
    return summary


def _counted(entries: Iterable[Entry], summary: LoadSummary) -> Iterator[Entry]:
    """Count the records read from each file (for LoadSummary.wholly_rejected)."""
    for entry in entries:
        summary.read_by_file[entry.file] += 1
        yield entry


def interrupted_runs() -> list[LoadRun]:
    """Loads that never finished (killed): the CLI mentions them so the user reruns them."""
    return list(LoadRun.objects.filter(status="running").order_by("started_at"))
