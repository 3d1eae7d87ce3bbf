from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from django.test import Client

from ketnav.citations.bibliography import bibliography
from ketnav.pharmacology.comparison import route_rows
from ketnav.pharmacology.compartments import MODELS
from tests.conftest import ketnav_cmd

pytestmark = pytest.mark.django_db


def test_cli_simulate_json_has_the_figures(clean_env: dict[str, str], tmp_path: Path) -> None:
    plot = tmp_path / "curve.svg"
    out = subprocess.run(
        ketnav_cmd(
            "pk",
            "simulate",
            "--model",
            "clements",
            "--route",
            "iv",
            "--dose",
            "0.5 mg/kg",
            "--over",
            "40 min",
            "--weight",
            "70",
            "--json",
            "--plot",
            str(plot),
        ),
        env=clean_env,
        capture_output=True,
        text=True,
        check=True,
    )
    data = json.loads(out.stdout)
    assert {"cmax_ng_ml", "tmax_min", "auc_ng_h_ml", "half_life_h", "curve"} <= set(data)
    assert data["tmax_min"] == 40.0
    assert len(data["curve"]["time_min"]) == len(data["curve"]["parent_ng_ml"])
    assert plot.read_text().lstrip().startswith("<svg")


def test_cli_rejects_missing_unit_in_one_line(clean_env: dict[str, str]) -> None:
    out = subprocess.run(
        ketnav_cmd("pk", "simulate", "--model", "clements", "--route", "iv", "--dose", "35", "--weight", "70"),
        env=clean_env,
        capture_output=True,
        text=True,
    )
    assert out.returncode == 2
    assert out.stderr.strip() == "ketnav: error: dose: '35' needs a unit: mg or mg/kg (e.g. '0.5 mg/kg' or '35 mg')"


def test_api_models_and_simulate(client: Client) -> None:
    models = client.get("/api/pk/models").json()
    assert {m["id"] for m in models} == set(MODELS)
    assert all(m["citations"] for m in models)
    body = client.post(
        "/api/pk/simulate",
        {"model": "perez-ruixo", "route": "nasal", "dose": "84 mg", "weight_kg": 70},
        content_type="application/json",
    ).json()
    assert body["notice"].startswith("Educational")
    assert body["curve"]["metabolite"] == "noresketamine"
    bad = client.post("/api/pk/simulate", {"dose": "0.5 mg/kg over 0 min"}, content_type="application/json")
    assert bad.status_code == 422


def test_routes_page_shows_cards_plot_and_no_dosing_advice(client: Client) -> None:
    html = client.get("/tools/routes/").content.decode()
    assert "<svg" in html and "100–250 ng/mL" in html
    for row in route_rows():
        assert row.name in html
    lowered = html.lower()
    for advice in ("you should take", "take this dose", "recommended dose for you", "your dose is"):
        assert advice not in lowered
    assert "educational" in lowered


def test_every_model_and_route_citation_resolves() -> None:
    refs = bibliography()
    for model in MODELS.values():
        assert set(model.citations) <= set(refs)
    for row in route_rows():
        assert row.references


