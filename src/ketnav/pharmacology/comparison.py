"""The route comparison table and the standard-protocol overlay, from cited data (routes.yaml)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml

from ketnav.citations.bibliography import Reference, resolve
from ketnav.pharmacology.simulate import Regimen, Simulation, run
from ketnav.pharmacology.units import parse_dose


@dataclass(frozen=True)
class RouteRow:
    route: str
    name: str
    facts: dict[str, str]
    evidence: str
    references: tuple[Reference, ...]
    protocol: dict[str, str]


@cache
def route_rows() -> tuple[RouteRow, ...]:
    raw: list[dict[str, Any]] = yaml.safe_load(
        resources.files("ketnav.pharmacology").joinpath("routes.yaml").read_text(encoding="utf-8")
    )
    rows = []
    for entry in raw:
        facts = {
            k: str(entry[k])
            for k in (
                "bioavailability",
                "onset",
                "tmax",
                "duration",
                "dose_control",
                "variability",
                "setting",
                "typical_use",
            )
        }
        rows.append(
            RouteRow(
                entry["route"],
                entry["name"],
                facts,
                str(entry["evidence"]),
                tuple(resolve(entry["citations"])),
                entry["protocol"],
            )
        )
    return tuple(rows)


def protocol_simulations(hours: float = 6.0, weight_kg: float = 70.0) -> list[tuple[RouteRow, Simulation]]:
    out = []
    for row in route_rows():
        p = row.protocol
        out.append((row, run(p["model"], Regimen(row.route, parse_dose(p["dose"])), weight_kg=weight_kg, hours=hours)))
    return out
