"""Running a published model for a dose by a route, and the numbers people read off the curve.

Outputs are educational population-typical curves, in ng/mL (1 mg/L = 1000 ng/mL).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ketnav.errors import InvalidInput
from ketnav.pharmacology.compartments import MODELS, Covariates, PKModel, sample_variability
from ketnav.pharmacology.engine import Array, Input, simulate
from ketnav.pharmacology.units import Dose, check_weight
from ketnav.routes import route_key

DISSOCIATION_BAND_NG_ML = (100.0, 250.0)  # racemic ketamine only: Krystal 1994, via Zanos 2018
DEFAULT_HOURS = 24.0  # one window for every channel (CLI, API, web), so their AUCs agree

# The Ketalar label's dosing (read in copies of the current label; bibliography id ketalar-pi).
LABEL_MAX_MG_PER_KG = 13.0  # top of the IM induction range, the highest dose in the label
ANESTHETIC_MG_PER_KG = {"iv": (1.0, 4.5), "im": (6.5, 13.0)}  # induction ranges by route
SPRAVATO_DEVICE_MG = 28.0
SPRAVATO_DOSES_MG = (28.0, 56.0, 84.0)
NORKETAMINE_CAVEAT = (
    "Norketamine, ketamine's main breakdown product, is not modelled here. After swallowed or under-the-tongue "
    "ketamine its levels are far higher than after an injection (Yanagihara 2003), and after intranasal doses "
    "of 30 to 50 mg its peak exceeded ketamine's (Pharmacotherapy 2022, Table 6)."
)
NORKETAMINE_ROUTES = ("oral", "sublingual", "intranasal")


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
    auc_0_t_ng_h_ml: float  # area under the curve from the first dose to ``window_h``
    auc_0_inf_ng_h_ml: float | None
    half_life_h: float | None
    minutes_above: dict[float, float]
    window_h: float = 0.0


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
    caveats: list[str] = field(default_factory=list)  # limits of the model for this route, shown by the curve


def model_by_id(model_id: str) -> PKModel:
    if model_id not in MODELS:
        raise InvalidInput(f"model: unknown model {model_id!r}; use one of {', '.join(MODELS)}")
    return MODELS[model_id]


def _check_route(model: PKModel, regimen: Regimen) -> None:
    if regimen.route not in model.routes:
        hint = ""
        if model.racemic and regimen.route in MODELS["kamp"].routes and model.id != "kamp":
            hint = "; for intranasal racemic ketamine use the kamp model"
        elif model.racemic and regimen.route in MODELS["clements"].routes and model.id != "clements":
            hint = f"; for {regimen.route} use the clements model"
        if model.iv_min_infusion_min and model.routes == ("iv",):
            covers = f"is for IV infusions of {model.iv_min_infusion_min:g} minutes or longer only"
        else:
            covers = f"covers {', '.join(model.routes)}"
        raise InvalidInput(f"route: {model.name} {covers}, not {regimen.route!r}{hint}")
    if regimen.dose.duration_min and regimen.route not in {"iv", "sc"}:
        raise InvalidInput(f"over: an infusion time applies to IV (or SC) dosing, not to {regimen.route}")
    duration = regimen.dose.duration_min or 0.0
    if regimen.route == "iv" and duration < model.iv_min_infusion_min:
        given = f"over {duration:g} min" if duration else "as a bolus"
        raise InvalidInput(
            f"over: {model.name} describes IV infusions of {model.iv_min_infusion_min:g} minutes or longer, "
            f"not a dose given {given}; use the kamp model for boluses and short infusions"
        )


def _check_dose(model: PKModel, regimen: Regimen, *, amount_mg: float, weight_kg: float) -> None:
    devices_ok = not regimen.dose.per_kg and any(abs(amount_mg - d) < 1e-9 for d in SPRAVATO_DOSES_MG)
    if model.drug == "esketamine" and regimen.route == "nasal" and not devices_ok:
        given = str(regimen.dose)
        raise InvalidInput(
            f"dose: esketamine nasal spray (Spravato) comes only as {SPRAVATO_DEVICE_MG:g} mg devices, so a "
            f"session is 28, 56 or 84 mg, given in mg (not per kg); {given} is not possible"
        )
    per_kg = amount_mg / weight_kg
    if per_kg > LABEL_MAX_MG_PER_KG + 1e-9:
        raise InvalidInput(
            f"dose: {amount_mg:g} mg at {weight_kg:g} kg is {per_kg:.1f} mg/kg, above {LABEL_MAX_MG_PER_KG:g} mg/kg, "
            "the highest dose in the ketamine (Ketalar) label (intramuscular induction of anaesthesia)"
        )


def anesthetic_warnings(model: PKModel, route: str, *, amount_mg: float, weight_kg: float) -> list[str]:
    """Warnings for doses in the Ketalar label's anaesthetic induction range for the route."""
    if not model.racemic or route not in ANESTHETIC_MG_PER_KG:
        return []
    low, high = ANESTHETIC_MG_PER_KG[route]
    per_kg = amount_mg / weight_kg
    if per_kg < low:
        return []
    return [
        f"{per_kg:.2g} mg/kg {route.upper()} is in the anaesthetic range: the ketamine (Ketalar) label gives "
        f"{low:g} to {high:g} mg/kg {route.upper()} to induce general anaesthesia. Studies of depression and "
        "anxiety used about 0.5 mg/kg (up to about 1 mg/kg)."
    ]


