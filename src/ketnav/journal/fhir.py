"""FHIR R4 export: a Bundle of QuestionnaireResponse resources (the answers) and Observations (scale
totals with their LOINC codes; blood pressure and heart rate as vital signs).

LOINC: GAD-7 total 70274-6, PHQ-9 total 44261-6, PCL-5 score 101698-9 (cited in scales.yaml); vital
signs use the codes of FHIR's vital-signs profile (85354-9 blood-pressure panel with systolic 8480-6
and diastolic 8462-4 components, heart rate 8867-4). Sessions, side effects and notes have no standard
coding here and are left to the JSON and CSV exports.

The bundle is checked against the ``fhir.resources`` models before it leaves. That package ships
FHIR R4B (4.3.0), which has the same Bundle, QuestionnaireResponse and Observation structure as
R4 (4.0.1) for every element used here.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from ketnav.scales.definitions import get_scale

LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
NAMESPACE = uuid.UUID("6f1d3c1e-8d7a-4f0e-9a53-3c4d2b1a9e10")  # ketnav journal exports


def _urn(owner_key: str, kind: str, pk: int) -> str:
    return f"urn:uuid:{uuid.uuid5(NAMESPACE, f'{owner_key}/{kind}/{pk}')}"


def _category(code: str, display: str) -> list[dict[str, Any]]:
    return [{"coding": [{"system": CATEGORY, "code": code, "display": display}]}]


def questionnaire_response(result: Any, *, full_url: str) -> dict[str, Any]:
    scale = get_scale(result.scale)
    return {
        "resourceType": "QuestionnaireResponse",
        "id": full_url.rsplit(":", 1)[-1],
        "meta": {"tag": [{"system": LOINC, "code": scale.loinc_panel, "display": scale.title}]},
        "status": "completed",
        "authored": result.taken_on.isoformat(),
        "item": [
            {"linkId": str(i), "text": text, "answer": [{"valueInteger": int(value)}]}
            for i, (text, value) in enumerate(zip(scale.items, result.answers, strict=True), start=1)
        ],
    }


def total_observation(result: Any, *, full_url: str, response_url: str) -> dict[str, Any]:
    scale = get_scale(result.scale)
    return {
        "resourceType": "Observation",
        "id": full_url.rsplit(":", 1)[-1],
        "status": "final",
        "category": _category("survey", "Survey"),
        "code": {
            "coding": [{"system": LOINC, "code": scale.loinc_total, "display": scale.loinc_total_display}],
            "text": f"{scale.name} total score",
        },
        "effectiveDateTime": result.taken_on.isoformat(),
        "valueInteger": result.total,
        "interpretation": [{"text": result.severity}],
        "derivedFrom": [{"reference": response_url}],
    }


def _quantity(value: int, unit: str, code: str) -> dict[str, Any]:
    return {"value": value, "unit": unit, "system": UCUM, "code": code}


def vitals_observations(v: Any, *, owner_key: str) -> list[dict[str, Any]]:
    when = v.measured_at.isoformat()
    bp_url = _urn(owner_key, "bp", v.id)
    bp = {
        "resourceType": "Observation",
        "id": bp_url.rsplit(":", 1)[-1],
        "status": "final",
        "category": _category("vital-signs", "Vital Signs"),
        "code": {"coding": [{"system": LOINC, "code": "85354-9", "display": "Blood pressure panel"}]},
        "effectiveDateTime": when,
        "component": [
            {
                "code": {"coding": [{"system": LOINC, "code": "8480-6", "display": "Systolic blood pressure"}]},
                "valueQuantity": _quantity(v.systolic, "mmHg", "mm[Hg]"),
            },
            {
                "code": {"coding": [{"system": LOINC, "code": "8462-4", "display": "Diastolic blood pressure"}]},
                "valueQuantity": _quantity(v.diastolic, "mmHg", "mm[Hg]"),
            },
        ],
    }
    out = [(bp_url, bp)]
    if v.heart_rate is not None:
        hr_url = _urn(owner_key, "hr", v.id)
        out.append(
            (
                hr_url,
                {
                    "resourceType": "Observation",
                    "id": hr_url.rsplit(":", 1)[-1],
                    "status": "final",
                    "category": _category("vital-signs", "Vital Signs"),
                    "code": {"coding": [{"system": LOINC, "code": "8867-4", "display": "Heart rate"}]},
                    "effectiveDateTime": when,
                    "valueQuantity": _quantity(v.heart_rate, "beats/minute", "/min"),
                },
            )
        )
    return [{"fullUrl": url, "resource": resource} for url, resource in out]


def bundle(*, owner_key: str, results: list[Any], vitals: list[Any], now: dt.datetime) -> dict[str, Any]:
    """The owner's scale results and vital signs as one FHIR collection Bundle, validated."""
    entries: list[dict[str, Any]] = []
    for result in sorted(results, key=lambda r: (r.taken_on, r.id)):
        qr_url = _urn(owner_key, "qr", result.id)
        obs_url = _urn(owner_key, "total", result.id)
        entries.append({"fullUrl": qr_url, "resource": questionnaire_response(result, full_url=qr_url)})
        entries.append(
            {"fullUrl": obs_url, "resource": total_observation(result, full_url=obs_url, response_url=qr_url)}
        )
    for v in sorted(vitals, key=lambda v: (v.measured_at, v.id)):
        entries.extend(vitals_observations(v, owner_key=owner_key))
    data = {
        "resourceType": "Bundle",
        "id": str(uuid.uuid5(NAMESPACE, f"{owner_key}/bundle/{now.isoformat()}")),
        "type": "collection",
        "timestamp": now.isoformat(),
        "entry": entries,
    }
    validate_bundle(data)
    return data


def validate_bundle(data: dict[str, Any]) -> None:
    """Raise pydantic's ValidationError if the bundle is not valid FHIR (R4B models; see the module doc)."""
    from fhir.resources.R4B.bundle import Bundle

    Bundle.model_validate(data)
