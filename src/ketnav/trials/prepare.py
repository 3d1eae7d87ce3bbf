"""Turning raw source items into rows ready to write: the CPU-heavy half of a load.

Pure and picklable, so it can run in worker processes while the main process writes to the database.
Returns plain tuples, which cross process boundaries far faster than dataclass trees.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

import orjson

from ketnav.trials.normalize_v2 import normalize_v2
from ketnav.trials.normalize_xml import normalize_xml
from ketnav.trials.parsing import RecordRejected
from ketnav.trials.rawcodec import pack
from ketnav.trials.record import Normalized, PartialDate, StudyRecord
from ketnav.trials.search.documents import facet_columns, search_fields, synonym_pairs
from ketnav.trials.sources import SourceItem, SourceProblem, classify, format_problem

NORMALIZER_VERSION = 1

# Column order of the study rows produced here and written by ketnav.trials.ingest.
STUDY_COLUMNS = (
    "nct_id", "brief_title", "official_title", "acronym", "overall_status", "phases", "study_type",
    "intervention_types", "start_date", "start_date_precision", "primary_completion_date",
    "primary_completion_date_precision", "completion_date", "completion_date_precision", "first_posted",
    "first_posted_precision", "last_update", "last_update_precision", "enrollment", "lead_sponsor",
    "lead_sponsor_class", "minimum_age_years", "maximum_age_years", "sex", "healthy_volunteers", "has_results",
    "countries", "condition_terms", "source_format", "completeness", "normalizer_version", "summary", "warnings",
    "raw", "raw_sha256", "source",
)  # fmt: skip
SITE_COLUMNS = (
    "study_id",
    "position",
    "facility",
    "city",
    "state",
    "zip",
    "country",
    "status",
    "latitude",
    "longitude",
)


@dataclass(frozen=True)
class Prepared:
    nct_id: str
    location: str
    last_update: str | None  # ISO date, comparable as text
    sha256: str
    completeness: int
    source_format: str
    study_row: tuple[object, ...]
    site_rows: tuple[tuple[object, ...], ...]  # (nct_id, position, *Site), SITE_COLUMNS order
    warnings: tuple[str, ...]
    search_fields: tuple[str, ...]  # in ketnav.trials.search.documents.FIELDS order
    synonym_pairs: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Rejected:
    location: str
    message: str
    file: str = ""  # the source file (SourceItem.file)


def _date(value: PartialDate | None) -> tuple[str | None, str]:
    return (value.value.isoformat(), value.precision) if value else (None, "")


def _parse(item: SourceItem, fmt: str) -> tuple[str, object, bytes] | Rejected:
    """(kind, parsed JSON or None, raw bytes to keep), parsing each record exactly once."""
    if item.kind == "xml":
        kind, obj, raw = "xml", None, item.payload
    else:
        try:
            obj = orjson.loads(item.payload)
        except orjson.JSONDecodeError as exc:
            what = "malformed JSON line" if item.kind == "line" else "not valid JSON"
            return Rejected(item.location, f"{what} ({exc})", item.file)
        entry = classify(item.location, obj, raw=item.payload)
        if isinstance(entry, SourceProblem):
            return Rejected(entry.location, entry.message, item.file)
        kind, raw = entry.kind, entry.payload
        if kind == "xml":
            obj = None
    problem = format_problem(SourceItem(item.location, kind, raw), fmt)  # type: ignore[arg-type]
    if problem:
        return Rejected(problem.location, problem.message, item.file)
    return kind, obj, raw


def normalize_item(item: SourceItem, fmt: str = "auto") -> tuple[Normalized, bytes]:
    """Normalize one source item; raise RecordRejected when it cannot be stored."""
    parsed = _parse(item, fmt)
    if isinstance(parsed, Rejected):
        raise RecordRejected(parsed.message)
    kind, obj, raw = parsed
    return (normalize_xml(raw) if kind == "xml" else normalize_v2(obj)), raw


def _summary(record: StudyRecord) -> dict[str, object]:
    """The few list fields that result cards show; the full record is re-derived from ``raw`` on demand."""
    return {
        "conditions": list(record.conditions[:20]),
        "interventions": [[i.type, i.name] for i in record.interventions[:20]],
    }


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
        elig.healthy_volunteers, record.has_results, *facet_columns(record), record.source_format,
        record.completeness(),
        NORMALIZER_VERSION, orjson.dumps(_summary(record)).decode(), orjson.dumps(list(warnings)).decode(),
        pack(raw), sha, location,
    )  # fmt: skip
    nct = record.nct_id
    site_rows = tuple((nct, i, *site) for i, site in enumerate(record.sites))
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
        search_fields=search_fields(record),
        synonym_pairs=synonym_pairs(record),
    )


def prepare_item(item: SourceItem, fmt: str = "auto") -> Prepared | Rejected:
    try:
        normalized, raw = normalize_item(item, fmt)
    except RecordRejected as exc:
        return Rejected(item.location, str(exc), item.file)
    return rows_for(normalized.record, warnings=normalized.warnings, raw=raw, location=item.location)


def prepare_chunk(items: Sequence[SourceItem], fmt: str = "auto") -> list[Prepared | Rejected]:
    return [prepare_item(item, fmt) for item in items]
