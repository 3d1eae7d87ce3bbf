"""Safety results as JSON-ready dicts, shared by the CLI and the API."""

from __future__ import annotations

from typing import Any

from ketnav.citations.bibliography import reference_dict
from ketnav.safety.aftercare import AftercarePlan
from ketnav.safety.screening import SEVERITIES, SEVERITY_LABELS, ScreeningResult
from ketnav.safety.side_effects import CLASS_LABELS, SideEffectResult


def screening_dict(result: ScreeningResult) -> dict[str, Any]:
    return {
        "educational_notice": "Educational information to discuss with a clinician; not a decision about treatment.",
        "urgent": result.urgent,
        "findings": {
            severity: [
                {
                    "rule": f.rule.id,
                    "title": f.rule.title,
                    "severity": severity,
                    "severity_label": SEVERITY_LABELS[severity],
                    "urgent": f.rule.urgent,
                    "because": f.because,
                    "explanation": f.rule.patient,
                    "clinician_detail": f.rule.clinician,
                    "sources": [reference_dict(r) for r in f.references],
                }
                for f in result.by_severity[severity]
            ]
            for severity in SEVERITIES
        },
        "medications": [
            {
                "entered": m.entered,
                "recognized": m.recognized,
                "how": m.how,
                "generic": m.medication.generic if m.medication else None,
                "classes": list(m.medication.classes) if m.medication else [],
                "message": None if m.recognized else "not recognized — ask your clinician",
            }
            for m in result.medications
        ],
        "questions_for_clinician": result.questions,
    }


def side_effects_dict(result: SideEffectResult) -> dict[str, Any]:
    return {
        "level": result.level,
        "hours_since_session": result.hours_since_session,
        "effects": [
            {
                "id": a.effect.id,
                "label": a.effect.label,
                "level": a.level,
                "level_label": CLASS_LABELS[a.level],
                "explanation": a.reason,
                "sources": [reference_dict(r) for r in a.references],
            }
            for a in result.assessed
        ],
    }


def aftercare_dict(plan: AftercarePlan) -> dict[str, Any]:
    return {
        "route": plan.route,
        "session_end": plan.session_end.isoformat(),
        "no_driving_until": plan.drive_from.isoformat(),
        "arrange": list(plan.arrange),
        "watch_for": list(plan.watch_for),
        "get_help": list(plan.get_help),
        "sources": [reference_dict(r) for r in plan.references],
    }
