"""Server-rendered SVG plots of concentration over time (matplotlib), so pages work without scripts
and print well.

The 100-250 ng/mL band where dissociative effects were reported (Krystal 1994) was measured with
racemic ketamine, so it is drawn only on racemic panels and labelled as such: esketamine peaks near
70-80 ng/mL after 56 mg, yet most people dissociate. Legends sit below the axes, never on the curves.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from ketnav.pharmacology.simulate import DISSOCIATION_BAND_NG_ML, Simulation

COLORS = ("#0b4f8a", "#a4161a", "#1b6e35", "#6b3a00", "#5b2a86", "#00606b", "#444444")
DASHES = ("solid", "dashed", "dashdot", "dotted", (0, (5, 1)), (0, (3, 1, 1, 1)), (0, (1, 1)))
EDUCATIONAL = (
    "Educational simulation of typical population curves; not a prediction for any person and not dosing advice."
)
BAND_LABEL = "Racemic ketamine: dissociative effects reported at {low:g}–{high:g} ng/mL (Krystal 1994)"


def _panel(ax: Any, curves: Sequence[tuple[str, Simulation]], *, metabolite: bool, start: int = 0) -> None:
    if curves and all(sim.model.racemic for _, sim in curves):
        low, high = DISSOCIATION_BAND_NG_ML
        ax.axhspan(low, high, color="#fff3b0", zorder=0, label=BAND_LABEL.format(low=low, high=high))
    for i, (label, sim) in enumerate(curves, start=start):
        hours = sim.times_min / 60.0
        color, dash = COLORS[i % len(COLORS)], DASHES[i % len(DASHES)]
        ax.plot(hours, sim.parent_ng_ml, color=color, linestyle=dash, linewidth=2, label=label)
        if metabolite and sim.metabolite_ng_ml is not None:
            ax.plot(
                hours,
                sim.metabolite_ng_ml,
                color=color,
                linewidth=1,
                alpha=0.7,
                label=f"{label}: {sim.model.metabolite_name}",
            )
    ax.set_xlabel("Hours after the start of dosing")
    ax.set_ylabel("Blood level (ng/mL)")
    ax.set_ylim(bottom=0)
    ax.set_xlim(left=0)
    ax.grid(True, color="#dddddd", linewidth=0.6)
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(0.0, -0.18), frameon=False, ncol=1)


def _svg(fig: Any, notes: Sequence[str]) -> str:
    import matplotlib

    text = "\n".join([*dict.fromkeys(notes), EDUCATIONAL])
    fig.text(0.01, 0.0, text, fontsize=7, color="#4a5460", va="top", wrap=True)
    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "none"}):  # real text: searchable, selectable, read aloud
        fig.savefig(buffer, format="svg", bbox_inches="tight")
    svg = buffer.getvalue()
    return svg[svg.index("<svg") :]  # drop the XML prolog so it can be inlined in HTML


def _figure(height: float) -> Any:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    return Figure(figsize=(8, height), dpi=100)


def overlay_figure(curves: Sequence[tuple[str, Simulation]], *, title: str, metabolite: bool = False) -> Any:
    fig = _figure(5.5)
    ax = fig.add_subplot()
    ax.set_title(title, fontsize=11)
    _panel(ax, curves, metabolite=metabolite)
    return fig


def overlay_svg(curves: Sequence[tuple[str, Simulation]], *, title: str, metabolite: bool = False) -> str:
    fig = overlay_figure(curves, title=title, metabolite=metabolite)
    return _svg(fig, [c for _, sim in curves for c in sim.caveats])


def protocol_figure(curves: Sequence[tuple[str, Simulation]], *, title: str) -> Any:
    """Racemic ketamine and esketamine in separate panels, so the racemic band never covers esketamine."""
    racemic = [(label, sim) for label, sim in curves if sim.model.racemic]
    other = [(label, sim) for label, sim in curves if not sim.model.racemic]
    fig = _figure(11 if other else 6)
    fig.suptitle(title, fontsize=11)
    axes = fig.subplots(2 if other else 1, 1, squeeze=False)[:, 0]
    axes[0].set_title("Racemic ketamine", fontsize=10)
    _panel(axes[0], racemic, metabolite=False)
    if other:
        axes[1].set_title("Esketamine (the racemic ketamine band does not apply)", fontsize=10)
        _panel(axes[1], other, metabolite=False, start=len(racemic))
    fig.subplots_adjust(hspace=0.9)
    return fig


def protocol_svg(curves: Sequence[tuple[str, Simulation]], *, title: str) -> str:
    fig = protocol_figure(curves, title=title)
    return _svg(fig, [c for _, sim in curves for c in sim.caveats])
