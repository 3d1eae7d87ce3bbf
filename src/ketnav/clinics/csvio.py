"""Clinic quotes as CSV: one row per clinic, comma-separated, with a header row.

Pure. Reading turns each row into the same clinic dict the JSON format uses and hands it to the same
parser, then rewrites every problem's location into "row N, column C" so a person can find it in a
spreadsheet. A file separated by semicolons or tabs, missing required columns, or with a misspelt
column is refused with a message that says so; nothing is imported from a refused file. Writing is
lossless for one package and one extra fee per clinic (JSON export keeps everything).
"""

from __future__ import annotations

import csv
import difflib
import io
import re
from collections.abc import Sequence
from typing import Any

from ketnav.clinics.costs import Course
from ketnav.clinics.profile import Clinic
from ketnav.clinics.quotes import Quotes, parse_quotes
from ketnav.errors import ErrorDetail, InvalidInput

REQUIRED = ("name", "route", "currency", "session_price", "quoted_on", "source")
QUALITY = (
    "prescriber_licence",
    "anesthesiologist_on_site",
    "psychiatrist_involved",
    "experience_years",
    "treatments_given",
    "evaluation_before_treatment",
    "evaluation_includes",
    "monitors_blood_pressure",
    "pulse_oximetry",
    "observation_minutes",
    "escort_required",
    "measures_outcomes",
    "integration_support",
    "rems_certified",
    "setting",
)
INSURANCE = (
    "in_network",
    "deductible_remaining",
    "coinsurance_percent",
    "copay_per_session",
    "superbills",
    "oon_reimbursement_percent",
)
OPTIONAL = (
    "location",
    "booster_price",
    "consultation_fee",
    "follow_up_fee",
    "package_sessions",
    "package_price",
    "package_includes",
    "fee_name",
    "fee_amount",
    "fee_per",
    "drug_portion",
    "plan_covers_route",
    *INSURANCE,
    "savings_min_pay",
    "savings_annual_cap",
    "financing_term_months",
    "financing_apr_percent",
    *QUALITY,
    "review_rating",
    "review_count",
    "review_source",
    "induction_sessions",
    "boosters",
    "months",
    "follow_ups",
)
COLUMNS = REQUIRED + OPTIONAL
MAX_BYTES = 2_000_000
MAX_ROWS = 500

# Where a problem in the clinic dict sits in the CSV (first matching pattern wins).
_LOCATIONS = (
    (r"prices\.session\.\w+", "session_price"),
    (r"prices\.booster\.\w+", "booster_price"),
    (r"prices\.drug_portion\.\w+", "drug_portion"),
    (r"prices\.consultation.*", "consultation_fee"),
    (r"prices\.follow_up.*", "follow_up_fee"),
    (r"prices\.packages\[0\]\.sessions", "package_sessions"),
    (r"prices\.packages\[0\]\.(?:price|route).*", "package_price"),
    (r"prices\.fees\[0\]\.amount.*", "fee_amount"),
    (r"prices\.fees\[0\]\.(\w+)", r"fee_\1"),
    (r"insurance\.manufacturer_savings\.min_pay_per_session", "savings_min_pay"),
    (r"insurance\.manufacturer_savings\.annual_cap", "savings_annual_cap"),
    (r"insurance\.covered_routes.*", "plan_covers_route"),
    (r"insurance\.(\w+)", r"\1"),
    (r"financing\.(\w+)", r"financing_\1"),
    (r"quality\.(\w+)", r"\1"),
    (r"reviews\.(\w+)", r"review_\1"),
    (r"course\.(\w+)", r"\1"),
    (r"routes", "route"),
    (r"(\w+)", r"\1"),
)


def column_for(path: str) -> str:
    for pattern, column in _LOCATIONS:
        m = re.fullmatch(pattern, path)
        if m:
            return m.expand(column)
    return path


def _csv_location(location: str) -> str:
    m = re.match(r"clinics\[(\d+)\]\.?(.*)", location)
    if not m:
        return location
    row = int(m.group(1)) + 2  # the header is row 1
    return f"row {row}, column {column_for(m.group(2))}" if m.group(2) else f"row {row}"


