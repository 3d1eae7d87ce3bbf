from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from django.test import Client

from ketnav.citations.bibliography import bibliography
from ketnav.pharmacology.comparison import route_rows
from ketnav.pharmacology.models import MODELS
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


def test_routes_page_shows_table_plot_and_no_dosing_advice(client: Client) -> None:
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
