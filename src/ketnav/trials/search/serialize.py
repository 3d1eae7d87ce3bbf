"""Search results and study records as plain JSON-ready dicts: one shape for the CLI and the API."""

from __future__ import annotations

import dataclasses
from typing import Any

from ketnav.trials.record import StudyRecord
from ketnav.trials.search.engine import Hit, SearchResults

CTGOV_STUDY_URL = "https://clinicaltrials.gov/study/{nct_id}"


def hit_dict(hit: Hit) -> dict[str, Any]:
    return {
        "nct_id": hit.nct_id,
        "title": hit.brief_title,
        "score": hit.score,
        "status": hit.overall_status,
        "phases": list(hit.phases),
        "conditions": list(hit.conditions),
        "interventions": [{"type": t, "name": n} for t, n in hit.interventions],
        "minimum_age_years": hit.minimum_age_years,
        "maximum_age_years": hit.maximum_age_years,
        "sex": hit.sex,
        "last_update": hit.last_update.isoformat() if hit.last_update else None,
        "start_date": hit.start_date.isoformat() if hit.start_date else None,
        "nearest_site": dataclasses.asdict(hit.nearest_site) if hit.nearest_site else None,
        "snippet": "".join(text for text, _m in hit.snippet),
        "highlights": [text for text, matched in hit.snippet if matched],
        "why": hit.why,
        "about_all": hit.about_all,
        "url": CTGOV_STUDY_URL.format(nct_id=hit.nct_id),
    }


def results_dict(results: SearchResults) -> dict[str, Any]:
    return {
        "total": results.total,
        "page": results.page,
        "page_size": results.page_size,
        "sort": results.sort,
        "mode": results.mode,
        "place": results.place or None,
        "notes": results.notes,
        "concepts": results.concepts,
        "partial": [
            {"concept": m.concept, "missing": list(m.missing), "count": m.count, "query": m.concept}
            for m in results.partial
        ],
        "facets": {name: [{"value": v, "count": c} for v, c in values] for name, values in results.facets.items()},
        "results": [hit_dict(h) for h in results.hits],
    }


def _jsonable(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, tuple) and hasattr(value, "_asdict"):
        return {k: _jsonable(v) for k, v in value._asdict().items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def record_dict(record: StudyRecord) -> dict[str, Any]:
    data: dict[str, Any] = _jsonable(record)
    for name in ("start_date", "primary_completion_date", "completion_date", "first_posted", "last_update"):
        value = getattr(record, name)
        data[name] = {"date": value.isoformat(), "precision": value.precision} if value else None
    data["eligibility"]["inclusion"] = list(record.eligibility.inclusion)
    data["eligibility"]["exclusion"] = list(record.eligibility.exclusion)
    data["eligibility"]["sectioned"] = record.eligibility.sectioned
    data["url"] = CTGOV_STUDY_URL.format(nct_id=record.nct_id)
    return data
