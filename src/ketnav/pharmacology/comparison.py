"""The route comparison and the standard-protocol overlay, from cited data (routes.yaml)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml

from ketnav.citations.bibliography import Reference, resolve
from ketnav.pharmacology.compartments import MODELS
from ketnav.pharmacology.simulate import NORKETAMINE_ROUTES, Regimen, Simulation, run
from ketnav.pharmacology.units import parse_dose

# Each fact in plain words, with the technical term beside it for clinicians (None: no jargon to name).
FACT_LABELS: dict[str, tuple[str, str | None]] = {
    "bioavailability": ("Share of the dose that reaches the blood", "bioavailability"),
    "onset": ("Effects start", "onset"),
    "tmax": ("Time to the highest blood level", "Tmax"),
    "duration": ("Effects last", None),
    "dose_control": ("Can the dose be stopped or changed once given?", None),
    "variability": ("How much people differ from each other", "variability"),
    "setting": ("Where it is given", None),
    "typical_use": ("Typical use", None),
}
BASES = ("published", "illustrative")


@dataclass(frozen=True)
class RouteRow:
    route: str
    name: str
    facts: dict[str, str]
    evidence: str
    references: tuple[Reference, ...]
    protocol: dict[str, str]

    @property
    def labelled_facts(self) -> list[tuple[str, str | None, str]]:
        """(plain label, technical term or None, value) in display order."""
        return [(plain, term, self.facts[key]) for key, (plain, term) in FACT_LABELS.items()]

    @property
    def published(self) -> bool:
        return self.protocol["basis"] == "published"

    @property
    def norketamine(self) -> str:
        if MODELS[self.protocol["model"]].metabolite_name:
            return f"Modelled ({MODELS[self.protocol['model']].metabolite_name})"
        if self.route in NORKETAMINE_ROUTES:
            return "Not modelled; after this route it is higher than after an injection (see the note below)"
        return "Not modelled"


@cache
def route_rows() -> tuple[RouteRow, ...]:
    raw: list[dict[str, Any]] = yaml.safe_load(
        resources.files("ketnav.pharmacology").joinpath("routes.yaml").read_text(encoding="utf-8")
    )
    rows = []
    for entry in raw:
        facts = {k: str(entry[k]) for k in FACT_LABELS}
        protocol = {k: str(v) for k, v in entry["protocol"].items()}
        if protocol.get("basis") not in BASES:
            raise ValueError(f"routes.yaml: {entry['route']} protocol needs basis: published or illustrative")
        if protocol["model"] not in MODELS or entry["route"] not in MODELS[protocol["model"]].routes:
            raise ValueError(f"routes.yaml: {entry['route']} protocol model {protocol['model']} does not cover it")
        rows.append(
            RouteRow(
                entry["route"],
                entry["name"],
                facts,
                str(entry["evidence"]),
                tuple(resolve(entry["citations"])),
                protocol,
            )
        )
    return tuple(rows)


def protocol_simulations(*, hours: float = 6.0, weight_kg: float = 70.0) -> list[tuple[RouteRow, Simulation]]:
    out = []
    for row in route_rows():
        p = row.protocol
        out.append((row, run(p["model"], Regimen(row.route, parse_dose(p["dose"])), weight_kg=weight_kg, hours=hours)))
    return out
