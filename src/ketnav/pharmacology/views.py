"""The "Routes and timing" page: the comparison table and the standard-protocol overlay for everyone;
a clinician mode to change weight, dose, infusion time and model. Everything is labelled educational."""

from __future__ import annotations

import threading
from functools import cache

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.safestring import mark_safe

from ketnav.errors import InvalidInput
from ketnav.pharmacology.comparison import protocol_simulations, route_rows
from ketnav.pharmacology.models import MODELS
from ketnav.pharmacology.plot import overlay_svg
from ketnav.pharmacology.serialize import EDUCATIONAL
from ketnav.pharmacology.simulate import Regimen, run
from ketnav.pharmacology.units import parse_dose_over

# Locked: the first visitors after a start would each simulate and draw this (seconds of CPU) at once;
# one thread builds it and the others wait for that one result.
_PROTOCOL_PLOT_LOCK = threading.Lock()


def _protocol_plot() -> tuple[str, tuple[tuple[str, float, float], ...]]:
    with _PROTOCOL_PLOT_LOCK:
        return _build_protocol_plot()


@cache
def _build_protocol_plot() -> tuple[str, tuple[tuple[str, float, float], ...]]:
    sims = protocol_simulations(hours=6.0)
    svg = overlay_svg(
        [(row.protocol["label"], sim) for row, sim in sims],
        title="Plasma ketamine or esketamine after published study protocols, by route",
    )
    figures = tuple((row.protocol["label"], sim.metrics.cmax_ng_ml, sim.metrics.tmax_min) for row, sim in sims)
    return svg, figures


def routes_page(request: HttpRequest) -> HttpResponse:
    svg, figures = _protocol_plot()
    context: dict[str, object] = {
        "title": "Routes and timing",
        "rows": route_rows(),
        "plot": mark_safe(svg),
        "figures": figures,
        "notice": EDUCATIONAL,
        "models": MODELS.values(),
        "clinician": request.GET.get("mode") == "clinician",
        "params": request.GET,
    }
    status = 200
    if context["clinician"] and request.GET.get("dose"):
        try:
            dose = parse_dose_over(request.GET["dose"], request.GET.get("over"))
            sim = run(
                request.GET.get("model", "clements"),
                Regimen(request.GET.get("route", "iv"), dose),
                weight_kg=float(request.GET.get("weight") or 70),
                hours=float(request.GET.get("hours") or 12),
            )
            context["sim"] = sim
            context["sim_plot"] = mark_safe(
                overlay_svg([(f"{sim.model.name}: {dose}", sim)], title="Educational simulation", metabolite=True)
            )
        except (InvalidInput, ValueError) as exc:
            context["error"] = exc if isinstance(exc, InvalidInput) else InvalidInput(f"weight: {exc}")
            status = 422
    return render(request, "pharmacology/routes.html", context, status=status)
