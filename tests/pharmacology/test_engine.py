"""The engine against a numerical reference (exact vs ODE) and the models against published values.

Published values: Zarate 2006 Cmax about 185 ng/mL after 0.5 mg/kg over 40 min (via Zanos 2018,
Table 1); esketamine Tmax 20-40 min after the last spray, dose-proportional exposure and no
accumulation with twice-weekly dosing (Spravato label / J&J Medical Information; Perez-Ruixo 2021).
"""

from __future__ import annotations

import numpy as np
import pytest

from ketnav.errors import InvalidInput
from ketnav.pharmacology.compartments import MODELS, RACEMIC_ABSORPTION, Covariates
from ketnav.pharmacology.engine import simulate
from ketnav.pharmacology.simulate import Regimen, build_inputs, run, run_population
from ketnav.pharmacology.units import parse_dose
from tests.pharmacology.ode_reference import simulate_ode


@pytest.mark.parametrize(
    ("model_id", "route", "dose"),
    [
        ("clements", "iv", "0.5 mg/kg over 40 min"),
        ("domino", "iv", "35 mg over 10 min"),
        ("kamp", "iv", "10 mg over 1 min"),
        ("kamp", "intranasal", "50 mg"),
        ("fanta-otto", "oral", "100 mg"),
        ("perez-ruixo", "nasal", "84 mg"),
        ("perez-ruixo", "oral", "84 mg"),
    ],
)
def test_exact_solution_matches_the_ode_solver(model_id: str, route: str, dose: str) -> None:
    model = MODELS[model_id]
    inputs, _ = build_inputs(model, Regimen(route, parse_dose(dose)), weight_kg=70.0)
    system = model.system(route, cov=Covariates())
    times = np.arange(0.0, 12 * 60.0 + 0.5, 1.0)
    exact = simulate(system.a, inputs, times)
    numeric = simulate_ode(system.a, inputs, times)
    scale = np.abs(numeric).max()
    assert np.max(np.abs(exact - numeric)) / scale < 1e-5


def test_zarate_protocol_cmax_within_35_percent_and_tmax_at_end_of_infusion() -> None:
    """Zarate 2006 (Arch Gen Psychiatry 63:856), via Zanos 2018 Table 1: mean Cmax about 185 ng/mL."""
    for model_id in ("clements", "domino"):
        sim = run(model_id, Regimen("iv", parse_dose("0.5 mg/kg over 40 min")), weight_kg=70)
        assert abs(sim.metrics.cmax_ng_ml - 185) / 185 <= 0.35, model_id
        assert sim.metrics.tmax_min == 40.0


@pytest.mark.parametrize("route", list(RACEMIC_ABSORPTION))
def test_auc_ratio_equals_bioavailability(route: str) -> None:
    hours = 72.0
    model = "kamp" if route == "intranasal" else "clements"
    iv = run(model, Regimen("iv", parse_dose("35 mg over 10 min")), hours=hours)
    other = run(model, Regimen(route, parse_dose("35 mg")), hours=hours)
    ratio = other.metrics.auc_0_inf_ng_h_ml / iv.metrics.auc_0_inf_ng_h_ml  # type: ignore[operator]
    assert ratio == pytest.approx(RACEMIC_ABSORPTION[route].bioavailability, rel=0.01)


@pytest.mark.parametrize("model_id", list(MODELS))
def test_amounts_are_never_negative(model_id: str) -> None:
    model = MODELS[model_id]
    route = model.routes[0]
    inputs, _ = build_inputs(
        model, Regimen(route, parse_dose("56 mg over 10 min" if route == "iv" else "56 mg")), weight_kg=70.0
    )
    states = simulate(model.system(route, cov=Covariates()).a, inputs, np.arange(0.0, 48 * 60.0, 1.0))
    assert states.min() > -1e-9


@pytest.mark.parametrize("model_id", ["clements", "kamp", "domino", "fanta-otto"])
def test_half_life_from_the_curve_matches_the_terminal_rate_constant(model_id: str) -> None:
    model = MODELS[model_id]
    system = model.system("iv", cov=Covariates())
    # The slowest eigenvalue of the parent's disposition (excluding depot and effect-site states).
    parent_states = [i for i, name in enumerate(system.names) if not name.startswith(("nor", "depot", "effect"))]
    eig = np.linalg.eigvals(np.asarray(system.a)[np.ix_(parent_states, parent_states)])
    expected_h = np.log(2) / -max(e.real for e in eig if e.real < 0) / 60.0
    sim = run(model_id, Regimen("iv", parse_dose("35 mg over 10 min")), hours=10 * expected_h + 24)
    assert sim.metrics.half_life_h == pytest.approx(expected_h, rel=0.02)


