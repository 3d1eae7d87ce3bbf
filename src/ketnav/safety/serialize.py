"""Safety results as JSON-ready dicts for ``--json`` output: the API's typed schemas, dumped.

One shape for every channel: the CLI prints exactly what ``/api/safety/...`` returns.
"""

from __future__ import annotations

from typing import Any

from ketnav.safety.aftercare import AftercarePlan
from ketnav.safety.schemas import AftercareOut, ScreeningOut, SideEffectsOut
from ketnav.safety.screening import ScreeningResult
from ketnav.safety.side_effects import SideEffectResult


def screening_dict(result: ScreeningResult) -> dict[str, Any]:
    return ScreeningOut.of(result).model_dump(mode="json")


def side_effects_dict(result: SideEffectResult) -> dict[str, Any]:
    return SideEffectsOut.of(result).model_dump(mode="json")


def aftercare_dict(plan: AftercarePlan) -> dict[str, Any]:
    return AftercareOut.of(plan).model_dump(mode="json")
