"""Issue 14, pharmacokinetics: fast inputs, model limits, esketamine devices, label dose limits, caveats.

Reference observations (Pharmacotherapy 2022;42(4):298, doi 10.1002/phar.2669, PMC9118341 Table 6,
geometric means with geometric SD):
- 10 mg IV over 1 min: Cmax 296 ng/mL (GSD 1.71, n = 9), Tmax 2 min (first sample).
- 50 mg intranasal: Cmax 77.6 ng/mL (GSD 2.29, n = 10), Tmax 16 min (GSD 4.4).

Tolerance: a typical-population curve should fall inside the 95% confidence interval of the observed
geometric mean, exp(±1.96·ln(GSD)/√n): ×/÷1.42 for the IV Cmax, ×/÷1.67 for the intranasal Cmax and
×/÷2.50 for the intranasal Tmax. Tighter than that would be claiming more than 9 or 10 volunteers can
show; looser would let a model that is off by the 2-4 fold the issue reports pass. The IV check is
independent of the model (Kamp 2020 pooled studies published before 2022); the intranasal one is not
entirely, because our intranasal bioavailability (15%) sits in the 11-17% range this study reported.
"""

from __future__ import annotations

import math
from typing import Any

import pytest

from ketnav.errors import InvalidInput
from ketnav.pharmacology.comparison import route_rows
from ketnav.pharmacology.compartments import MODELS, Covariates
from ketnav.pharmacology.plot import BAND_LABEL, overlay_figure, protocol_figure
from ketnav.pharmacology.simulate import (
    DISSOCIATION_BAND_NG_ML,
    NORKETAMINE_CAVEAT,
    Regimen,
    run,
)
from ketnav.pharmacology.units import parse_dose


def ci_factor(gsd: float, n: int) -> float:
    return math.exp(1.96 * math.log(gsd) / math.sqrt(n))


def within(predicted: float, observed: float, factor: float) -> bool:
    return observed / factor <= predicted <= observed * factor


def test_kamp_matches_the_one_minute_iv_dose_within_the_95_percent_ci() -> None:
    sim = run("kamp", Regimen("iv", parse_dose("10 mg over 1 min")), weight_kg=70, step_min=1.0)
    factor = ci_factor(1.71, 9)
    assert within(sim.metrics.cmax_ng_ml, 296, factor), sim.metrics.cmax_ng_ml
    at_2_min = float(sim.parent_ng_ml[sim.times_min == 2.0][0])
    assert within(at_2_min, 296, factor), at_2_min  # the study's first sample, where its Cmax was seen


def test_kamp_matches_intranasal_50_mg_within_the_95_percent_ci() -> None:
    sim = run("kamp", Regimen("intranasal", parse_dose("50 mg")), weight_kg=70, step_min=1.0)
    assert within(sim.metrics.cmax_ng_ml, 77.6, ci_factor(2.29, 10)), sim.metrics.cmax_ng_ml
    assert within(sim.metrics.tmax_min, 16, ci_factor(4.4, 10)), sim.metrics.tmax_min


def test_clements_is_outside_both_tolerances_which_is_why_it_refuses_fast_inputs() -> None:
    """The 2-4 fold under-prediction the issue reports, reproduced with Clements' own parameters."""
    model = MODELS["clements"]
    system = model.system("iv", cov=Covariates())
    v1 = float(system.parent_volume)
    # A 10 mg dose spread at once into Clements' central volume cannot exceed 10 mg / V1.
    assert 10.0 / v1 * 1000 < 296 / ci_factor(1.71, 9)
    with pytest.raises(InvalidInput, match=r"10 minutes or longer.*use the kamp model"):
        run("clements", Regimen("iv", parse_dose("10 mg over 1 min")))
    with pytest.raises(InvalidInput, match="as a bolus"):
        run("clements", Regimen("iv", parse_dose("10 mg")))
    with pytest.raises(InvalidInput, match="for intranasal racemic ketamine use the kamp model"):
        run("clements", Regimen("intranasal", parse_dose("50 mg")))


@pytest.mark.parametrize(("route", "dose"), [("im", "0.5 mg/kg"), ("oral", "50 mg"), ("intranasal", "50 mg")])
def test_it_refuses_domino_for_any_route_but_iv(route: str, dose: str) -> None:
    with pytest.raises(InvalidInput, match="is for IV infusions of 10 minutes or longer only"):
        run("domino", Regimen(route, parse_dose(dose)))


@pytest.mark.parametrize("dose", ["0.5 mg/kg", "0.5 mg/kg over 9 min"])
def test_it_refuses_domino_for_boluses_and_short_infusions(dose: str) -> None:
    with pytest.raises(InvalidInput, match="describes IV infusions of 10 minutes or longer"):
        run("domino", Regimen("iv", parse_dose(dose)))


def test_domino_still_runs_its_own_case() -> None:
    sim = run("domino", Regimen("iv", parse_dose("0.5 mg/kg over 40 min")))
    assert sim.metrics.tmax_min == 40.0


