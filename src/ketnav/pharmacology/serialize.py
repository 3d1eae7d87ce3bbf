"""PK results and models as JSON-ready dicts for ``--json``: the API's typed schemas, dumped."""

from __future__ import annotations

from typing import Any

from ketnav.pharmacology.compartments import MODELS, PKModel
from ketnav.pharmacology.schemas import EDUCATIONAL, ModelOut, SimulationOut
from ketnav.pharmacology.simulate import Simulation

__all__ = ["EDUCATIONAL", "model_dict", "models_dict", "simulation_dict"]


def model_dict(model: PKModel) -> dict[str, Any]:
    return ModelOut.of(model).model_dump(mode="json")


def models_dict() -> list[dict[str, Any]]:
    return [model_dict(m) for m in MODELS.values()]


def simulation_dict(sim: Simulation, *, every_min: float = 5.0) -> dict[str, Any]:
    return SimulationOut.of(sim, every_min=every_min).model_dump(mode="json")
