"""CSV import and export of clinic quotes: exact round trips and specific, row-and-column errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ketnav.clinics.csvio import COLUMNS, read_csv, write_csv
from ketnav.clinics.quotes import parse_quotes
from ketnav.errors import InvalidInput

EXAMPLE = Path(__file__).with_name("example_quotes.json")
HEADER = "name,route,currency,session_price,quoted_on,source"


def test_export_then_import_gives_the_same_totals() -> None:
    quotes = parse_quotes(json.loads(EXAMPLE.read_text()))
    text = write_csv(quotes.clinics, quotes.courses)
    assert text.splitlines()[0] == ",".join(COLUMNS)
    again = read_csv(text.encode())
    assert [e.total for e in again.estimates()] == [e.total for e in quotes.estimates()]
    assert again.clinics == quotes.clinics


def test_a_minimal_csv_loads() -> None:
    quotes = read_csv(f"{HEADER}\nSynthetic Clinic (example),iv,USD,450,2026-11-01,phone\n")
    assert quotes.clinics[0].session_prices["iv"].amount == 450
    assert quotes.courses[0].induction_sessions == 6


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("name;route;currency;session_price;quoted_on;source\nA;iv;USD;450;2026-11-01;x\n", "separated by semicolons"),
        ("name\troute\tcurrency\nA\tiv\tUSD\n", "separated by tabs"),
        ("name,route,currency\nA,iv,USD\n", "missing required column(s): session_price, quoted_on, source"),
        (f"{HEADER},sesion_fee\nA,iv,USD,450,2026-11-01,x,1\n", "did you mean"),
        (f"{HEADER}\n", "no clinic rows"),
        ("", "the file is empty"),
        (f"{HEADER}\nA,iv,USD,450\n", "row 2: has 4 fields; the header has 6"),
    ],
)
def test_it_refuses_malformed_files_with_a_specific_message(text: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=message.replace("(", r"\(").replace(")", r"\)")):
        read_csv(text.encode())


def test_errors_name_the_row_and_column() -> None:
    text = (
        f"{HEADER},financing_term_months,financing_apr_percent\n"
        "Good (example),iv,USD,450,2026-11-01,x,,\n"
        "Bad (example),iv,USD,-450,2026-11-01,x,12,140\n"
        "Odd money (example),iv,XYZ,450,2026-11-01,x,,\n"
    )
    with pytest.raises(InvalidInput, match="nothing was imported") as info:
        read_csv(text.encode())
    found = {(d.location, d.message.split(";")[0]) for d in info.value.details}
    assert ("row 3, column session_price", "-450 is negative") in found
    assert any(loc == "row 3, column financing_apr_percent" and "outside 0–100%" in msg for loc, msg in found)
    assert any(loc == "row 4, column currency" and "'XYZ'" in msg for loc, msg in found)


def test_it_refuses_a_file_that_is_not_utf8() -> None:
    with pytest.raises(InvalidInput, match="not UTF-8"):
        read_csv(f"{HEADER}\nCl\xednica,iv,EUR,450,2026-11-01,x\n".encode("latin-1"))
