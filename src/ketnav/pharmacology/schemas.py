"""Typed request and response schemas of the PK API (pure pydantic, no Django).

The request schema states its real limits (model and route enums, dose text length, weight, age and
window ranges) so ``/api/openapi.json`` and clients know them; the CLI's ``--json`` prints the same
response schema.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ketnav.citations.bibliography import resolve
from ketnav.citations.schemas import ReferenceOut
from ketnav.pharmacology.compartments import MODELS, PKModel
from ketnav.pharmacology.simulate import DEFAULT_HOURS, Simulation

EDUCATIONAL = (
    "Educational simulation of typical population curves; not a prediction for any person and not dosing advice."
)
ModelId = Literal["clements", "kamp", "domino", "fanta-otto", "perez-ruixo"]
Route = Literal["iv", "im", "nasal", "intranasal", "sublingual", "oral", "sc"]
assert set(ModelId.__args__) == set(MODELS), "ModelId must list ketnav.pharmacology.compartments.MODELS"  # type: ignore[attr-defined]


class SimulateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    model: ModelId = "clements"
    route: Route = "iv"
    dose: str = Field(
        default="0.5 mg/kg over 40 min",
        min_length=1,
        max_length=80,
        description="A dose with its unit, e.g. '0.5 mg/kg', '35 mg', '0.5 mg/kg over 40 min', '84 mg'. "
        "At most 13 mg/kg, the highest dose in the ketamine (Ketalar) label.",
    )
    over: str | None = Field(default=None, max_length=30, description="Infusion time for IV or SC, e.g. '40 min'.")
    weight_kg: float = Field(default=70.0, ge=2, le=350)
    age_years: float = Field(default=40.0, ge=0, le=120)
    hours: float = Field(
        default=DEFAULT_HOURS, gt=0, le=1344, description="Window simulated, and over which the AUC is taken."
    )
    repeat_every_h: float | None = Field(default=None, gt=0, le=24 * 28)
    repeats: int = Field(default=1, ge=1, le=60)

    @field_validator("dose", "over")
    @classmethod
    def _printable(cls, value: str | None) -> str | None:
        if value is not None and any(ord(ch) < 32 for ch in value):
            raise ValueError("contains a control character (such as NUL); type the dose as plain text")
        return value


class ModelOut(BaseModel):
    id: str
    name: str
    drug: str
    structure: str
    routes: list[str]
    population: str
    validated_weight_kg: list[float]
    validated_age_years: list[float]
    iv_min_infusion_min: float = Field(description="IV doses faster than this are refused (0: any).")
    sampling: Literal["venous", "arterial"]
    evidence: str
    metabolite: str | None
    notes: list[str]
    citations: list[ReferenceOut]

    @classmethod
    def of(cls, model: PKModel) -> ModelOut:
        return cls(
            id=model.id,
            name=model.name,
            drug=model.drug,
            structure=model.structure,
            routes=list(model.routes),
            population=model.population,
            validated_weight_kg=list(model.weight_range),
            validated_age_years=list(model.age_range),
            iv_min_infusion_min=model.iv_min_infusion_min,
            sampling=model.sampling,  # type: ignore[arg-type]
            evidence=model.evidence,
            metabolite=model.metabolite_name or None,
            notes=list(model.notes),
            citations=[ReferenceOut.of(r) for r in resolve(model.citations)],
        )


class CurveOut(BaseModel):
    time_min: list[float]
    parent_ng_ml: list[float]
    metabolite_ng_ml: list[float] | None
    metabolite: str | None


class SimulationOut(BaseModel):
    notice: str
    model: str
    route: str
    dose: str
    dose_mg: float
    weight_kg: float
    age_years: float
    warnings: list[str]
    caveats: list[str] = Field(description="Limits of the model for this route, e.g. norketamine not modelled.")
    cmax_ng_ml: float
    tmax_min: float
    auc_ng_h_ml: float = Field(description="Area under the curve from 0 to auc_window_h hours.")
    auc_window_h: float
    auc_inf_ng_h_ml: float | None
    half_life_h: float | None
    minutes_above_ng_ml: dict[str, float]
    curve: CurveOut

    @classmethod
    def of(cls, sim: Simulation, *, every_min: float = 5.0) -> SimulationOut:
        dt = float(sim.times_min[1] - sim.times_min[0]) if len(sim.times_min) > 1 else 1.0
        step = max(1, round(every_min / dt))
        m = sim.metrics
        return cls(
            notice=EDUCATIONAL,
            model=sim.model.id,
            route=sim.regimen.route,
            dose=str(sim.regimen.dose),
            dose_mg=round(sim.dose_mg, 3),
            weight_kg=sim.covariates.weight_kg,
            age_years=sim.covariates.age_years,
            warnings=sim.warnings,
            caveats=sim.caveats,
            cmax_ng_ml=m.cmax_ng_ml,
            tmax_min=m.tmax_min,
            auc_ng_h_ml=m.auc_0_t_ng_h_ml,
            auc_window_h=round(m.window_h, 3),
            auc_inf_ng_h_ml=m.auc_0_inf_ng_h_ml,
            half_life_h=m.half_life_h,
            minutes_above_ng_ml={f"{k:g}": v for k, v in m.minutes_above.items()} if sim.model.racemic else {},
            curve=CurveOut(
                time_min=[float(t) for t in sim.times_min[::step]],
                parent_ng_ml=[round(float(c), 3) for c in sim.parent_ng_ml[::step]],
                metabolite_ng_ml=(
                    [round(float(c), 3) for c in sim.metabolite_ng_ml[::step]]
                    if sim.metabolite_ng_ml is not None
                    else None
                ),
                metabolite=sim.model.metabolite_name or None,
            ),
        )