@pytest.mark.parametrize("dose", ["70 mg", "30 mg", "112 mg", "0.8 mg/kg", "1 mg/kg"])
def test_it_rejects_esketamine_doses_that_are_not_whole_28_mg_devices(dose: str) -> None:
    with pytest.raises(InvalidInput, match="only as 28 mg devices"):
        run("perez-ruixo", Regimen("nasal", parse_dose(dose)))


@pytest.mark.parametrize("dose", ["28 mg", "56 mg", "84 mg"])
def test_esketamine_device_doses_run(dose: str) -> None:
    assert run("perez-ruixo", Regimen("nasal", parse_dose(dose))).metrics.cmax_ng_ml > 0


@pytest.mark.parametrize(
    ("model", "route", "dose", "warned"),
    [
        ("clements", "iv", "0.5 mg/kg over 40 min", False),
        ("clements", "iv", "0.99 mg/kg over 40 min", False),
        ("clements", "iv", "1 mg/kg over 10 min", True),
        ("kamp", "iv", "2 mg/kg over 1 min", True),
        ("clements", "im", "6.4 mg/kg", False),
        ("clements", "im", "6.5 mg/kg", True),
        ("clements", "im", "13 mg/kg", True),
    ],
)
def test_it_warns_at_the_labels_anaesthetic_induction_doses(model: str, route: str, dose: str, warned: bool) -> None:
    sim = run(model, Regimen(route, parse_dose(dose)), weight_kg=70)
    assert any("anaesthetic range" in w and "Ketalar" in w for w in sim.warnings) is warned


def test_it_rejects_doses_above_the_labels_highest_dose() -> None:
    with pytest.raises(InvalidInput, match="above 13 mg/kg, the highest dose in the ketamine"):
        parse_dose("13.1 mg/kg")
    with pytest.raises(InvalidInput, match=r"14\.3 mg/kg, above 13 mg/kg"):
        run("clements", Regimen("im", parse_dose("1000 mg")), weight_kg=70)
    assert run("clements", Regimen("im", parse_dose("900 mg")), weight_kg=70).dose_mg == 900


@pytest.mark.parametrize(
    ("model", "route", "dose"),
    [("clements", "oral", "50 mg"), ("clements", "sublingual", "25 mg"), ("kamp", "intranasal", "50 mg")],
)
def test_norketamine_caveat_on_routes_where_it_dominates(model: str, route: str, dose: str) -> None:
    sim = run(model, Regimen(route, parse_dose(dose)))
    assert NORKETAMINE_CAVEAT in sim.caveats


@pytest.mark.parametrize(
    ("model", "route", "dose"),
    [("clements", "iv", "35 mg over 40 min"), ("clements", "im", "35 mg"), ("perez-ruixo", "nasal", "56 mg")],
)
def test_no_norketamine_caveat_where_it_does_not_apply(model: str, route: str, dose: str) -> None:
    assert NORKETAMINE_CAVEAT not in run(model, Regimen(route, parse_dose(dose))).caveats


def _labels(ax: Any) -> list[str]:
    return list(ax.get_legend_handles_labels()[1])


def test_the_racemic_band_is_never_drawn_on_esketamine() -> None:
    band = BAND_LABEL.format(low=DISSOCIATION_BAND_NG_ML[0], high=DISSOCIATION_BAND_NG_ML[1])
    assert band.startswith("Racemic ketamine")
    esk = run("perez-ruixo", Regimen("nasal", parse_dose("56 mg")), hours=6)
    ket = run("clements", Regimen("iv", parse_dose("0.5 mg/kg over 40 min")), hours=6)
    assert band not in _labels(overlay_figure([("esketamine", esk)], title="t").axes[0])
    assert band in _labels(overlay_figure([("ketamine", ket)], title="t").axes[0])
    racemic_ax, esk_ax = protocol_figure([("ketamine", ket), ("esketamine", esk)], title="t").axes
    assert band in _labels(racemic_ax) and "esketamine" not in _labels(racemic_ax)
    assert band not in _labels(esk_ax) and "esketamine" in _labels(esk_ax)


@pytest.mark.parametrize("layout", ["wide", "narrow"])
def test_the_legend_sits_below_the_curves_not_on_them(layout: str) -> None:
    from ketnav.pharmacology.comparison import protocol_simulations

    sims = protocol_simulations(hours=6.0)
    fig = protocol_figure([(row.protocol["label"], sim) for row, sim in sims], title="t", layout=layout)
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    renderer = FigureCanvasAgg(fig).get_renderer()  # type: ignore[no-untyped-call]
    for ax in fig.axes:
        legend = ax.get_legend()
        assert legend is not None
        assert legend.get_window_extent(renderer).y1 <= ax.get_window_extent(renderer).y0


def test_every_protocol_says_whether_it_is_published_or_illustrative() -> None:
    basis = {row.route: row.protocol["basis"] for row in route_rows()}
    assert set(basis.values()) <= {"published", "illustrative"}
    assert basis["iv"] == "published" and basis["nasal"] == "published"
    assert basis["im"] == "illustrative" and basis["oral"] == "illustrative"
    for row in route_rows():
        assert row.route in MODELS[row.protocol["model"]].routes


def test_auc_window_is_reported_with_the_auc() -> None:
    sim = run("clements", Regimen("iv", parse_dose("0.5 mg/kg over 40 min")))
    assert sim.metrics.window_h == 24.0
