"""Field parsers shared by both normalizers: NCT ids, dates, ages, enums (criteria text: ``criteria.py``).

Each parser is pure and raises ``FieldProblem`` with a message a person can act on; the normalizers
decide whether a problem rejects the record (no NCT id) or only clears one field (a bad date).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re

from ketnav.trials.record import PartialDate

NCT_RE = re.compile(r"NCT[0-9]{8}")  # ASCII digits only: \d also matches "٠١٢" and other scripts' digits
MAX_TEXT_CHARS = 100_000  # a detailed description longer than this is almost surely an error in the source
MAX_ITEMS = 2_000  # sites, conditions ... per study; the largest real studies have about 1,500 sites

_MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
_MONTHS.update({name.lower(): i for i, name in enumerate(calendar.month_abbr) if name})


class RecordRejected(ValueError):
    """The record cannot be stored at all (no NCT id, not a study, unreadable)."""


class FieldProblem(ValueError):
    """A single field could not be understood; the message says which value and why."""


def clean_nct_id(value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise FieldProblem("no NCT id")
    nct = value.strip().upper()
    if not NCT_RE.fullmatch(nct):
        raise FieldProblem(f"{value!r} is not an NCT id (NCT followed by 8 digits)")
    return nct


def _checked_date(year: int, month: int, day: int, raw: str) -> dt.date:
    if not 1800 <= year <= 2200:
        raise FieldProblem(f"date {raw!r} has an impossible year")
    try:
        return dt.date(year, month, day)
    except ValueError as exc:
        raise FieldProblem(f"date {raw!r} does not exist ({exc})") from None


_ISO_RE = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")
_LEGACY_RE = re.compile(r"^([A-Za-z]+)\.?\s+(?:(\d{1,2}),\s*)?(\d{4})$")


def parse_date(raw: str | None) -> PartialDate | None:
    """Parse "2021", "2021-03", "2021-03-15" (API v2) or "March 2021", "March 15, 2021" (legacy XML)."""
    if raw is None:
        return None
    text = raw.strip()
    if not text:
        return None
    m = _ISO_RE.match(text)
    if m:
        year, month, day = m.groups()
        if day:
            return PartialDate(_checked_date(int(year), int(month), int(day), text), "day")
        if month:
            return PartialDate(_checked_date(int(year), int(month), 1, text), "month")
        return PartialDate(_checked_date(int(year), 1, 1, text), "year")
    m = _LEGACY_RE.match(text)
    if m:
        month_name, day, year = m.groups()
        month = _MONTHS.get(month_name.lower())
        if month is None:
            raise FieldProblem(f"date {text!r} has an unknown month {month_name!r}")
        if day:
            return PartialDate(_checked_date(int(year), month, int(day), text), "day")
        return PartialDate(_checked_date(int(year), month, 1, text), "month")
    raise FieldProblem(f"date {text!r} is not in a known format (YYYY-MM-DD, YYYY-MM, 'March 2021')")


_AGE_RE = re.compile(r"^(\d+(?:\.\d+)?)\s*([A-Za-z]+)$")
_AGE_UNITS = {
    "year": 1.0, "years": 1.0, "yr": 1.0, "yrs": 1.0,
    "month": 1 / 12, "months": 1 / 12,
    "week": 7 / 365.25, "weeks": 7 / 365.25,
    "day": 1 / 365.25, "days": 1 / 365.25,
    "hour": 1 / 8766, "hours": 1 / 8766,
    "minute": 1 / 525960, "minutes": 1 / 525960,
}  # fmt: skip
MAX_AGE_YEARS = 150.0


def parse_age_years(raw: str | None) -> float | None:
    """ "18 Years" -> 18.0, "6 Months" -> 0.5, "N/A" or empty -> None (no limit)."""
    if raw is None:
        return None
    text = raw.strip()
    if not text or text.upper() in {"N/A", "NA", "NONE"}:
        return None
    if text.startswith("-"):
        raise FieldProblem(f"age {text!r} is negative")
    m = _AGE_RE.match(text)
    if not m:
        raise FieldProblem(f"age {text!r} is not a number with a unit (e.g. '18 Years', '6 Months')")
    number, unit = m.groups()
    factor = _AGE_UNITS.get(unit.lower())
    if factor is None:
        raise FieldProblem(f"age {text!r} has an unknown unit {unit!r}")
    years = float(number) * factor
    if years > MAX_AGE_YEARS:
        raise FieldProblem(f"age {text!r} is over {MAX_AGE_YEARS:.0f} years")
    return round(years, 4)


def std_age_groups(minimum: float | None, maximum: float | None) -> tuple[str, ...]:
    """The registry's standard groups: child (<18), adult (18-64), older adult (65+)."""
    low = 0.0 if minimum is None else minimum
    high = float("inf") if maximum is None else maximum
    groups = []
    if low < 18:
        groups.append("CHILD")
    if low < 65 and high >= 18:
        groups.append("ADULT")
    if high >= 65:
        groups.append("OLDER_ADULT")
    return tuple(groups)


def clip_text(value: object, *, field: str, warnings: list[str], limit: int = MAX_TEXT_CHARS) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        warnings.append(f"{field}: expected text, got {type(value).__name__}; ignored")
        return ""
    text = value.strip()
    if len(text) > limit:
        warnings.append(f"{field}: {len(text):,} characters, cut to {limit:,} (the full text stays in the raw record)")
        return text[:limit]
    return text


def enum_code(value: str | None) -> str:
    """Legacy labels to API v2 codes: "Active, not recruiting" -> ACTIVE_NOT_RECRUITING."""
    if not value:
        return ""
    return re.sub(r"[^A-Z0-9]+", "_", value.strip().upper()).strip("_")


_LEGACY_STATUS = {
    "UNKNOWN_STATUS": "UNKNOWN",
    "AVAILABLE_FOR_EXPANDED_ACCESS": "AVAILABLE",
}


def status_code(value: str | None) -> str:
    code = enum_code(value)
    return _LEGACY_STATUS.get(code, code)


def phase_codes(value: str | None) -> tuple[str, ...]:
    """ "Phase 1/Phase 2" -> (PHASE1, PHASE2); "Early Phase 1" -> (EARLY_PHASE1,); "N/A" -> (NA,)."""
    if not value or not value.strip():
        return ()
    if value.strip().upper() in {"N/A", "NA", "NOT APPLICABLE"}:
        return ("NA",)
    out = []
    for part in value.split("/"):
        code = enum_code(part).replace("PHASE_", "PHASE")
        if code in {"N_A", "NA"}:
            code = "NA"
        if code:
            out.append(code)
    return tuple(out)