def test_esketamine_tmax_20_to_40_min_after_last_spray_and_dose_proportional() -> None:
    s56 = run("perez-ruixo", Regimen("nasal", parse_dose("56 mg")), hours=48)
    s84 = run("perez-ruixo", Regimen("nasal", parse_dose("84 mg")), hours=48)
    assert 20 <= s56.metrics.tmax_min - 5 <= 40  # two devices: last spray at 5 min
    assert 20 <= s84.metrics.tmax_min - 10 <= 40  # three devices: last spray at 10 min
    ratio = s84.metrics.auc_0_inf_ng_h_ml / s56.metrics.auc_0_inf_ng_h_ml  # type: ignore[operator]
    assert 1.3 <= ratio <= 1.6  # roughly dose-proportional (dose ratio 1.5)
    assert s84.metrics.half_life_h is not None
    assert 7 <= s84.metrics.half_life_h <= 12  # label: terminal half-life 7-12 h


def test_no_accumulation_with_twice_weekly_dosing() -> None:
    weekly = Regimen("nasal", parse_dose("84 mg"), repeat_every_h=84, repeats=8)  # twice weekly for 4 weeks
    sim = run("perez-ruixo", weekly, hours=4 * 7 * 24)
    first = sim.parent_ng_ml[sim.times_min < 84 * 60].max()
    last = sim.parent_ng_ml[sim.times_min >= 7 * 84 * 60].max()
    assert last / first == pytest.approx(1.0, abs=0.02)


def test_population_varies_around_the_typical_curve() -> None:
    pop = run_population("perez-ruixo", Regimen("nasal", parse_dose("84 mg")), n=300, seed=3)
    typical = run("perez-ruixo", Regimen("nasal", parse_dose("84 mg")), hours=24, step_min=5.0)
    peaks = pop.max(axis=1)
    assert peaks.std() / peaks.mean() > 0.1
    assert np.median(peaks) == pytest.approx(typical.metrics.cmax_ng_ml, rel=0.25)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("35", "needs a unit"),
        ("5 ml", "is a volume"),
        ("-3 mg", "more than zero"),
        ("0 mg/kg", "more than zero"),
        ("50 mg/kg", "above 13 mg/kg, the highest dose in the ketamine"),
        ("5000 mg", "above 4,550 mg"),
        ("35 mg\x00", "no control characters"),
        ("0.5 mg/kg over 0 min", "more than zero"),
        ("0.5 mg/kg over 40", "not a dose"),
        ("lots", "not a dose"),
    ],
)
def test_it_rejects_bad_doses(text: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        parse_dose(text)


def test_it_parses_doses_and_converts_units() -> None:
    assert parse_dose("0.5 mg/kg over 40 min").mg(weight_kg=70) == pytest.approx(35)
    assert parse_dose("0.5 mg/kg over 40 min").duration_min == 40
    assert parse_dose("500 mcg/kg over 1 h").duration_min == 60
    assert parse_dose("84 mg").mg(weight_kg=50) == 84


@pytest.mark.parametrize("weight", [0, -70, 900])
def test_it_rejects_absurd_weights(weight: float) -> None:
    with pytest.raises(InvalidInput, match="not a possible body weight"):
        run("clements", Regimen("iv", parse_dose("35 mg over 40 min")), weight_kg=weight)


def test_outside_validated_range_gives_result_and_warning() -> None:
    sim = run("perez-ruixo", Regimen("nasal", parse_dose("56 mg")), weight_kg=200)
    assert sim.metrics.cmax_ng_ml > 0
    assert any("outside the 39-170 kg" in w for w in sim.warnings)


def test_route_must_belong_to_the_model_and_infusions_to_iv() -> None:
    with pytest.raises(InvalidInput, match="not 'nasal'"):
        run("clements", Regimen("nasal", parse_dose("56 mg")))
    with pytest.raises(InvalidInput, match="applies to IV"):
        run("clements", Regimen("oral", parse_dose("50 mg over 40 min")))
