"""Worker processes that prepare a batch of studies and then write it themselves, one at a time.

Why the workers write: with the main process as the only writer, every prepared study crossed a
process boundary (pickled in the worker, unpickled in the writer: 0.14 ms of CPU a study, about the
same as writing it) and the writer's single core capped a load at about 1,500 studies/s on two cores.
Here a worker prepares its batch with no lock held, then takes the load's write lock and stores the
batch in one transaction, while the other worker prepares the next batch. The main process reads the
files, adds up the summaries and, on SQLite, checkpoints the WAL (``loading.WalCheckpoints``).

Writes stay serialized (a lock shared by the load's workers): SQLite allows one writer anyway, and on
PostgreSQL the upsert decision (``ingest.decide``) reads the stored version, which another writer must
not change underneath it. Each batch is still one transaction, so ``kill -9`` leaves whole batches.

Nothing here imports Django at module level: a spawned worker must start Django itself, on the same
database as the process that started the load (in tests, the test database, not the settings' one).
"""

from __future__ import annotations

import ctypes
import os
import signal
import threading
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ketnav.trials.prepare import prepare_chunk
from ketnav.trials.search.index import place_totals
from ketnav.trials.sources import SourceItem

if TYPE_CHECKING:
    from multiprocessing.synchronize import Lock

    from ketnav.trials.ingest import LoadSummary, StudyWriter

_writer: StudyWriter | None = None
_lock: Lock | None = None


_PR_SET_PDEATHSIG = 1  # linux/prctl.h


def die_with_parent(parent_pid: int) -> None:
    """Pool initializer (every load worker): end this process when the load that started it dies.

    A load killed with ``kill -9`` cannot stop its workers, and a worker left waiting for the write lock
    (or for the next batch) would live on, holding a database connection. On Linux the kernel sends
    SIGKILL on the parent's death (PR_SET_PDEATHSIG); elsewhere, and for a parent that died before this
    ran, a daemon thread checks every second that the parent is still ours."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        pass  # not Linux: the watch below does it alone

    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(1.0)
        os._exit(1)

    if os.getppid() != parent_pid:
        os._exit(1)
    threading.Thread(target=watch, name="ketnav-parent-watch", daemon=True).start()


def start(
    settings_module: str, database: dict[str, Any], lock: Lock, run_id: int | None, parent_pid: int | None = None
) -> None:
    """Pool initializer: start Django on the caller's database and keep one writer for the process."""
    global _writer, _lock
    if parent_pid is not None:
        die_with_parent(parent_pid)
    os.environ["DJANGO_SETTINGS_MODULE"] = settings_module
    import django

    django.setup()
    from django.db import connections

    from ketnav.trials.ingest import StudyWriter

    default = connections["default"]
    default.close()
    default.settings_dict.update(database)
    if default.vendor == "sqlite":
        # The main process checkpoints the WAL, off the write lock (loading.WalCheckpoints).
        with default.cursor() as cursor:
            cursor.execute("PRAGMA wal_autocheckpoint=0")
            # 16 MB of page cache instead of 64: peak RSS of a 100,000-study load (all processes)
            # 408 -> 383 MiB, at the same speed within noise; 2 MB was 9% slower.
            cursor.execute("PRAGMA cache_size=-16000")
    _writer = StudyWriter(run_id=run_id)
    _lock = lock


def prepare_and_write(items: Sequence[SourceItem], fmt: str) -> LoadSummary:
    """Prepare a batch (no lock held), then write it in one transaction under the load's lock.

    Returns the batch's own summary for the main process to add up."""
    from ketnav.trials.ingest import LoadSummary, accepted

    assert _writer is not None and _lock is not None, "start() runs first, as the pool's initializer"
    summary = LoadSummary()
    good = accepted(prepare_chunk(items, fmt), summary)
    # Summed here, with no lock held. Kept per study, they took 5 KB a study of the batch's memory
    # (500 prepared studies: 21.1 MiB with them, 18.5 without).
    places = place_totals([site for item in good for site in item.site_rows])
    documents = _writer.documents(good)  # PostgreSQL's text-index documents, also before the lock
    with _lock:
        _writer.write(good, summary, places, documents)
    return summary
