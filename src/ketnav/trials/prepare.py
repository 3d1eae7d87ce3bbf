"""Turning raw source items into rows ready to write: the CPU-heavy half of a load.

Pure and picklable, so it can run in worker processes while the main process writes to the database.
Returns plain tuples, which cross process boundaries far faster than dataclass trees.
"""

from __future__ import annotations

import hashlib
import zlib
from collections.abc import Sequence
from dataclasses import dataclass

import orjson

from ketnav.trials.normalize_v2 import normalize_v2
from ketnav.trials.normalize_xml import normalize_xml
from ketnav.trials.parsing import RecordRejected
from ketnav.trials.record import Normalized, PartialDate, StudyRecord
from ketnav.trials.sources import SourceItem

NORMALIZER_VERSION = 1

# Column order of the study rows produced here and written by ketnav.trials.ingest.
STUDY_COLUMNS = (
    "nct_id", "brief_title", "official_title", "acronym", "overall_status", "phases", "study_type",
    "intervention_types", "start_date", "start_date_precision", "primary_completion_date",
    "primary_completion_date_precision", "completion_date", "completion_date_precision", "first_posted",
    "first_posted_precision", "last_update", "last_update_precision", "enrollment", "lead_sponsor",
    "lead_sponsor_class", "minimum_age_years", "maximum_age_years", "sex", "healthy_volunteers", "has_results",
    "source_format", "completeness", "normalizer_version", "data", "warnings", "raw", "raw_sha256", "source",
)  # fmt: skip
SITE_COLUMNS = ("position", "facility", "city", "state", "zip", "country", "status", "latitude", "longitude")


@dataclass(frozen=True)
class Prepared:
    nct_id: str
    location: str
    last_update: str | None  # ISO date, comparable as text
    sha256: str
    completeness: int
    source_format: str
    study_row: tuple[object, ...]
    site_rows: tuple[tuple[object, ...], ...]
    warnings: tuple[str, ...]


@dataclass(frozen=True)
class Rejected:
    location: str
    message: str


def _date(value: PartialDate | None) -> tuple[str | None, str]:
    return (value.value.isoformat(), value.precision) if value else (None, "")


def normalize_item(item: SourceItem) -> Normalized:
    if item.kind == "xml":
        return normalize_xml(item.payload)
    try:
        study = orjson.loads(item.payload)
    except orjson.JSONDecodeError as exc:
        raise RecordRejected(f"not valid JSON ({exc})") from None
    return normalize_v2(study)


def rows_for(record: StudyRecord, *, warnings: Sequence[str], raw: bytes, location: str) -> Prepared:
    sha = hashlib.sha256(raw).hexdigest()
    start, start_p = _date(record.start_date)
    primary, primary_p = _date(record.primary_completion_date)
    completion, completion_p = _date(record.completion_date)
    first, first_p = _date(record.first_posted)
    last, last_p = _date(record.last_update)
    elig = record.eligibility
    intervention_types = ",".join(sorted({i.type for i in record.interventions if i.type}))
    study_row = (
        record.nct_id, record.brief_title, record.official_title, record.acronym, record.overall_status,
        ",".join(record.phases), record.study_type, intervention_types, start, start_p, primary, primary_p,
        completion, completion_p, first, first_p, last, last_p, record.enrollment, record.lead_sponsor,
        record.lead_sponsor_class, elig.minimum_age_years, elig.maximum_age_years, elig.sex,
        elig.healthy_volunteers, record.has_results, record.source_format, record.completeness(),
        NORMALIZER_VERSION, orjson.dumps(record).decode(), orjson.dumps(list(warnings)).decode(),
        zlib.compress(raw, 1), sha, location,
    )  # fmt: skip
    site_rows = tuple(
        (i, s.facility, s.city, s.state, s.zip, s.country, s.status, s.latitude, s.longitude)
        for i, s in enumerate(record.sites)
    )
    return Prepared(
        nct_id=record.nct_id,
        location=location,
        last_update=last,
        sha256=sha,
        completeness=record.completeness(),
        source_format=record.source_format,
        study_row=study_row,
        site_rows=site_rows,
        warnings=tuple(warnings),
    )


def prepare_item(item: SourceItem) -> Prepared | Rejected:
    try:
        normalized = normalize_item(item)
    except RecordRejected as exc:
        return Rejected(item.location, str(exc))
    return rows_for(normalized.record, warnings=normalized.warnings, raw=item.payload, location=item.location)


def prepare_chunk(items: Sequence[SourceItem]) -> list[Prepared | Rejected]:
    return [prepare_item(item) for item in items]
