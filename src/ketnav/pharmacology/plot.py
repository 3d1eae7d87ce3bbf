"""Server-rendered SVG plots of concentration over time (matplotlib), so pages work without scripts
and print well.

The 100-250 ng/mL band where dissociative effects were reported (Krystal 1994) was measured with
racemic ketamine, so it is drawn only on racemic panels and labelled as such: esketamine peaks near
70-80 ng/mL after 56 mg, yet most people dissociate. Legends sit below the axes, never on the curves.
"""

from __future__ import annotations

import io
import textwrap
import threading
from collections.abc import Sequence
from typing import Any

from ketnav.pharmacology.simulate import DISSOCIATION_BAND_NG_ML, Simulation
from ketnav.svg import presentation_attributes

COLORS = ("#0b4f8a", "#a4161a", "#1b6e35", "#6b3a00", "#5b2a86", "#00606b", "#444444")
DASHES = ("solid", "dashed", "dashdot", "dotted", (0, (5, 1)), (0, (3, 1, 1, 1)), (0, (1, 1)))
EDUCATIONAL = (
    "Educational simulation of typical population curves; not a prediction for any person and not dosing advice."
)
BAND_LABEL = "Racemic ketamine: dissociative effects reported at {low:g}–{high:g} ng/mL (Krystal 1994)"


# Locked: matplotlib keeps global state (the backend, rcParams, font and text-layout caches) and is not
# thread-safe, so web server threads draw one figure at a time.
_MATPLOTLIB = threading.Lock()


# Two layouts: "wide" for screens and print, "narrow" (a phone's width, larger type, wrapped legend) for
# small screens; the page shows one or the other with a CSS media query, so neither is shrunk to
# unreadable type.
LAYOUTS: dict[str, dict[str, float]] = {
    "wide": {"width": 8.0, "panel": 4.6, "wrap": 100, "legend": 8.0},
    "narrow": {"width": 4.2, "panel": 4.2, "wrap": 46, "legend": 7.5},
}


def _panel(
    ax: Any, curves: Sequence[tuple[str, Simulation]], *, metabolite: bool, start: int = 0, layout: str = "wide"
) -> None:
    wrap = int(LAYOUTS[layout]["wrap"])
    if curves and all(sim.model.racemic for _, sim in curves):
        low, high = DISSOCIATION_BAND_NG_ML
        band = textwrap.fill(BAND_LABEL.format(low=low, high=high), wrap)
        ax.axhspan(low, high, color="#fff3b0", zorder=0, label=band)
    for i, (label, sim) in enumerate(curves, start=start):
        hours = sim.times_min / 60.0
        color, dash = COLORS[i % len(COLORS)], DASHES[i % len(DASHES)]
        ax.plot(hours, sim.parent_ng_ml, color=color, linestyle=dash, linewidth=2, label=textwrap.fill(label, wrap))
        if metabolite and sim.metabolite_ng_ml is not None:
            name = textwrap.fill(f"{label}: {sim.model.metabolite_name}", wrap)
            ax.plot(hours, sim.metabolite_ng_ml, color=color, linewidth=1, alpha=0.7, label=name)
    ax.set_xlabel("Hours after the start of dosing")
    ax.set_ylabel("Blood level (ng/mL)")
    ax.set_ylim(bottom=0)
    ax.set_xlim(left=0)
    ax.grid(True, color="#dddddd", linewidth=0.6)
    ax.legend(fontsize=LAYOUTS[layout]["legend"], loc="upper left", bbox_to_anchor=(0.0, -0.2), frameon=False)


def _svg(fig: Any, notes: Sequence[str], *, layout: str = "wide") -> str:
    import matplotlib

    wrap = int(LAYOUTS[layout]["wrap"]) + 30
    text = "\n".join(textwrap.fill(n, wrap) for n in [*dict.fromkeys(notes), EDUCATIONAL])
    fig.text(0.01, 0.0, text, fontsize=7, color="#4a5460", va="top", wrap=True)
    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "none"}):  # real text: searchable, selectable, read aloud
        fig.savefig(buffer, format="svg", bbox_inches="tight")
    svg = buffer.getvalue()
    # Drop the XML prolog so it can be inlined in HTML; styles become attributes the page's CSP allows.
    return presentation_attributes(svg[svg.index("<svg") :])


def _figure(layout: str, height: float) -> Any:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    return Figure(figsize=(LAYOUTS[layout]["width"], height), dpi=100)


def overlay_figure(
    curves: Sequence[tuple[str, Simulation]], *, title: str, metabolite: bool = False, layout: str = "wide"
) -> Any:
    fig = _figure(layout, LAYOUTS[layout]["panel"])
    ax = fig.add_subplot()
    ax.set_title(textwrap.fill(title, int(LAYOUTS[layout]["wrap"])), fontsize=11)
    _panel(ax, curves, metabolite=metabolite, layout=layout)
    return fig


def overlay_svg(
    curves: Sequence[tuple[str, Simulation]], *, title: str, metabolite: bool = False, layout: str = "wide"
) -> str:
    with _MATPLOTLIB:
        fig = overlay_figure(curves, title=title, metabolite=metabolite, layout=layout)
        return _svg(fig, [c for _, sim in curves for c in sim.caveats], layout=layout)


def protocol_figure(curves: Sequence[tuple[str, Simulation]], *, title: str, layout: str = "wide") -> Any:
    """Racemic ketamine and esketamine in separate panels, so the racemic band never covers esketamine."""
    racemic = [(label, sim) for label, sim in curves if sim.model.racemic]
    other = [(label, sim) for label, sim in curves if not sim.model.racemic]
    panel = LAYOUTS[layout]["panel"]
    fig = _figure(layout, 2.4 * panel if other else panel)
    fig.suptitle(title, fontsize=11)
    axes = fig.subplots(2 if other else 1, 1, squeeze=False)[:, 0]
    axes[0].set_title("Racemic ketamine", fontsize=10)
    _panel(axes[0], racemic, metabolite=False, layout=layout)
    if other:
        axes[1].set_title(textwrap.fill("Esketamine (the racemic ketamine band does not apply)", 40), fontsize=10)
        _panel(axes[1], other, metabolite=False, start=len(racemic), layout=layout)
    fig.subplots_adjust(hspace=1.0 if layout == "wide" else 1.3, top=0.93)
    return fig


def protocol_svg(curves: Sequence[tuple[str, Simulation]], *, title: str, layout: str = "wide") -> str:
    with _MATPLOTLIB:
        fig = protocol_figure(curves, title=title, layout=layout)
        return _svg(fig, [c for _, sim in curves for c in sim.caveats], layout=layout)