def _header_problems(header: list[str], first_line: str) -> list[ErrorDetail]:
    if len(header) <= 1:
        for name, sep in (("semicolons", ";"), ("tabs", "\t"), ("pipes", "|")):
            if sep in first_line:
                return [
                    ErrorDetail(
                        "row 1", f"the columns are separated by {name}, not commas; save it as comma-separated CSV"
                    )
                ]
        return [ErrorDetail("row 1", "the header row has only one column; a comma-separated header is needed")]
    problems = []
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        problems.append(ErrorDetail("row 1", f"missing required column(s): {', '.join(missing)}"))
    for name in header:
        if name not in COLUMNS:
            close = difflib.get_close_matches(name, COLUMNS, n=1)
            hint = f" (did you mean {close[0]}?)" if close else ""
            problems.append(ErrorDetail("row 1", f"unknown column {name!r}{hint}"))
    dupes = sorted({n for n in header if header.count(n) > 1})
    if dupes:
        problems.append(ErrorDetail("row 1", f"column(s) appear twice: {', '.join(dupes)}"))
    return problems


def row_to_clinic_dict(row: dict[str, str]) -> dict[str, Any]:
    get = {k: (v or "").strip() for k, v in row.items() if k}
    route = get.get("route", "")
    prices: dict[str, Any] = {"session": {route: get.get("session_price")}}
    if get.get("booster_price"):
        prices["booster"] = {route: get["booster_price"]}
    if get.get("drug_portion"):
        prices["drug_portion"] = {route: get["drug_portion"]}
    for column, key in (("consultation_fee", "consultation"), ("follow_up_fee", "follow_up")):
        if get.get(column):
            prices[key] = get[column]
    if get.get("package_sessions") or get.get("package_price"):
        prices["packages"] = [
            {
                "route": route,
                "sessions": get.get("package_sessions"),
                "price": get.get("package_price"),
                "includes": get.get("package_includes", ""),
            }
        ]
    if get.get("fee_name") or get.get("fee_amount"):
        prices["fees"] = [
            {"name": get.get("fee_name"), "amount": get.get("fee_amount"), "per": get.get("fee_per") or "session"}
        ]
    clinic: dict[str, Any] = {
        "name": get.get("name"),
        "location": get.get("location", ""),
        "routes": [route] if route else [],
        "currency": get.get("currency"),
        "quoted_on": get.get("quoted_on"),
        "source": get.get("source"),
        "prices": prices,
        "quality": {k: get[k] for k in QUALITY if get.get(k)},
        "reviews": {k: get[f"review_{k}"] for k in ("rating", "count", "source") if get.get(f"review_{k}")},
    }
    insurance: dict[str, Any] = {k: get[k] for k in INSURANCE if get.get(k)}
    if get.get("plan_covers_route", "").casefold() in {"yes", "y", "true", "1"}:
        insurance["covered_routes"] = [route]
    if get.get("savings_annual_cap"):
        insurance["manufacturer_savings"] = {
            "min_pay_per_session": get.get("savings_min_pay") or "0",
            "annual_cap": get["savings_annual_cap"],
        }
    if insurance:
        clinic["insurance"] = insurance
    if get.get("financing_term_months") or get.get("financing_apr_percent"):
        clinic["financing"] = {
            "term_months": get.get("financing_term_months"),
            "apr_percent": get.get("financing_apr_percent") or "0",
        }
    course = {k: get[k] for k in ("induction_sessions", "boosters", "months", "follow_ups") if get.get(k)}
    if course:
        clinic["course"] = course
    return clinic


