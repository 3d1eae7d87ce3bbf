from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from ketnav.trials.criteria import split_criteria
from ketnav.trials.parsing import (
    FieldProblem,
    clean_nct_id,
    parse_age_years,
    parse_date,
    phase_codes,
    status_code,
    std_age_groups,
)


@pytest.mark.parametrize(
    ("raw", "iso", "precision"),
    [
        ("2021-03", "2021-03", "month"),
        ("2021-03-15", "2021-03-15", "day"),
        ("2021", "2021", "year"),
        ("March 2021", "2021-03", "month"),
        ("March 15, 2021", "2021-03-15", "day"),
        ("Sept 2019", None, None),
    ],
)
def test_dates_keep_their_precision(raw: str, iso: str | None, precision: str | None) -> None:
    if iso is None:
        with pytest.raises(FieldProblem, match="unknown month"):
            parse_date(raw)
        return
    parsed = parse_date(raw)
    assert parsed is not None
    assert parsed.isoformat() == iso
    assert parsed.precision == precision


def test_month_precise_date_is_stored_as_first_of_month() -> None:
    parsed = parse_date("2021-03")
    assert parsed is not None
    assert parsed.value == dt.date(2021, 3, 1)


@pytest.mark.parametrize("raw", ["2021-13-40", "2021-02-30", "0021-01-01", "February 30, 2020"])
def test_it_rejects_impossible_dates(raw: str) -> None:
    with pytest.raises(FieldProblem, match=raw.split(",")[0]):
        parse_date(raw)


def test_it_rejects_unknown_date_format() -> None:
    with pytest.raises(FieldProblem, match="not in a known format"):
        parse_date("03/15/2021")


@pytest.mark.parametrize(
    ("raw", "years"),
    [
        ("18 Years", 18.0),
        ("6 Months", 0.5),
        ("N/A", None),
        ("", None),
        ("2 Weeks", round(14 / 365.25, 4)),
        ("65 years", 65.0),
        ("1 Year", 1.0),
    ],
)
def test_ages_are_normalized_to_years(raw: str, years: float | None) -> None:
    assert parse_age_years(raw) == years


@pytest.mark.parametrize(
    ("raw", "message"),
    [("-5 Years", "negative"), ("500 Years", "over 150"), ("eighteen", "not a number"), ("18 Parsecs", "unknown unit")],
)
def test_it_rejects_impossible_ages(raw: str, message: str) -> None:
    with pytest.raises(FieldProblem, match=message):
        parse_age_years(raw)


def test_standard_age_groups() -> None:
    assert std_age_groups(18, 65) == ("ADULT", "OLDER_ADULT")
    assert std_age_groups(None, 17) == ("CHILD",)
    assert std_age_groups(18, 64) == ("ADULT",)
    assert std_age_groups(None, None) == ("CHILD", "ADULT", "OLDER_ADULT")


def test_legacy_labels_become_v2_codes() -> None:
    assert status_code("Active, not recruiting") == "ACTIVE_NOT_RECRUITING"
    assert status_code("Unknown status") == "UNKNOWN"
    assert phase_codes("Phase 1/Phase 2") == ("PHASE1", "PHASE2")
    assert phase_codes("Early Phase 1") == ("EARLY_PHASE1",)
    assert phase_codes("N/A") == ("NA",)


def test_nct_ids() -> None:
    assert clean_nct_id(" nct01234567 ") == "NCT01234567"
    with pytest.raises(FieldProblem, match="not an NCT id"):
        clean_nct_id("NCT123")
    with pytest.raises(FieldProblem, match="no NCT id"):
        clean_nct_id(None)


@pytest.mark.parametrize("value", ["NCT٠١٢٣٤٥٦٧", "NCT０１２３４５６７", "NCT0123456७", "NCT01234567\n1"])
def test_it_rejects_nct_ids_with_digits_other_than_ascii(value: str) -> None:
    with pytest.raises(FieldProblem, match="not an NCT id"):
        clean_nct_id(value)


def test_study_page_and_api_refuse_non_ascii_digits(client: Client) -> None:
    assert client.get("/api/trials/NCT٠١٢٣٤٥٦٧").status_code == 422
    assert client.get("/trials/NCT٠١٢٣٤٥٦٧/").status_code == 404


def test_criteria_split_into_inclusion_and_exclusion() -> None:
    text = """Inclusion Criteria:

* Adults aged 18 to 65
* Diagnosis of generalized anxiety disorder
  confirmed by interview

Exclusion Criteria:

* History of psychosis
* Pregnancy"""
    inclusion, exclusion, sectioned = split_criteria(text)
    assert inclusion == ("Adults aged 18 to 65", "Diagnosis of generalized anxiety disorder confirmed by interview")
    assert exclusion == ("History of psychosis", "Pregnancy")
    assert sectioned


def test_criteria_without_headers_are_marked_unsectioned() -> None:
    inclusion, exclusion, sectioned = split_criteria("- healthy adults\n- no medication")
    assert inclusion == ("healthy adults", "no medication")
    assert exclusion == ()
    assert not sectioned


def test_numbered_and_bracketed_headers() -> None:
    inclusion, exclusion, _ = split_criteria(
        "[Inclusion Criteria]\n1. age > 18\n2) consent\n[Exclusion Criteria]\na. none"
    )
    assert inclusion == ("age > 18", "consent")
    assert exclusion == ("none",)
