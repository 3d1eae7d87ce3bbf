"""``ketnav load``: files in, studies out, with worker processes doing the parsing.

The main process reads files and writes to the database; parsing and normalizing (most of the CPU)
run in a pool of worker processes with a bounded number of chunks in flight, so memory stays flat
whatever the size of the input.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path

from django.utils import timezone

from ketnav.trials.ingest import LoadSummary, StudyWriter, batched, first_load_indexes, refresh_statistics
from ketnav.trials.models import LoadRun
from ketnav.trials.prepare import Prepared, Rejected, prepare_chunk
from ketnav.trials.sources import Entry, Format, iter_sources

CHUNK = 200
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
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        pending: deque[Future[list[Prepared | Rejected]]] = deque()
        for chunk in chunks:
            pending.append(pool.submit(prepare_chunk, chunk, fmt))
            if len(pending) >= workers * 3:
                yield from pending.popleft().result()
        while pending:
            yield from pending.popleft().result()


def load_paths(
    paths: list[Path], *, fmt: Format = "auto", workers: int | None = None, progress: Progress | None = None
) -> LoadSummary:
    """Load every study found under ``paths``; returns the summary (also saved on the LoadRun)."""
    summary = LoadSummary()
    run = LoadRun.objects.create(kind="load", sources=[str(p) for p in paths], started_at=timezone.now())
    writer = StudyWriter(run_id=run.pk)
    status = "failed"
    first = False
    try:
        with first_load_indexes() as first:
            stream = prepared(iter_sources(paths, fmt), summary, workers=workers or default_workers(), fmt=fmt)
            for batch in batched(stream, summary):
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


def interrupted_runs() -> list[LoadRun]:
    """Loads that never finished (killed): the CLI mentions them so the user reruns them."""
    return list(LoadRun.objects.filter(status="running").order_by("started_at"))
