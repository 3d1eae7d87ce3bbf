"""Journal entries as JSON-ready dicts: one shape for the API, the JSON export and the pages' data."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ketnav.citations.bibliography import reference_dict, resolve
from ketnav.journal.kinds import Kind
from ketnav.journal.schemas import ROUTE_CHOICES
from ketnav.journal.selectors import ScaleSeries
from ketnav.journal.vitals import BP_CITATIONS, bp_category
from ketnav.safety.crisis import crisis_payload
from ketnav.scales.definitions import Scale, get_scale
from ketnav.scales.scoring import RESPONSE_REDUCTION, Outcome, cluster_totals, touches_self_harm


def _iso(value: dt.date | dt.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def scale_result_dict(result: Any) -> dict[str, Any]:
    scale = get_scale(result.scale)
    crisis = touches_self_harm(scale, result.answers)
    out: dict[str, Any] = {
        "id": result.id,
        "scale": scale.id,
        "scale_name": scale.name,
        "answers": list(result.answers),
        "total": result.total,
        "max_total": scale.max_total,
        "severity": result.severity,
        "taken_on": _iso(result.taken_on),
        "crisis": crisis_payload() if crisis else None,
        "sources": [reference_dict(r) for r in resolve(scale.bands_citations)],
    }
    if scale.clusters:
        out["clusters"] = [{"name": n, "total": t} for n, t in cluster_totals(scale, result.answers)]
    return out


def side_effect_dict(report: Any) -> dict[str, Any]:
    return {
        "id": report.id,
        "session_end": _iso(report.session_end),
        "noticed_at": _iso(report.noticed_at),
        "effects": list(report.effects),
        "level": report.level,
        "triage": report.triage,
        "notes": report.notes,
        "crisis": crisis_payload() if "self-harm" in report.effects else None,
    }


def vitals_dict(v: Any) -> dict[str, Any]:
    category = bp_category(systolic=v.systolic, diastolic=v.diastolic)
    return {
        "id": v.id,
        "measured_at": _iso(v.measured_at),
        "systolic": v.systolic,
        "diastolic": v.diastolic,
        "heart_rate": v.heart_rate,
        "notes": v.notes,
        "category": {"key": category.key, "label": category.label, "advice": category.advice},
        "sources": [reference_dict(r) for r in resolve(BP_CITATIONS)],
    }


def session_dict(s: Any) -> dict[str, Any]:
    return {
        "id": s.id,
        "started_at": _iso(s.started_at),
        "route": s.route,
        "route_label": ROUTE_CHOICES.get(s.route, s.route),
        "dose": s.dose,
        "clinic": s.clinic,
        "notes": s.notes,
    }


def note_dict(n: Any) -> dict[str, Any]:
    return {"id": n.id, "written_at": _iso(n.written_at), "text": n.text}


_SERIALIZERS = {
    "sessions": session_dict,
    "scales": scale_result_dict,
    "side-effects": side_effect_dict,
    "vitals": vitals_dict,
    "notes": note_dict,
}


def entry_dict(kind: Kind, instance: Any) -> dict[str, Any]:
    return _SERIALIZERS[kind.slug](instance)


def definitions_dict(scale: Scale) -> dict[str, Any]:
    return {
        "response": f"A total at least {RESPONSE_REDUCTION:.0%} lower than your baseline score.",
        "baseline": "Your last score on or before your first recorded session; without one, your first score.",
        "remission": scale.remission.definition,
        "remission_below": scale.remission.below,
        "response_sources": [reference_dict(r) for r in resolve(scale.response_citations)],
        "remission_sources": [reference_dict(r) for r in resolve(scale.remission.citations)],
    }


def outcome_dict(o: Outcome) -> dict[str, Any]:
    return {
        "baseline": {"taken_on": _iso(o.baseline.taken_on), "total": o.baseline.total},
        "latest": {"taken_on": _iso(o.latest.taken_on), "total": o.latest.total},
        "change": o.change,
        "reduction_pct": o.reduction_pct,
        "response": o.response,
        "response_threshold": o.response_threshold,
        "remission": o.remission,
        "meaningful_change": o.meaningful_change,
    }


def series_dict(series: ScaleSeries) -> dict[str, Any]:
    return {
        "scale": series.scale.id,
        "scale_name": series.scale.name,
        "count": len(series.results),
        "outcome": outcome_dict(series.outcome) if series.outcome else None,
        "definitions": definitions_dict(series.scale),
    }