def build_inputs(model: PKModel, regimen: Regimen, *, weight_kg: float) -> tuple[list[Input], float]:
    _check_route(model, regimen)
    if regimen.repeats < 1 or regimen.repeats > 60:
        raise InvalidInput("repeats: between 1 and 60 doses")
    if regimen.repeats > 1 and (regimen.repeat_every_h is None or regimen.repeat_every_h <= 0):
        raise InvalidInput("repeat_every_h: repeated doses need an interval of more than 0 hours")
    amount = regimen.dose.mg(weight_kg=weight_kg)
    _check_dose(model, regimen, amount_mg=amount, weight_kg=weight_kg)
    inputs: list[Input] = []
    for i in range(regimen.repeats):
        start = i * (regimen.repeat_every_h or 0.0) * 60.0
        inputs += model.inputs(
            regimen.route, amount_mg=amount, start_min=start, duration_min=regimen.dose.duration_min or 0.0
        )
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


def _minutes_above(times_min: Array, conc_ng_ml: Array, threshold_ng_ml: float) -> float:
    above = conc_ng_ml >= threshold_ng_ml
    return float(np.sum(np.diff(times_min)[above[:-1] & above[1:]])) if len(times_min) > 1 else 0.0


def metrics(
    times_min: Array, conc_ng_ml: Array, *, thresholds_ng_ml: tuple[float, ...] = DISSOCIATION_BAND_NG_ML
) -> Metrics:
    """Peak, time of peak, AUC over the simulated window (0 to the last time) and to infinity, half-life."""
    peak = int(np.argmax(conc_ng_ml))
    auc_t = float(np.trapezoid(conc_ng_ml, times_min) / 60.0)
    half_life = terminal_half_life(times_min, conc_ng_ml)
    auc_inf = None
    if half_life:
        lam = np.log(2) / (half_life * 60.0)
        auc_inf = auc_t + float(conc_ng_ml[-1] / lam / 60.0)
    return Metrics(
        cmax_ng_ml=round(float(conc_ng_ml[peak]), 2),
        tmax_min=float(times_min[peak]),
        auc_0_t_ng_h_ml=round(auc_t, 2),
        auc_0_inf_ng_h_ml=round(auc_inf, 2) if auc_inf is not None else None,
        half_life_h=round(half_life, 3) if half_life else None,
        minutes_above={th: _minutes_above(times_min, conc_ng_ml, th) for th in thresholds_ng_ml},
        window_h=float(times_min[-1]) / 60.0,
    )


def _covariates(*, weight_kg: float, age_years: float, hours: float) -> Covariates:
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
    hours: float = DEFAULT_HOURS,
    step_min: float = 1.0,
) -> Simulation:
    model = model_by_id(model_id)
    cov = _covariates(weight_kg=weight_kg, age_years=age_years, hours=hours)
    inputs, amount = build_inputs(model, regimen, weight_kg=cov.weight_kg)
    times = np.arange(0.0, hours * 60.0 + step_min / 2, step_min)
    system = model.system(regimen.route, cov=cov)
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
        warnings=model.warnings(cov)
        + anesthetic_warnings(model, regimen.route, amount_mg=amount, weight_kg=cov.weight_kg),
        caveats=_caveats(model, regimen.route),
    )


def _caveats(model: PKModel, route: str) -> list[str]:
    out = []
    if model.racemic and model.metabolite_name == "" and route in NORKETAMINE_ROUTES:
        out.append(NORKETAMINE_CAVEAT)
    if model.sampling == "arterial":
        out.append(
            f"The {model.id} model gives arterial concentrations; in the first minutes and during infusions they "
            "run above the venous levels most studies report."
        )
    return out


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
    cov = _covariates(weight_kg=weight_kg, age_years=age_years, hours=hours)
    variability = sample_variability(model_id, n=n, seed=seed)
    if not variability:
        raise InvalidInput(f"model: {model.name} has no published between-subject variability in our sources")
    inputs, _amount = build_inputs(model, regimen, weight_kg=cov.weight_kg)
    times = np.arange(0.0, hours * 60.0 + step_min / 2, step_min)
    system = model.system(regimen.route, cov=cov, variability=variability)
    states = simulate(system.a, inputs, times)
    volume = np.broadcast_to(system.parent_volume, (n,))
    return np.asarray(np.clip(states[:, :, system.parent] / volume[:, None] * 1000.0, 0.0, None))