def _cli(clean_env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(ketnav_cmd("pk", "simulate", *args), env=clean_env, capture_output=True, text=True)


def test_cli_refuses_domino_im_with_exit_2_and_one_line(clean_env: dict[str, str]) -> None:
    out = _cli(clean_env, "--model", "domino", "--route", "im", "--dose", "0.5 mg/kg", "--weight", "70")
    assert out.returncode == 2
    assert out.stderr.count("\n") == 1 and "for IV infusions of 10 minutes or longer only" in out.stderr


def test_cli_refuses_esketamine_70_mg(clean_env: dict[str, str]) -> None:
    out = _cli(clean_env, "--model", "perez-ruixo", "--route", "nasal", "--dose", "70 mg", "--weight", "70")
    assert out.returncode == 2 and "only as 28 mg devices" in out.stderr


def test_api_refuses_domino_im_and_bolus_with_422(client: Client) -> None:
    for body in (
        {"model": "domino", "route": "im", "dose": "0.5 mg/kg"},
        {"model": "domino", "route": "iv", "dose": "0.5 mg/kg"},
        {"model": "clements", "route": "iv", "dose": "10 mg over 1 min"},
        {"model": "perez-ruixo", "route": "nasal", "dose": "70 mg"},
    ):
        res = client.post("/api/pk/simulate", body, content_type="application/json")
        assert res.status_code == 422, body
        assert res.json()["error"]["code"] == "invalid_input"


@pytest.mark.parametrize(
    "body",
    [
        {"model": "nonsense"},
        {"route": "rectal"},
        {"weight_kg": 0},
        {"weight_kg": 351},
        {"age_years": 121},
        {"hours": 0},
        {"repeats": 61},
        {"dose": "35 mg\u0000"},
        {"dose": "x" * 81},
        {"unknown": 1},
    ],
)
def test_api_rejects_out_of_range_simulation_requests_with_422(client: Client, body: dict[str, object]) -> None:
    res = client.post("/api/pk/simulate", body, content_type="application/json")
    assert res.status_code == 422
    assert res.json()["error"]["details"]


def test_openapi_states_the_pk_limits_and_typed_responses(client: Client) -> None:
    spec = client.get("/api/openapi.json").json()
    schemas = spec["components"]["schemas"]
    sim_in = schemas["SimulateIn"]["properties"]
    assert set(sim_in["model"]["enum"]) == set(MODELS)
    assert "intranasal" in sim_in["route"]["enum"]
    assert (sim_in["weight_kg"]["minimum"], sim_in["weight_kg"]["maximum"]) == (2, 350)
    assert sim_in["dose"]["maxLength"] == 80
    ok = spec["paths"]["/api/pk/simulate"]["post"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert ok["$ref"].endswith("/SimulationOut")
    assert "auc_window_h" in schemas["SimulationOut"]["properties"]
    models = spec["paths"]["/api/pk/models"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert models["items"]["$ref"].endswith("/ModelOut")


def test_web_cli_and_api_report_the_same_auc_over_the_same_stated_window(
    client: Client, clean_env: dict[str, str]
) -> None:
    args = ["--model", "clements", "--route", "iv", "--dose", "0.5 mg/kg", "--over", "40 min", "--weight", "70"]
    cli = json.loads(_cli(clean_env, *args, "--json").stdout)
    api = client.post(
        "/api/pk/simulate",
        {"model": "clements", "route": "iv", "dose": "0.5 mg/kg", "over": "40 min", "weight_kg": 70},
        content_type="application/json",
    ).json()
    page = client.get(
        "/tools/routes/",
        {
            "mode": "clinician",
            "ack": "1",
            "model": "clements",
            "route": "iv",
            "dose": "0.5 mg/kg",
            "over": "40 min",
            "weight": "70",
        },
    ).content.decode()
    assert cli["auc_ng_h_ml"] == api["auc_ng_h_ml"]
    assert cli["auc_window_h"] == api["auc_window_h"] == 24
    assert "AUC 0–24 h" in page
    assert f"{cli['auc_ng_h_ml']:.1f} ng·h/mL" in page


def test_clinician_mode_opens_only_after_the_acknowledgement(client: Client) -> None:
    params = {"mode": "clinician", "model": "clements", "route": "iv", "dose": "0.5 mg/kg", "over": "40 min"}
    locked = client.get("/tools/routes/", params).content.decode()
    assert "I am a clinician" in locked and "sim-result" not in locked and 'name="dose"' not in locked
    opened = client.get("/tools/routes/", {**params, "ack": "1"}).content.decode()
    assert "sim-result" in opened and 'name="dose"' in opened


def test_clinician_mode_shows_anaesthetic_warning_and_refusals(client: Client) -> None:
    base = {"mode": "clinician", "ack": "1", "model": "clements", "over": ""}
    warned = client.get("/tools/routes/", {**base, "route": "im", "dose": "7 mg/kg"}).content.decode()
    assert "anaesthetic range" in warned
    refused = client.get("/tools/routes/", {**base, "route": "im", "dose": "14 mg/kg"})
    assert refused.status_code == 422 and "highest dose in the ketamine" in refused.content.decode()


def test_routes_page_gives_plain_labels_with_the_technical_terms(client: Client) -> None:
    html = client.get("/tools/routes/").content.decode()
    assert "Share of the dose that reaches the blood" in html and "(bioavailability)" in html
    assert "Time to the highest blood level" in html and "(Tmax)" in html
    assert "nanograms of ketamine per millilitre" in html
    assert '<table class="routes"' not in html  # the wide table became cards
    for basis in ("published", "illustrative"):
        assert f'class="basis {basis}"' in html
    assert "Racemic ketamine: dissociative effects" in html  # the band's label, in the SVG's text
    assert "Norketamine" in html and "not modelled" in html
