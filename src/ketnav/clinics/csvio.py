"""Clinic quotes as CSV: one row per clinic, comma-separated, with a header row.

Pure. The columns are not listed here: they are the ``Column`` metadata of the clinic schema
(``ClinicEntry``), read flat by ``fields.unflatten`` and written by ``fields.flatten``, so the file
format, the form and the JSON cannot drift apart. Every problem is reported as "row N, column C".
A file separated by semicolons or tabs, missing required columns, or with a misspelt column is
refused with a message that says so; nothing is imported from a refused file. Writing is lossless
for one package and one extra fee per clinic (JSON export keeps everything), and neutralises cells a
spreadsheet would run as a formula.
"""

from __future__ import annotations

import csv
import difflib
import io
from collections.abc import Mapping, Sequence

from pydantic import ValidationError

from ketnav.clinics.fields import Problem, flat_columns, flatten, problems, unflatten
from ketnav.clinics.quotes import ClinicEntry, Quotes, QuotesIn
from ketnav.errors import ErrorDetail, InvalidInput

FLAT = tuple(flat_columns(ClinicEntry))
REQUIRED = tuple(f.column.name for f in FLAT if f.column.required)
COLUMNS = REQUIRED + tuple(f.column.name for f in FLAT if not f.column.required)
MAX_BYTES = 2_000_000
MAX_ROWS = 500
# A cell starting with one of these is run as a formula by Excel, LibreOffice or Google Sheets
# (OWASP "CSV injection"); written with a leading apostrophe, it is shown as text instead.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


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


def _text(data: bytes | str) -> str:
    if isinstance(data, bytes):
        if len(data) > MAX_BYTES:
            raise InvalidInput(f"the file is {len(data):,} bytes; the limit is {MAX_BYTES:,}")
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise InvalidInput(f"the file is not UTF-8 text (byte {exc.start}); save it as UTF-8 CSV") from None
    if not data.strip():
        raise InvalidInput("the file is empty; it needs a header row and one row per clinic")
    return data


def _records(data: str) -> list[list[str]]:
    reader = csv.reader(io.StringIO(data))
    try:
        return list(reader)
    except csv.Error as exc:
        raise InvalidInput(f"row {reader.line_num}: the file is not valid CSV ({exc})") from None


def _unescape(cell: str) -> str:
    """Undo the apostrophe ``write_csv`` puts before a formula-like cell, so a round trip is exact."""
    return cell[1:] if cell[:1] == "'" and cell[1:2] in FORMULA_START and len(cell) > 1 else cell


def read_csv(data: bytes | str) -> Quotes:
    """Parse a whole CSV upload; any problem refuses the whole file, with every problem listed."""
    text = _text(data)
    rows = _records(text)
    header = [h.strip().casefold() for h in rows[0]]
    found = _header_problems(header, text.splitlines()[0])
    body = [(n, r) for n, r in enumerate(rows[1:], start=2) if any(cell.strip() for cell in r)]
    if not found and not body:
        found.append(ErrorDetail("row 2", "there are no clinic rows under the header"))
    if len(body) > MAX_ROWS:
        found.append(ErrorDetail(f"row {MAX_ROWS + 2}", f"more than {MAX_ROWS} clinics in one file"))
    found += [
        ErrorDetail(f"row {n}", f"has {len(r)} fields; the header has {len(header)}")
        for n, r in body
        if len(r) != len(header)
    ]
    if found:
        raise InvalidInput(f"{found[0].location}: {found[0].message}; nothing was imported", found)
    quotes, issues = read_rows([{k: _unescape(v) for k, v in zip(header, r, strict=True)} for _, r in body])
    if quotes is None:
        details = list(dict.fromkeys(_at_row(p, [n for n, _ in body]) for p in issues))
        raise InvalidInput(f"{details[0].location}: {details[0].message}; nothing was imported", details)
    return quotes


def read_rows(rows: Sequence[Mapping[str, str]]) -> tuple[Quotes | None, list[Problem]]:
    """Flat rows (CSV records, or the add-a-clinic form) as checked quotes, or every problem found,
    located as ``("clinics", i, ...)`` with the Column each one is about."""
    docs, issues = [], []
    for i, row in enumerate(rows):
        doc, flat_issues = unflatten(ClinicEntry, row)
        docs.append(doc)
        issues += [Problem(("clinics", i, *p.loc), p.column, p.message) for p in flat_issues]
    try:
        quotes = QuotesIn.model_validate({"clinics": docs}, context={"raw": True})
    except ValidationError as exc:
        return None, issues + problems(QuotesIn, exc)
    return (None, issues) if issues else (quotes.resolve(), [])


def _at_row(problem: Problem, numbers: list[int]) -> ErrorDetail:
    index = problem.loc[1] if len(problem.loc) > 1 and isinstance(problem.loc[1], int) else None
    row = f"row {numbers[index]}" if index is not None and index < len(numbers) else "file"
    where = f"{row}, column {problem.column.name}" if problem.column else row
    return ErrorDetail(where, problem.message)


def neutralise(cell: str) -> str:
    """A cell a spreadsheet shows as text: an apostrophe before a formula-like start."""
    return "'" + cell if cell.startswith(FORMULA_START) else cell


def write_csv(quotes: Quotes) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for clinic in quotes.clinics:
        route = clinic.course.route
        row = flatten(ClinicEntry, clinic.model_dump(mode="json"), route)
        # One date and source per row: those of the session price, which every other price shares.
        single = clinic.prices.session[route]
        row.update(quoted_on=single.quoted_on.isoformat(), source=single.source)
        writer.writerow({k: neutralise(v) for k, v in row.items()})
    return out.getvalue()
