"""Server-rendered SVG plots of concentration over time (matplotlib), so pages work without scripts
and print well."""

from __future__ import annotations

import io
import threading
from collections.abc import Sequence

from ketnav.pharmacology.simulate import DISSOCIATION_BAND_NG_ML, Simulation
from ketnav.svg import presentation_attributes

COLORS = ("#0b4f8a", "#a4161a", "#1b6e35", "#6b3a00", "#5b2a86", "#00606b", "#444444")
DASHES = ("solid", "dashed", "dashdot", "dotted", (0, (5, 1)), (0, (3, 1, 1, 1)), (0, (1, 1)))

# Locked: matplotlib keeps global state (the backend, rcParams, font and text-layout caches) and is not
# thread-safe, so web server threads draw one figure at a time.
_MATPLOTLIB = threading.Lock()


def overlay_svg(curves: Sequence[tuple[str, Simulation]], *, title: str, metabolite: bool = False) -> str:
    with _MATPLOTLIB:
        return _draw(curves, title=title, metabolite=metabolite)


def _draw(curves: Sequence[tuple[str, Simulation]], *, title: str, metabolite: bool) -> str:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    fig = Figure(figsize=(8, 4.5), dpi=100)
    ax = fig.add_subplot()
    low, high = DISSOCIATION_BAND_NG_ML
    ax.axhspan(low, high, color="#fff3b0", zorder=0, label=f"{low:g}-{high:g} ng/mL: dissociative effects reported")
    for i, (label, sim) in enumerate(curves):
        hours = sim.times_min / 60.0
        ax.plot(
            hours,
            sim.parent_ng_ml,
            color=COLORS[i % len(COLORS)],
            linestyle=DASHES[i % len(DASHES)],
            linewidth=2,
            label=label,
        )
        if metabolite and sim.metabolite_ng_ml is not None:
            ax.plot(
                hours,
                sim.metabolite_ng_ml,
                color=COLORS[i % len(COLORS)],
                linewidth=1,
                alpha=0.7,
                label=f"{label}: {sim.model.metabolite_name}",
            )
    ax.set_xlabel("Hours after the start of dosing")
    ax.set_ylabel("Plasma concentration (ng/mL)")
    ax.set_title(title, fontsize=11)
    ax.set_ylim(bottom=0)
    ax.set_xlim(left=0)
    ax.grid(True, color="#dddddd", linewidth=0.6)
    ax.legend(fontsize=8, loc="upper right", frameon=False)
    fig.text(
        0.01,
        0.01,
        "Educational simulation of typical population curves; not a prediction for any person and not dosing advice.",
        fontsize=7,
        color="#4a5460",
    )
    fig.tight_layout(rect=(0, 0.04, 1, 1))
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg")
    svg = buffer.getvalue()
    # Drop the XML prolog so it can be inlined in HTML; styles become attributes the page's CSP allows.
    return presentation_attributes(svg[svg.index("<svg") :])
