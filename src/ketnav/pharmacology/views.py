"""The "Routes and timing" page: the routes side by side and the study-protocol overlay for everyone;
a clinician mode, opened only after an explicit "I am a clinician" acknowledgement, to change model,
weight, dose and infusion time. Everything is labelled educational."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import cache

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.safestring import mark_safe

from ketnav.errors import InvalidInput
from ketnav.pharmacology.comparison import FACT_LABELS, RouteRow, protocol_simulations, route_rows
from ketnav.pharmacology.compartments import MODELS
from ketnav.pharmacology.plot import overlay_svg, protocol_svg
from ketnav.pharmacology.schemas import EDUCATIONAL
from ketnav.pharmacology.simulate import DEFAULT_HOURS, NORKETAMINE_CAVEAT, Regimen, run
from ketnav.pharmacology.units import parse_dose_over

PROTOCOL_HOURS = 6.0  # the public overlay shows the first hours, where the routes differ


@dataclass(frozen=True)
class ProtocolFigure:
    """One row of the data table beside the overlay."""

    row: RouteRow
    cmax_ng_ml: float
    tmax_min: float


# Locked: the first visitors after a start would each simulate and draw this (seconds of CPU) at once;
# one thread builds it and the others wait for that one result.
_PROTOCOL_PLOT_LOCK = threading.Lock()


def _protocol_plot() -> tuple[dict[str, str], tuple[ProtocolFigure, ...]]:
    with _PROTOCOL_PLOT_LOCK:
        return _build_protocol_plot()


@cache
def _build_protocol_plot() -> tuple[dict[str, str], tuple[ProtocolFigure, ...]]:
    """The overlay (wide and narrow layouts) and its table; built once per process from constant data
    and never changed after that, so request threads may share it."""
    sims = protocol_simulations(hours=PROTOCOL_HOURS)
    curves = [(f"{row.protocol['label']} [{row.protocol['basis']}]", sim) for row, sim in sims]
    svgs = {
        layout: protocol_svg(curves, title="Blood levels after study protocols, by route", layout=layout)
        for layout in ("wide", "narrow")
    }
    figures = tuple(ProtocolFigure(row, sim.metrics.cmax_ng_ml, sim.metrics.tmax_min) for row, sim in sims)
    return svgs, figures


def _simulate(params: dict[str, str]) -> dict[str, object]:
    dose = parse_dose_over(params["dose"], params.get("over"))
    try:
        weight = float(params.get("weight") or 70)
    except ValueError:
        raise InvalidInput(f"weight: {params.get('weight', '')[:20]!r} is not a number of kilograms") from None
    sim = run(
        params.get("model", "clements"), Regimen(params.get("route", "iv"), dose), weight_kg=weight, hours=DEFAULT_HOURS
    )
    curves = [(f"{sim.model.name}: {dose}", sim)]
    plots = {  # our own matplotlib SVG: its labels come from the model table and the parsed dose
        layout: mark_safe(overlay_svg(curves, title="Educational simulation", metabolite=True, layout=layout))
        for layout in ("wide", "narrow")
    }
    return {"sim": sim, "sim_plot": plots}


def routes_page(request: HttpRequest) -> HttpResponse:
    svgs, figures = _protocol_plot()
    clinician = request.GET.get("mode") == "clinician"
    acknowledged = clinician and request.GET.get("ack") == "1"
    context: dict[str, object] = {
        "title": "Routes and timing",
        "rows": route_rows(),
        "fact_labels": FACT_LABELS,
        "plot": {k: mark_safe(v) for k, v in svgs.items()},  # generated from constant data
        "figures": figures,
        "notice": EDUCATIONAL,
        "models": MODELS.values(),
        "clinician": clinician,
        "acknowledged": acknowledged,
        "params": request.GET,
        "hours": DEFAULT_HOURS,
        "protocol_hours": PROTOCOL_HOURS,
        "norketamine_note": NORKETAMINE_CAVEAT,
    }
    status = 200
    if acknowledged and request.GET.get("dose"):
        try:
            context.update(_simulate({k: request.GET.get(k, "") for k in ("dose", "over", "weight", "model", "route")}))
        except InvalidInput as exc:
            context["error"] = exc
            status = 422
    return render(request, "pharmacology/routes.html", context, status=status)
