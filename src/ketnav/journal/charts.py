"""Server-rendered SVG charts (matplotlib): scale totals over time and blood pressure over time.

Pure: values in, SVG text out. Pages show each chart as an image beside a table of the same numbers,
so the charts work without JavaScript, print, and have a text equivalent for screen readers.
"""

from __future__ import annotations

import datetime as dt
import io
import threading
from collections.abc import Sequence
from typing import Any

from ketnav.scales.definitions import Scale

# matplotlib keeps global state (rcParams, the font cache) that is not thread-safe, and the server
# answers requests on several threads: one chart is drawn at a time. Immutable once created.
_DRAWING = threading.Lock()

BAND_COLOURS = ("#e8f3ea", "#fdf6d8", "#fde7cf", "#f9d9d2", "#f3c9c9")
INK = "#1d2733"
LINE = "#0b4f8a"
SESSION = "#5b2a86"


def _figure(height_in: float = 4.2) -> Any:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    return Figure(figsize=(8, height_in), dpi=100)


def _svg(fig: Any) -> str:
    import matplotlib

    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "ketnav-journal"}):  # text stays text
        fig.savefig(buffer, format="svg", metadata={"Date": None})
    svg = buffer.getvalue()
    return svg[svg.index("<svg") :]


def _date_axis(ax: Any, dates: Sequence[dt.date]) -> None:
    import matplotlib.dates as mdates

    first, last = min(dates), max(dates)
    pad = max(dt.timedelta(days=2), (last - first) * 0.05)
    ax.set_xlim(first - pad, last + pad)
    locator = mdates.AutoDateLocator(minticks=3, maxticks=7)  # type: ignore[no-untyped-call]
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))  # type: ignore[no-untyped-call]


def scale_chart(
    *, scale: Scale, points: Sequence[tuple[dt.date, int]], sessions: Sequence[dt.date], baseline_total: int | None
) -> str:
    """Totals over time on the scale's full range, its bands shaded and labelled, the response threshold
    (half the baseline) dashed, the remission cut-off dotted, and each treatment session marked."""
    from matplotlib.ticker import MaxNLocator

    with _DRAWING:
        fig = _figure()
        ax = fig.add_subplot()
        for i, band in enumerate(scale.bands):
            ax.axhspan(band.low - 0.5 if band.low else 0, band.high + 0.5, color=BAND_COLOURS[i % 5], zorder=0, lw=0)
            ax.text(
                1.01, (band.low + band.high) / 2 / scale.max_total, band.chart_label, transform=ax.transAxes,
                fontsize=8.5, va="center", color=INK,
            )  # fmt: skip
        dates = [d for d, _ in points] + list(sessions)
        for j, day in enumerate(sessions):
            ax.axvline(
                day, color=SESSION, lw=1, ls=(0, (2, 2)), zorder=1, label="Treatment session" if j == 0 else None
            )
        if baseline_total:
            threshold = baseline_total / 2
            ax.axhline(
                threshold, color="#a4161a", lw=1.2, ls="--", zorder=2, label=f"Response: at or below {threshold:g}"
            )
        ax.axhline(
            scale.remission.below - 0.5, color="#1b6e35", lw=1.2, ls=":", zorder=2,
            label=f"Remission: below {scale.remission.below}",
        )  # fmt: skip
        if points:
            ax.plot(
                [d for d, _ in points], [t for _, t in points], color=LINE, marker="o", lw=2, zorder=3,
                label=f"{scale.name} total",
            )  # fmt: skip
        if dates:
            _date_axis(ax, dates)
        ax.set_ylim(0, scale.max_total)
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_ylabel(f"{scale.name} total (0-{scale.max_total})", fontsize=10)
        ax.tick_params(labelsize=9)
        ax.set_title(f"{scale.name} over time", fontsize=12, loc="left")
        ax.grid(True, axis="y", color="#cccccc", lw=0.5)
        ax.legend(fontsize=8.5, loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=2, frameon=False)
        fig.subplots_adjust(left=0.09, right=0.85, top=0.91, bottom=0.28)
        return _svg(fig)


def bp_chart(*, points: Sequence[tuple[dt.datetime, int, int]], sessions: Sequence[dt.datetime]) -> str:
    """Systolic and diastolic readings over time, with the guideline's stage 2 (140/90) and severe
    (180/120) lines."""
    with _DRAWING:
        fig = _figure()
        ax = fig.add_subplot()
        for j, day in enumerate(sessions):
            ax.axvline(
                day, color=SESSION, lw=1, ls=(0, (2, 2)), zorder=1, label="Treatment session" if j == 0 else None
            )
        ax.axhline(140, color="#a4161a", lw=1, ls="--", label="Stage 2: 140 upper / 90 lower")
        ax.axhline(90, color="#a4161a", lw=1, ls="--")
        ax.axhline(180, color="#6b0000", lw=1, ls=":", label="Severe: above 180 / 120")
        ax.axhline(120, color="#6b0000", lw=1, ls=":")
        if points:
            when = [p[0] for p in points]
            ax.plot(when, [p[1] for p in points], color=LINE, marker="^", lw=2, label="Upper (systolic)")
            ax.plot(when, [p[2] for p in points], color="#00606b", marker="v", lw=2, ls="-.", label="Lower (diastolic)")
            _date_axis(ax, [w.date() for w in when] + [s.date() for s in sessions])
        ax.set_ylim(40, max(200, *(p[1] + 10 for p in points)) if points else 200)
        ax.set_ylabel("mmHg", fontsize=10)
        ax.tick_params(labelsize=9)
        ax.set_title("Blood pressure over time", fontsize=12, loc="left")
        ax.grid(True, axis="y", color="#cccccc", lw=0.5)
        ax.legend(fontsize=8.5, loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=2, frameon=False)
        fig.subplots_adjust(left=0.09, right=0.97, top=0.91, bottom=0.28)
        return _svg(fig)
