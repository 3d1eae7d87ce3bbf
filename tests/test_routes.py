"""One vocabulary of routes across costs, aftercare and the PK tools (ketnav.routes)."""

from __future__ import annotations

import datetime as dt

import pytest

from ketnav.clinics.fields import check
from ketnav.clinics.profile import Clinic
from ketnav.pharmacology.simulate import Regimen, run
from ketnav.pharmacology.units import parse_dose
from ketnav.routes import ALIASES, ROUTES, route_key
from ketnav.safety.aftercare import plan


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("esketamine", "nasal"),
        (" Spravato ", "nasal"),
        ("IV", "iv"),
        ("intravenous", "iv"),
        ("buccal", "sublingual"),
        ("nasal", "nasal"),
    ],
)
def test_every_spelling_reads_as_one_key(text: str, key: str) -> None:
    assert route_key(text) == key


@pytest.mark.parametrize("text", ["", "walk", "in", None, 3])
def test_an_unknown_route_is_none(text: object) -> None:
    assert route_key(text) is None


def test_aliases_point_at_keys() -> None:
    assert set(ALIASES.values()) <= set(ROUTES)


def test_costs_aftercare_and_pk_accept_the_same_names() -> None:
    """The file that worked in one tool works in the next: "esketamine" and "nasal" everywhere."""
    end = dt.datetime(2026, 1, 10, 15, 0)
    for name in ("nasal", "esketamine"):
        clinic = check(
            Clinic,
            {
                "name": "Synthetic (example)",
                "currency": "USD",
                "quoted_on": "2026-01-02",
                "source": "notes",
                "prices": {"session": {name: 900}},
            },
        )
        assert clinic.routes == ["nasal"]
        assert plan(session_end=end, route=name).route == plan(session_end=end, route="nasal").route
        sim = run("perez-ruixo", Regimen(name, parse_dose("56 mg")), weight_kg=70)
        assert sim.regimen.route == "nasal"