def read_csv(data: bytes | str) -> Quotes:
    """Parse a whole CSV upload; any problem refuses the whole file, with every problem listed."""
    if isinstance(data, bytes):
        if len(data) > MAX_BYTES:
            raise InvalidInput(f"the file is {len(data):,} bytes; the limit is {MAX_BYTES:,}")
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise InvalidInput(f"the file is not UTF-8 text (byte {exc.start}); save it as UTF-8 CSV") from None
    if not data.strip():
        raise InvalidInput("the file is empty; it needs a header row and one row per clinic")
    reader = csv.reader(io.StringIO(data))
    try:
        rows = list(reader)
    except csv.Error as exc:
        raise InvalidInput(f"row {reader.line_num}: the file is not valid CSV ({exc})") from None
    header = [h.strip().casefold() for h in rows[0]]
    problems = _header_problems(header, data.splitlines()[0])
    body = [r for r in rows[1:] if any(cell.strip() for cell in r)]
    if not problems and not body:
        problems.append(ErrorDetail("row 2", "there are no clinic rows under the header"))
    if len(body) > MAX_ROWS:
        problems.append(ErrorDetail(f"row {MAX_ROWS + 2}", f"more than {MAX_ROWS} clinics in one file"))
    for i, r in enumerate(rows[1:], start=2):
        if any(cell.strip() for cell in r) and len(r) != len(header):
            problems.append(ErrorDetail(f"row {i}", f"has {len(r)} fields; the header has {len(header)}"))
    if problems:
        raise InvalidInput(f"{problems[0].location}: {problems[0].message}; nothing was imported", problems)
    clinics = [row_to_clinic_dict(dict(zip(header, r, strict=True))) for r in body]
    try:
        return parse_quotes({"clinics": clinics})
    except InvalidInput as exc:
        details = [ErrorDetail(_csv_location(d.location), d.message) for d in exc.details]
        first = details[0] if details else ErrorDetail("file", exc.message)
        raise InvalidInput(f"{first.location}: {first.message}; nothing was imported", details) from None


def write_csv(clinics: Sequence[Clinic], courses: Sequence[Course]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for clinic, course in zip(clinics, courses, strict=True):
        writer.writerow(_clinic_row(clinic, course))
    return out.getvalue()


def _yes_no(value: bool | None) -> str:
    return "" if value is None else ("yes" if value else "no")


def _clinic_row(c: Clinic, course: Course) -> dict[str, str]:
    route = course.route
    single = c.session_prices[route]
    row: dict[str, Any] = {
        "name": c.name,
        "route": route,
        "currency": c.currency,
        "session_price": single.amount,
        "quoted_on": single.quoted_on.isoformat(),
        "source": single.source,
        "location": c.location,
        "induction_sessions": course.induction_sessions,
        "boosters": course.boosters,
        "months": course.months,
        "follow_ups": course.follow_ups,
    }
    if route in c.booster_prices:
        row["booster_price"] = c.booster_prices[route].amount
    if route in c.drug_portion:
        row["drug_portion"] = c.drug_portion[route]
    row["consultation_fee"] = c.consultation.amount if c.consultation else ""
    row["follow_up_fee"] = c.follow_up.amount if c.follow_up else ""
    package = next((p for p in c.packages if p.route == route), None)
    if package:
        row.update(
            package_sessions=package.sessions, package_price=package.price.amount, package_includes=package.includes
        )
    if c.fees:
        row.update(fee_name=c.fees[0].name, fee_amount=c.fees[0].price.amount, fee_per=c.fees[0].per)
    if c.insurance:
        ins = c.insurance
        row.update(
            in_network=_yes_no(ins.in_network),
            plan_covers_route=_yes_no(route in ins.covered_routes),
            deductible_remaining=ins.deductible_remaining,
            coinsurance_percent=ins.coinsurance_percent or "",
            copay_per_session="" if ins.copay_per_session is None else ins.copay_per_session,
            superbills=_yes_no(ins.superbills),
            oon_reimbursement_percent=ins.oon_reimbursement_percent or "",
        )
        if ins.manufacturer_savings:
            row.update(
                savings_min_pay=ins.manufacturer_savings.min_pay_per_session,
                savings_annual_cap=ins.manufacturer_savings.annual_cap,
            )
    if c.financing:
        row.update(financing_term_months=c.financing.term_months, financing_apr_percent=c.financing.apr_percent)
    for key in QUALITY:
        value = getattr(c.quality, key)
        row[key] = _yes_no(value) if isinstance(value, bool) or value is None else value
    row.update(
        review_rating=c.reviews.rating if c.reviews.rating is not None else "",
        review_count=c.reviews.count if c.reviews.count is not None else "",
        review_source=c.reviews.source,
    )
    return {k: str(v) for k, v in row.items()}
