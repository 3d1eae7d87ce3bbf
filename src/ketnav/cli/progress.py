"""Progress displays for long work, drawn on stderr only when it is a terminal (never mixed into
--json output or a pipe), and the one-line summaries printed when the work is done.

rich draws the display; the columns here only format what rich measures. rich's own speed is None
until it has two samples, so every column copes with a task that has not moved yet (the first draw
of ``ketnav load`` used to crash on exactly that).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.progress import Progress, Task, TaskID
    from rich.text import Text

    from ketnav.trials.sync import ScopeResult


def rate_text(done: int, seconds: float, unit: str = "studies") -> str:
    """``1,582 studies in 3.0 s (527 studies/s)``: the end-of-work summary of how long it took."""
    rate = f" ({done / seconds:,.0f} {unit}/s)" if seconds > 0 and done else ""
    return f"{done:,} {unit} in {duration_text(seconds)}{rate}"


def duration_text(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, secs = divmod(round(seconds), 60)
    if minutes < 60:
        return f"{minutes} min {secs:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


def _columns(unit: str) -> list[Any]:
    from rich.progress import BarColumn, ProgressColumn, SpinnerColumn, TextColumn, TimeElapsedColumn
    from rich.text import Text

    class CountColumn(ProgressColumn):
        """``12,345 studies`` or ``12,345/40,000 studies`` when the total is known."""

        def render(self, task: Task) -> Text:
            total = f"/{int(task.total):,}" if task.total is not None else ""
            return Text(f"{int(task.completed):,}{total} {unit}", style="progress.download")

    class RateColumn(ProgressColumn):
        """Items per second: rich's recent speed while running (None until it has two samples), the
        average over the whole task once finished or when there is no recent speed; a dash before
        anything has been counted."""

        def render(self, task: Task) -> Text:
            elapsed = task.elapsed or 0.0
            average = task.completed / elapsed if task.completed and elapsed > 0 else None
            speed = average if task.finished else (task.speed or average)
            return Text("–/s" if speed is None else f"{speed:,.0f}/s", style="progress.data.speed")

    return [
        SpinnerColumn(finished_text="✓"),
        TextColumn("{task.description}"),
        BarColumn(),
        CountColumn(),
        RateColumn(),
        TimeElapsedColumn(),
    ]


def _progress(unit: str) -> Progress:
    from rich.console import Console
    from rich.progress import Progress

    return Progress(*_columns(unit), console=Console(stderr=True), transient=False)


def _on_terminal(enabled: bool) -> bool:
    return enabled and sys.stderr.isatty()


@contextmanager
def counter(description: str, *, total: int | None = None, enabled: bool = True) -> Iterator[Callable[[int], None]]:
    """Yield ``update(done)``; draws a progress display on stderr when it is a terminal."""
    if not _on_terminal(enabled):
        yield lambda done: None
        return
    with _progress("studies") as display:
        task = display.add_task(description, total=total)
        yield lambda done: display.update(task, completed=done)
        done = next(t.completed for t in display.tasks if t.id == task)
        display.update(task, total=done, completed=done)  # the last frame shows a full bar and a tick


class SyncDisplay:
    """One line per scope of a ``ketnav sync``: studies fetched of the registry's total, rate, time.

    A scope's line starts when the previous one finishes (its last page, or the first page of the
    next scope when the registry did not say how many to expect), so its time and rate are its own."""

    def __init__(self, display: Progress, scopes: Sequence[str]) -> None:
        self.display = display
        self.order = list(scopes)
        self.tasks: dict[str, TaskID] = {
            name: display.add_task(_short(name), total=None, start=False) for name in self.order
        }
        self.finished: set[str] = set()
        if self.order:
            display.start_task(self.tasks[self.order[0]])

    def page(self, result: ScopeResult) -> None:
        if result.scope not in self.tasks:  # a scope we were not told about: show it all the same
            self.order.append(result.scope)
            self.tasks[result.scope] = self.display.add_task(_short(result.scope), total=None)
        index = self.order.index(result.scope)
        for earlier in self.order[:index]:
            self._finish(earlier)
        task = self.tasks[result.scope]
        self.display.start_task(task)
        self.display.update(task, completed=result.fetched, total=result.total)
        if result.total is not None and result.fetched >= result.total:
            self._finish(result.scope)

    def _finish(self, name: str) -> None:
        if name in self.finished:
            return
        self.finished.add(name)
        task = self.tasks[name]
        self.display.start_task(task)
        done = next(t.completed for t in self.display.tasks if t.id == task)
        self.display.update(task, total=done, completed=done)
        self.display.stop_task(task)
        following = self.order.index(name) + 1
        if following < len(self.order):
            self.display.start_task(self.tasks[self.order[following]])


@contextmanager
def sync_display(scopes: Sequence[str], *, enabled: bool = True) -> Iterator[Callable[[ScopeResult], None]]:
    """Yield the ``on_page`` callback of :func:`ketnav.trials.sync.sync` that draws :class:`SyncDisplay`."""
    if not _on_terminal(enabled):
        yield lambda result: None
        return
    with _progress("studies") as display:
        yield SyncDisplay(display, scopes).page


def _short(name: str, width: int = 36) -> str:
    return name if len(name) <= width else name[: width - 1] + "…"


class Stopwatch:
    """Wall-clock time of a piece of work, for the summary line."""

    def __init__(self) -> None:
        self.started = time.perf_counter()

    @property
    def seconds(self) -> float:
        return time.perf_counter() - self.started
