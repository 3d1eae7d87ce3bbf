"""JSON API for the pharmacokinetic models: GET /api/pk/models and POST /api/pk/simulate."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from ketnav.pharmacology.serialize import models_dict, simulation_dict
from ketnav.pharmacology.simulate import Regimen, run
from ketnav.pharmacology.units import parse_dose_over
from ketnav.web.api import ErrorOut

router = Router(tags=["pharmacokinetics"])


class SimulateIn(Schema):
    model: str = "clements"
    route: str = "iv"
    dose: str = "0.5 mg/kg over 40 min"
    over: str | None = None
    weight_kg: float = 70.0
    age_years: float = 40.0
    hours: float = 24.0
    repeat_every_h: float | None = None
    repeats: int = 1


@router.get("/models", response=list[dict[str, Any]], summary="Published PK models with their sources")
def list_models(request: HttpRequest) -> list[dict[str, Any]]:
    return models_dict()


@router.post(
    "/simulate", response={200: dict[str, Any], 422: ErrorOut}, summary="Educational simulation (not dosing advice)"
)
def simulate(request: HttpRequest, payload: SimulateIn) -> dict[str, Any]:
    dose = parse_dose_over(payload.dose, payload.over)
    sim = run(
        payload.model,
        Regimen(payload.route.lower(), dose, payload.repeat_every_h, payload.repeats),
        weight_kg=payload.weight_kg,
        age_years=payload.age_years,
        hours=payload.hours,
    )
    return simulation_dict(sim)
