"""JSON API for the pharmacokinetic models: GET /api/pk/models and POST /api/pk/simulate.

Typed request and response schemas (ketnav.pharmacology.schemas), so the OpenAPI document states
the model and route enums, the dose limits and the AUC window.
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router

from ketnav.pharmacology.compartments import MODELS
from ketnav.pharmacology.schemas import ModelOut, SimulateIn, SimulationOut
from ketnav.pharmacology.simulate import Regimen, run
from ketnav.pharmacology.units import parse_dose_over
from ketnav.schemas import ErrorOut

router = Router(tags=["pharmacokinetics"])


@router.get("/models", response=list[ModelOut], summary="Published PK models with their sources")
def list_models(request: HttpRequest) -> list[ModelOut]:
    return [ModelOut.of(m) for m in MODELS.values()]


@router.post(
    "/simulate", response={200: SimulationOut, 422: ErrorOut}, summary="Educational simulation (not dosing advice)"
)
def simulate(request: HttpRequest, payload: SimulateIn) -> SimulationOut:
    dose = parse_dose_over(payload.dose, payload.over)
    sim = run(
        payload.model,
        Regimen(payload.route, dose, payload.repeat_every_h, payload.repeats),
        weight_kg=payload.weight_kg,
        age_years=payload.age_years,
        hours=payload.hours,
    )
    return SimulationOut.of(sim)
