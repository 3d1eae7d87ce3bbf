"""The journal as one CSV file (a row per record, a ``record_type`` column) and back.

Export writes every record the account owns; import reads back the five entry kinds through the same
schemas as the API and the forms, all or nothing: one bad cell and nothing is stored, with every
problem named by row and column. Rows already in the journal (same kind and same values) are skipped,
so importing the same file twice changes nothing. Cells that a spreadsheet would run as a formula
(starting with = + - @, tab or carriage return) are written with a leading apostrophe, which import
removes again.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError

from ketnav.errors import ErrorDetail, InvalidInput
from ketnav.journal.kinds import BY_RECORD_TYPE, Kind, input_values
from ketnav.journal.schemas import csv_column, invalid_input

COLUMNS = (
    "record_type",
    "id",
    "when",
    "scale",
    "answers",
    "total",
    "severity",
    "route",
    "dose",
    "clinic",
    "session_end",
    "effects",
    "level",
    "systolic",
    "diastolic",
    "heart_rate",
    "notes",
    "detail",
)
LIST_SEPARATORS = {"answers": " ", "effects": ";"}
MAX_ROWS = 20_000
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def _uncell(text: str) -> str:
    return text[1:] if text.startswith("'") and text[1:].startswith(_FORMULA_START) else text


def entry_row(kind: Kind, instance: Any) -> dict[str, str]:
    """One journal entry as a CSV row whose cells import back to the same entry."""
    values = input_values(kind, instance)
    row = {"record_type": kind.record_type, "id": str(instance.id)}
    for name, value in values.items():
        column = csv_column(kind.schema, name)
        row[column] = LIST_SEPARATORS[column].join(str(v) for v in value) if column in LIST_SEPARATORS else _cell(value)
    if kind.slug == "scales":
        row["total"], row["severity"] = str(instance.total), instance.severity
    if kind.slug == "side-effects":
        row["level"] = instance.level
    return row


def write_csv(rows: Iterable[dict[str, str]]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, extrasaction="raise", lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _cell(v) if k not in LIST_SEPARATORS else v for k, v in row.items()})
    return buffer.getvalue()


def other_row(record_type: str, *, when: Any, detail: str = "", level: str = "", notes: str = "") -> dict[str, str]:
    """Account records (shares, audit events, saved results, watches): exported, never imported."""
    return {"record_type": record_type, "when": _cell(when), "detail": detail, "level": level, "notes": notes}


@dataclass(frozen=True)
class ParsedRow:
    line: int
    kind: Kind
    data: BaseModel


def _raw(kind: Kind, row: dict[str, str]) -> dict[str, Any]:
    raw: dict[str, Any] = {}
    for name in kind.schema.model_fields:
        text = _uncell((row.get(csv_column(kind.schema, name)) or "").strip())
        column = csv_column(kind.schema, name)
        if column in LIST_SEPARATORS:
            raw[name] = [t for t in text.split(LIST_SEPARATORS[column].strip() or None) if t.strip()]
        elif text != "":
            raw[name] = text
    return raw


def read_rows(text: str) -> Iterator[tuple[int, dict[str, str]]]:
    if text.startswith("\ufeff"):
        text = text[1:]
    reader = csv.DictReader(io.StringIO(text, newline=""))
    missing = [c for c in ("record_type", "when") if c not in (reader.fieldnames or [])]
    if missing:
        raise InvalidInput(f"file: not a journal CSV export (no {', '.join(missing)} column)")
    for row in reader:
        yield reader.line_num, {k: v for k, v in row.items() if isinstance(k, str) and isinstance(v, str)}


def parse_csv(text: str) -> tuple[list[ParsedRow], int, list[ErrorDetail]]:
    """Validate every entry row: the rows that passed, the number of account rows (never imported),
    and the problems found (each named by row)."""
    parsed: list[ParsedRow] = []
    problems: list[ErrorDetail] = []
    skipped = 0
    try:
        for line, row in read_rows(text):
            if len(parsed) + skipped >= MAX_ROWS:
                raise InvalidInput(f"file: more than {MAX_ROWS:,} rows; split it")
            kind = BY_RECORD_TYPE.get(row.get("record_type", "").strip())
            if kind is None:
                if row.get("record_type", "").strip() in {"account", "share", "audit", "saved", "watch"}:
                    skipped += 1
                    continue
                problems.append(ErrorDetail(f"row {line}", f"record_type: unknown {row.get('record_type')!r}"))
                continue
            try:
                parsed.append(ParsedRow(line, kind, kind.schema.model_validate(_raw(kind, row))))
            except ValidationError as exc:
                problems.extend(ErrorDetail(f"row {line}", d.message) for d in invalid_input(exc, kind.schema).details)
    except csv.Error as exc:
        raise InvalidInput(f"file: not readable as CSV ({exc})") from None
    return parsed, skipped, problems


def natural_key(kind: Kind, values: dict[str, Any]) -> str:
    """Equal for an entry and its re-import: the kind plus its input values, normalised."""
    return kind.slug + json.dumps(values, sort_keys=True, default=lambda v: v.isoformat())
