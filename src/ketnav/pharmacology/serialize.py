"""PK results and models as JSON-ready dicts, for the CLI and the API."""

from __future__ import annotations

from typing import Any

from ketnav.citations.bibliography import resolve
from ketnav.pharmacology.models import MODELS, PKModel
from ketnav.pharmacology.simulate import Simulation

EDUCATIONAL = (
    "Educational simulation of typical population curves; not a prediction for any person and not dosing advice."
)


def model_dict(model: PKModel) -> dict[str, Any]:
    return {
        "id": model.id,
        "name": model.name,
        "drug": model.drug,
        "structure": model.structure,
        "routes": list(model.routes),
        "population": model.population,
        "validated_weight_kg": list(model.weight_range),
        "validated_age_years": list(model.age_range),
        "evidence": model.evidence,
        "metabolite": model.metabolite_name or None,
        "notes": list(model.notes),
        "citations": [{"id": r.id, "citation": r.citation(), "link": r.link} for r in resolve(model.citations)],
    }


def models_dict() -> list[dict[str, Any]]:
    return [model_dict(m) for m in MODELS.values()]


def simulation_dict(sim: Simulation, *, every_min: float = 5.0) -> dict[str, Any]:
    step = max(1, round(every_min / float(sim.times_min[1] - sim.times_min[0]))) if len(sim.times_min) > 1 else 1
    m = sim.metrics
    return {
        "notice": EDUCATIONAL,
        "model": sim.model.id,
        "route": sim.regimen.route,
        "dose": str(sim.regimen.dose),
        "dose_mg": round(sim.dose_mg, 3),
        "weight_kg": sim.covariates.weight_kg,
        "age_years": sim.covariates.age_years,
        "warnings": sim.warnings,
        "cmax_ng_ml": m.cmax_ng_ml,
        "tmax_min": m.tmax_min,
        "auc_ng_h_ml": m.auc_0_t_ng_h_ml,
        "auc_inf_ng_h_ml": m.auc_0_inf_ng_h_ml,
        "half_life_h": m.half_life_h,
        "minutes_above_ng_ml": {f"{k:g}": v for k, v in m.minutes_above.items()},
        "curve": {
            "time_min": [float(t) for t in sim.times_min[::step]],
            "parent_ng_ml": [round(float(c), 3) for c in sim.parent_ng_ml[::step]],
            "metabolite_ng_ml": (
                [round(float(c), 3) for c in sim.metabolite_ng_ml[::step]] if sim.metabolite_ng_ml is not None else None
            ),
            "metabolite": sim.model.metabolite_name or None,
        },
    }
