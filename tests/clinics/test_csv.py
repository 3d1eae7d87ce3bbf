"""CSV import and export of clinic quotes: exact round trips and specific, row-and-column errors."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from ketnav.clinics.csvio import COLUMNS, FORMULA_START, REQUIRED, neutralise, read_csv, write_csv
from ketnav.clinics.quotes import read_quotes
from ketnav.errors import InvalidInput

EXAMPLE = Path(__file__).with_name("example_quotes.json")
HEADER = "name,route,currency,session_price,quoted_on,source"


def test_export_then_import_gives_the_same_totals() -> None:
    quotes = read_quotes(json.loads(EXAMPLE.read_text()))
    text = write_csv(quotes)
    assert text.splitlines()[0] == ",".join(COLUMNS)
    again = read_csv(text.encode())
    assert [e.total for e in again.estimates()] == [e.total for e in quotes.estimates()]
    assert again.clinics == quotes.clinics


def test_the_columns_are_the_ones_files_already_use() -> None:
    """Users have exported files: every column main wrote is still read, under the same name."""
    main_columns = [
        "name",
        "route",
        "currency",
        "session_price",
        "quoted_on",
        "source",
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
        "in_network",
        "deductible_remaining",
        "coinsurance_percent",
        "copay_per_session",
        "superbills",
        "oon_reimbursement_percent",
        "savings_min_pay",
        "savings_annual_cap",
        "financing_term_months",
        "financing_apr_percent",
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
        "review_rating",
        "review_count",
        "review_source",
        "induction_sessions",
        "boosters",
        "months",
        "follow_ups",
    ]
    assert sorted(COLUMNS) == sorted(main_columns)
    assert REQUIRED == ("name", "route", "currency", "session_price", "quoted_on", "source")


def test_a_minimal_csv_loads() -> None:
    quotes = read_csv(f"{HEADER}\nSynthetic Clinic (example),iv,USD,450,2026-11-01,phone\n")
    assert quotes.clinics[0].prices.session["iv"].amount == 450
    assert quotes.clinics[0].course.induction_sessions == 6


def test_an_old_route_name_loads_as_the_shared_name() -> None:
    quotes = read_csv(f"{HEADER}\nSynthetic Spray Clinic (example),esketamine,USD,900,2026-11-01,phone\n")
    assert quotes.clinics[0].course.route == "nasal"


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
        f"{HEADER},financing_term_months,financing_apr_percent,plan_covers_route\n"
        "Good (example),iv,USD,450,2026-11-01,x,,,\n"
        "Bad (example),iv,USD,-450,2026-11-01,x,12,140,\n"
        "\n"
        "Odd money (example),iv,XYZ,450,2026-11-01,x,,,\n"
        "Odd date (example),iv,USD,450,2026-13-01,x,,,maybe\n"
        "No route (example),walk,USD,450,2026-11-01,x,,,\n"
    )
    with pytest.raises(InvalidInput, match="nothing was imported") as info:
        read_csv(text.encode())
    found = {(d.location, d.message.split(";")[0]) for d in info.value.details}
    assert ("row 3, column session_price", "-450 is negative") in found
    assert ("row 3, column financing_apr_percent", "140% is outside 0–100%") in found
    assert any(loc == "row 5, column currency" and "'XYZ'" in msg for loc, msg in found)  # row 4 is blank
    assert ("row 6, column quoted_on", "'2026-13-01' is not a date like 2026-11-27") in found
    assert ("row 6, column plan_covers_route", "'maybe' is not yes, no or unknown") in found
    assert any(loc == "row 7, column route" and "'walk' is not a route" in msg for loc, msg in found)
    assert all("clinics[" not in loc and "prices" not in loc for loc, _ in found)


def test_it_refuses_a_file_that_is_not_utf8() -> None:
    with pytest.raises(InvalidInput, match="not UTF-8"):
        read_csv(f"{HEADER}\nCl\xednica,iv,EUR,450,2026-11-01,x\n".encode("latin-1"))


@pytest.mark.parametrize("start", ["=", "+", "-", "@"])
def test_export_neutralises_cells_a_spreadsheet_would_run(start: str) -> None:
    hostile = f'{start}HYPERLINK("http://example.invalid","x")'
    clinic = {
        "name": f"{start}1+1 Synthetic (example)",
        "currency": "USD",
        "quoted_on": "2026-11-01",
        "source": hostile,
        "prices": {"session": {"iv": 450}},
    }
    quotes = read_quotes({"clinics": [clinic]})
    text = write_csv(quotes)
    row = next(csv.DictReader(io.StringIO(text)))
    assert row["source"] == "'" + hostile and row["name"] == f"'{start}1+1 Synthetic (example)"
    assert not any(cell.startswith(FORMULA_START) for cell in row.values())
    assert read_csv(text).clinics == quotes.clinics  # the apostrophe is taken off again on import


@pytest.mark.parametrize("cell", ["\t=1+1", "\r=1+1", "=1+1", "+1", "-1", "@SUM(A1)"])
def test_tab_and_carriage_return_starts_are_neutralised_too(cell: str) -> None:
    # Imported text is trimmed, so a tab or CR start cannot come from a clinic; the guard still holds.
    assert neutralise(cell) == "'" + cell


def test_ordinary_cells_are_left_alone() -> None:
    assert [neutralise(c) for c in ("450.00", "Synthetic Clinic", "2026-11-01", "")] == [
        "450.00",
        "Synthetic Clinic",
        "2026-11-01",
        "",
    ]
