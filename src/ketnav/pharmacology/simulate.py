"""Running a published model for a dose by a route, and the numbers people read off the curve.

Outputs are educational population-typical curves, in ng/mL (1 mg/L = 1000 ng/mL).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ketnav.errors import InvalidInput
from ketnav.pharmacology.engine import Array, Input, simulate
from ketnav.pharmacology.models import MODELS, Covariates, PKModel, sample_variability
from ketnav.pharmacology.units import Dose, check_weight
from ketnav.routes import route_key

DISSOCIATION_BAND_NG_ML = (100.0, 250.0)  # Krystal 1994, via Zanos 2018


@dataclass(frozen=True)
class Regimen:
    route: str
    dose: Dose
    repeat_every_h: float | None = None
    repeats: int = 1

    def __post_init__(self) -> None:  # the shared route vocabulary: "esketamine" or "Spravato" is "nasal"
        object.__setattr__(self, "route", route_key(self.route) or self.route)


@dataclass(frozen=True)
class Metrics:
    cmax_ng_ml: float
    tmax_min: float
    auc_0_t_ng_h_ml: float
    auc_0_inf_ng_h_ml: float | None
    half_life_h: float | None
    minutes_above: dict[float, float]


@dataclass
class Simulation:
    model: PKModel
    regimen: Regimen
    covariates: Covariates
    times_min: Array
    parent_ng_ml: Array
    metabolite_ng_ml: Array | None
    effect_ng_ml: Array | None
    dose_mg: float
    metrics: Metrics
    warnings: list[str] = field(default_factory=list)


def model_by_id(model_id: str) -> PKModel:
    if model_id not in MODELS:
        raise InvalidInput(f"model: unknown model {model_id!r}; use one of {', '.join(MODELS)}")
    return MODELS[model_id]


def build_inputs(model: PKModel, regimen: Regimen, weight_kg: float) -> tuple[list[Input], float]:
    if regimen.route not in model.routes:
        raise InvalidInput(f"route: {model.name} covers {', '.join(model.routes)}, not {regimen.route!r}")
    if regimen.repeats < 1 or regimen.repeats > 60:
        raise InvalidInput("repeats: between 1 and 60 doses")
    if regimen.repeats > 1 and (regimen.repeat_every_h is None or regimen.repeat_every_h <= 0):
        raise InvalidInput("repeat_every_h: repeated doses need an interval of more than 0 hours")
    if regimen.dose.duration_min and regimen.route not in {"iv", "sc"}:
        raise InvalidInput(f"over: an infusion time applies to IV (or SC) dosing, not to {regimen.route}")
    amount = regimen.dose.mg(weight_kg)
    inputs: list[Input] = []
    for i in range(regimen.repeats):
        start = i * (regimen.repeat_every_h or 0.0) * 60.0
        inputs += model.inputs(regimen.route, amount, start, regimen.dose.duration_min or 0.0)
    return inputs, amount


def terminal_half_life(times_min: Array, conc: Array, *, min_points: int = 3) -> float | None:
    """Half-life (h) from log-linear regression on the terminal points, picking the fit with the best
    adjusted R-squared among the last 3..N points after the peak (the usual non-compartmental method)."""
    peak = int(np.argmax(conc))
    t, c = times_min[peak + 1 :], conc[peak + 1 :]
    keep = c > 0
    t, c = t[keep], c[keep]
    if len(t) < min_points:
        return None
    # Use up to 120 evenly spaced points from the post-peak tail to keep this cheap.
    idx = np.unique(np.linspace(0, len(t) - 1, min(len(t), 120)).astype(int))
    t, logc = t[idx], np.log(c[idx])
    best: tuple[float, float] | None = None
    for start in range(len(t) - min_points, -1, -max(1, len(t) // 30)):
        slope, intercept = np.polyfit(t[start:], logc[start:], 1)
        fitted = slope * t[start:] + intercept
        ss_res = float(np.sum((logc[start:] - fitted) ** 2))
        ss_tot = float(np.sum((logc[start:] - logc[start:].mean()) ** 2)) or 1e-300
        n = len(t) - start
        adj = 1 - (ss_res / ss_tot) * (n - 1) / max(1, n - 2)
        if slope < 0 and (best is None or adj > best[0] - 1e-4):
            best = (adj, slope)
    if best is None:
        return None
    return float(np.log(2) / -best[1] / 60.0)


def _minutes_above(times: Array, conc: Array, threshold: float) -> float:
    above = conc >= threshold
    return float(np.sum(np.diff(times)[above[:-1] & above[1:]])) if len(times) > 1 else 0.0


def metrics(times_min: Array, conc: Array, thresholds: tuple[float, ...] = DISSOCIATION_BAND_NG_ML) -> Metrics:
    peak = int(np.argmax(conc))
    auc_t = float(np.trapezoid(conc, times_min) / 60.0)
    half_life = terminal_half_life(times_min, conc)
    auc_inf = None
    if half_life:
        lam = np.log(2) / (half_life * 60.0)
        auc_inf = auc_t + float(conc[-1] / lam / 60.0)
    return Metrics(
        cmax_ng_ml=round(float(conc[peak]), 2),
        tmax_min=float(times_min[peak]),
        auc_0_t_ng_h_ml=round(auc_t, 2),
        auc_0_inf_ng_h_ml=round(auc_inf, 2) if auc_inf is not None else None,
        half_life_h=round(half_life, 3) if half_life else None,
        minutes_above={th: _minutes_above(times_min, conc, th) for th in thresholds},
    )


def _covariates(weight_kg: float, age_years: float, hours: float) -> Covariates:
    if not 0 < hours <= 24 * 7 * 8:
        raise InvalidInput("hours: simulate between 0 and 1,344 hours (8 weeks)")
    if not 0 <= age_years <= 120:
        raise InvalidInput(f"age: {age_years:g} is not a possible age (0-120 years)")
    return Covariates(weight_kg=check_weight(weight_kg), age_years=age_years)


def run(
    model_id: str,
    regimen: Regimen,
    *,
    weight_kg: float = 70.0,
    age_years: float = 40.0,
    hours: float = 24.0,
    step_min: float = 1.0,
) -> Simulation:
    model = model_by_id(model_id)
    cov = _covariates(weight_kg, age_years, hours)
    inputs, amount = build_inputs(model, regimen, cov.weight_kg)
    times = np.arange(0.0, hours * 60.0 + step_min / 2, step_min)
    system = model.system(regimen.route, cov)
    states = simulate(system.a, inputs, times)
    parent = np.clip(states[:, system.parent] / system.parent_volume * 1000.0, 0.0, None)
    metabolite = None
    if system.metabolite is not None and system.metabolite_volume is not None:
        metabolite = np.clip(states[:, system.metabolite] / system.metabolite_volume * 1000.0, 0.0, None)
    effect = np.clip(states[:, system.effect] * 1000.0, 0.0, None) if system.effect is not None else None
    return Simulation(
        model=model,
        regimen=regimen,
        covariates=cov,
        times_min=times,
        parent_ng_ml=parent,
        metabolite_ng_ml=metabolite,
        effect_ng_ml=effect,
        dose_mg=amount,
        metrics=metrics(times, parent),
        warnings=model.warnings(cov),
    )


def run_population(
    model_id: str,
    regimen: Regimen,
    *,
    n: int = 1000,
    weight_kg: float = 70.0,
    age_years: float = 40.0,
    hours: float = 24.0,
    step_min: float = 5.0,
    seed: int = 1,
) -> Array:
    """Parent concentrations (n, times) for n virtual patients with the model's published variability."""
    model = model_by_id(model_id)
    cov = _covariates(weight_kg, age_years, hours)
    variability = sample_variability(model_id, n, seed)
    if not variability:
        raise InvalidInput(f"model: {model.name} has no published between-subject variability in our sources")
    inputs, _amount = build_inputs(model, regimen, cov.weight_kg)
    times = np.arange(0.0, hours * 60.0 + step_min / 2, step_min)
    system = model.system(regimen.route, cov, variability)
    states = simulate(system.a, inputs, times)
    volume = np.broadcast_to(system.parent_volume, (n,))
    return np.asarray(np.clip(states[:, :, system.parent] / volume[:, None] * 1000.0, 0.0, None))
