"""Costs, checklist and quotes parsing (pure), checked against sums done by hand."""

from __future__ import annotations

import copy
import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from pydantic import TypeAdapter

from ketnav.clinics.checklist import MET, NOT_APPLICABLE, NOT_MET, UNKNOWN, evaluate
from ketnav.clinics.costs import Course, amortize, default_course, estimate
from ketnav.clinics.fields import Money, Percent, check
from ketnav.clinics.money import show
from ketnav.clinics.profile import Clinic, Financing
from ketnav.clinics.quotes import PricedClinic, read_quotes
from ketnav.errors import InvalidInput
from tests.clinics.totals_corpus import run_corpus

EXAMPLE = Path(__file__).with_name("example_quotes.json")
GOLDEN = Path(__file__).with_name("totals_golden.txt")


def example() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(EXAMPLE.read_text())
    return data


def clinic_data(i: int) -> dict[str, Any]:
    data: dict[str, Any] = copy.deepcopy(example()["clinics"][i])
    del data["course"]
    return data


def lines(e: Any) -> dict[str, Decimal]:
    return {line.label: line.amount for line in e.lines}


def test_two_clinic_comparison_matches_hand_arithmetic() -> None:
    iv, esk = read_quotes(example()).estimates()
    # IV: 8 sessions × 500 = 4,000; package 6 for 2,700 saves 6 × 500 − 2,700 = 300; two boosters at
    # 450 save 2 × 50 = 100; consultation 300; one follow-up 100; supplies fee 50 × 8 = 400.
    assert lines(iv) == {
        "8 sessions at the single price": Decimal("4000.00"),
        "Package saving: 1 package of 6 for 2700.00 (includes six infusions)": Decimal("-300.00"),
        "Booster price for 2 session(s)": Decimal("-100.00"),
        "Consultation": Decimal("300.00"),
        "1 follow-up visit(s)": Decimal("100.00"),
        "Supplies and monitoring fee": Decimal("400.00"),
        "Expected out-of-network reimbursement (superbill, not guaranteed)": Decimal("-200.00"),
        "Financing interest (12% APR, 12 months)": Decimal("291.16"),
    }
    assert iv.billed == Decimal("4400.00") and iv.paid_to_clinic == Decimal("4400.00")
    # 4,400 at 1% a month for 12 months: 44 / (1 − 1.01^−12) = 390.93; 12 × 390.93 − 4,400 = 291.16.
    assert iv.financing is not None and iv.financing.monthly_payment == Decimal("390.93")
    assert iv.total == Decimal("4491.16")  # 4,400 + 291.16 − 200 (reimbursement of (300 + 100) × 50%)
    # Esketamine: consultation 250 + 16 × 900 = 14,650 billed. Deductible 500 takes the consultation
    # (250) and 250 of session 1; session 1 then costs 250 + 20% × 650 = 380; sessions 2–16 cost
    # 20% × 900 = 180 each. Patient share 250 + 380 + 15 × 180 = 3,330, so insurance pays 11,320.
    # The drug is 600/900 of a session: the programme pays 380 × 2/3 − 10 = 243.33 for session 1 and
    # 120 − 10 = 110 for each of the other 15: 1,893.33 in all (under the 8,000 cap).
    assert esk.billed == Decimal("14650.00")
    assert esk.insurance_pays == Decimal("11320.00")
    assert esk.programme_pays == Decimal("1893.33")
    assert esk.paid_to_clinic == esk.total == Decimal("1436.67")
    assert esk.financing is None and esk.interest == 0


def test_totals_match_main_on_a_synthetic_corpus() -> None:
    """431 estimates from 160 seeded documents (JSON and CSV): every total, line and working is what
    the hand-written parser on main produced (see totals_corpus.py for how the file was made)."""
    assert run_corpus() == GOLDEN.read_text().splitlines()


def test_every_amount_is_decimal_never_float() -> None:
    for e in read_quotes(example()).estimates():
        values = [e.billed, e.total, e.interest, *(line.amount for line in e.lines)]
        assert all(isinstance(v, Decimal) for v in values)
        assert all(v == v.quantize(Decimal("0.01")) for v in values)


def test_a_formatter_writes_amounts_inside_labels_and_workings() -> None:
    iv = read_quotes(example()).clinics[0]
    shown = estimate(iv, iv.course, show=lambda v: show(v, "USD"))
    assert "Package saving: 1 package of 6 for $2,700.00 (includes six infusions)" in lines(shown)
    assert shown.lines[0].working == "8 × $500.00"
    assert shown.total == estimate(iv, iv.course).total


def test_a_copay_replaces_coinsurance_for_sessions() -> None:
    data = clinic_data(1)
    data["insurance"] = {"in_network": True, "covered_routes": ["esketamine"], "copay_per_session": 40}
    clinic = check(Clinic, data)
    e = estimate(clinic, Course(route="nasal", induction_sessions=2, boosters=0, months=1, follow_ups=0))
    # consultation fully covered (no coinsurance given), each session costs the 40 copay
    assert e.paid_to_clinic == Decimal("80.00") and e.insurance_pays == Decimal("1970.00")


def test_the_savings_programme_stops_at_its_annual_cap() -> None:
    data = clinic_data(1)
    data["insurance"]["manufacturer_savings"]["annual_cap"] = 300
    e = estimate(check(Clinic, data), Course(route="nasal", induction_sessions=12, boosters=4, months=3, follow_ups=0))
    assert e.programme_pays == Decimal("300.00")


def test_a_route_the_plan_does_not_cover_is_self_pay() -> None:
    data = clinic_data(1)
    data["insurance"]["covered_routes"] = []
    e = estimate(check(Clinic, data), Course(route="nasal", induction_sessions=1, boosters=0, months=1, follow_ups=0))
    assert e.insurance_pays == 0 and e.paid_to_clinic == Decimal("1150.00")
    assert any("does not list Esketamine nasal spray (Spravato) as covered" in a for a in e.assumptions)


def test_zero_percent_financing_divides_evenly() -> None:
    plan = amortize(Decimal("1200.00"), Financing(term_months=12, apr_percent=Decimal(0)))
    assert plan.monthly_payment == Decimal("100.00") and plan.interest == 0


def test_default_course_uses_the_routes_usual_series() -> None:
    assert default_course("iv", months=3) == Course(route="iv", induction_sessions=6, boosters=2, months=3)


@pytest.mark.parametrize(
    ("months", "induction", "maintenance"),
    [(1, 8, 0), (2, 12, 0), (3, 12, 3), (6, 12, 9), (12, 12, 22)],
)
def test_esketamine_default_course_follows_the_spravato_label(months: int, induction: int, maintenance: int) -> None:
    """Twice weekly in weeks 1-4, weekly in weeks 5-8, then every two weeks from week 9, over the whole
    weeks in the months priced (3 months = 13 weeks: 8 + 4, then weeks 9, 11 and 13)."""
    clinic = clinic_data(1)
    clinic["prices"]["session"] = {"esketamine": 900}  # the spelling older files use
    doc = {"course": {"months": months}, "clinics": [clinic]}
    course = read_quotes(doc).clinics[0].course
    assert (course.route, course.induction_sessions, course.boosters) == ("nasal", induction, maintenance)


def test_the_estimate_says_where_the_esketamine_default_came_from() -> None:
    doc = {"clinics": [clinic_data(1)]}
    (e,) = read_quotes(doc).estimates()
    assert "as on the Spravato label" in e.assumptions[0] and "every two weeks from week 9" in e.assumptions[0]


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (("prices", "session", "iv"), -5, "negative"),
        (("currency",), "USX", "not a currency we know"),
        (("financing", "apr_percent"), 120, "outside 0–100%"),
        (("financing", "apr_percent"), -1, "outside 0–100%"),
        (("prices", "consultation"), "lots", "not an amount of money"),
        (("quoted_on",), "2026-13-40", "not a date"),
        (("quality", "observation_minutes"), 99999, "outside 0–1440"),
        (("quality", "experience_years"), "many", "not a number"),
        (("insurance", "coinsurance_percent"), 150, "outside 0–100%"),
        (("insurance", "in_network"), "perhaps", "not yes, no or unknown"),
        (("prices", "fees", 0, "per"), "month", "'session' or 'course'"),
        (("prices", "packages", 0, "sessions"), 2.5, "not a whole number"),
        (("name",), "x" * 201, "the limit is 200"),
    ],
)
def test_it_rejects_bad_values_naming_the_field(path: tuple[str | int, ...], value: Any, message: str) -> None:
    data = clinic_data(0)
    target: Any = data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    with pytest.raises(InvalidInput, match=message) as info:
        check(Clinic, data, prefix="clinics[0].")
    location = info.value.details[0].location
    assert location.startswith("clinics[0].") and str(path[-1]) in location


def test_it_rejects_a_price_without_a_date_or_source() -> None:
    data = clinic_data(0)
    del data["quoted_on"], data["source"]
    with pytest.raises(InvalidInput) as info:
        check(Clinic, data)
    found = {(d.location, d.message) for d in info.value.details}
    assert ("prices.session.iv.quoted_on", "every price needs the date it was quoted (quoted_on)") in found
    assert ("prices.session.iv.source", "every price needs where it came from (source)") in found


def test_it_rejects_a_misspelt_field_rather_than_ignoring_a_price() -> None:
    data = clinic_data(1)
    data["insurance"]["copay"] = 40  # meant copay_per_session: ignoring it would give a wrong total
    with pytest.raises(InvalidInput, match="did you mean copay_per_session") as info:
        check(Clinic, data)
    assert info.value.details[0].location == "insurance.copay"


def test_comment_keys_are_allowed_anywhere() -> None:
    data = clinic_data(0)
    data["_note"] = "from the phone call"
    data["prices"]["_note"] = "before the discount"
    assert check(Clinic, data).name == "Synthetic IV Clinic (example)"


def test_it_rejects_a_drug_share_above_the_session_price() -> None:
    data = clinic_data(1)
    data["prices"]["drug_portion"] = {"nasal": 950}
    with pytest.raises(InvalidInput, match="cannot exceed the session price") as info:
        check(Clinic, data)
    assert info.value.details[0].location == "prices.drug_portion.nasal"


def test_it_rejects_reviews_without_a_source() -> None:
    data = clinic_data(0)
    data["reviews"] = {"rating": 4.5}
    with pytest.raises(InvalidInput, match="say where the reviews came from") as info:
        check(Clinic, data)
    assert info.value.details[0].location == "reviews.source"


def test_it_rejects_a_quote_dated_in_the_future() -> None:
    data = clinic_data(0)
    data["quoted_on"] = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    with pytest.raises(InvalidInput, match="in the future"):
        check(Clinic, data)


def test_it_rejects_a_course_with_no_sessions() -> None:
    doc = example()
    doc["clinics"][0]["course"] = {"induction_sessions": 0, "boosters": 0}
    with pytest.raises(InvalidInput, match="a course needs at least one session") as info:
        read_quotes(doc)
    assert info.value.details[0].location == "clinics[0].course.induction_sessions"


def test_it_rejects_a_course_for_a_route_the_clinic_does_not_price() -> None:
    doc = example()
    doc["course"] = {"route": "im"}
    with pytest.raises(InvalidInput, match="no per-session price for im") as info:
        read_quotes(doc)
    assert info.value.details[0].location == "clinics[0].course.route"


def test_it_warns_when_a_package_costs_more_per_session_than_a_single_session() -> None:
    data = clinic_data(0)
    data["prices"]["packages"][0]["price"] = 3300  # 550 a session against 500 single
    clinic = check(Clinic, data)
    assert len(clinic.warnings) == 1 and "more than a single session" in clinic.warnings[0]
    e = estimate(clinic, Course(route="iv", induction_sessions=6, boosters=0, months=1))
    assert not any(line.kind == "saving" for line in e.lines)  # the dearer package is not used


def test_one_bad_clinic_rejects_the_whole_import() -> None:
    data = example()
    data["clinics"][1]["prices"]["session"]["esketamine"] = -900
    with pytest.raises(InvalidInput, match="negative") as info:
        read_quotes(data)
    assert info.value.details[0].location == "clinics[1].prices.session.esketamine.amount"  # as written


def test_export_then_import_gives_the_same_clinic() -> None:
    for clinic in read_quotes(example()).clinics:
        assert check(PricedClinic, json.loads(json.dumps(clinic.export()))) == clinic


def test_old_route_names_are_read_as_the_shared_names() -> None:
    data = clinic_data(1)
    data["prices"]["session"] = {"Spravato": 900}
    data["insurance"]["covered_routes"] = ["esketamine"]
    clinic = check(Clinic, data)
    assert clinic.routes == ["nasal"] and list(clinic.prices.session) == ["nasal"]
    assert clinic.insurance is not None and clinic.insurance.covered_routes == ["nasal"]


def test_checklist_is_met_not_met_or_unknown_with_reasons() -> None:
    iv, esk = read_quotes(example()).clinics
    results = {r.item.id: r for r in evaluate(iv).results}
    assert results["licensed-prescriber"].status == MET
    assert results["psychiatric-care"].status == UNKNOWN
    assert results["rems"].status == NOT_APPLICABLE
    assert results["observation"].basis == "60 min after the session"
    assert all(r.item.references for r in results.values())
    assert evaluate(iv).summary == "8 of 10 met, 0 not met, 2 unknown"
    short = check(Clinic, {**clinic_data(1), "quality": {"observation_minutes": 60}})
    assert {r.item.id: r.status for r in evaluate(short).results}["observation"] == NOT_MET
    assert {r.item.id: r.status for r in evaluate(esk).results}["rems"] == MET


def _prescriber(licence: str) -> tuple[str, str]:
    clinic = check(Clinic, {**clinic_data(0), "quality": {"prescriber_licence": licence}})
    result = next(r for r in evaluate(clinic).results if r.item.id == "licensed-prescriber")
    return result.status, result.basis


@pytest.mark.parametrize("licence", ["MD", "DO", "NP", "PA", "MBBS", "MBChB", "M.D.", "MB ChB", "NP-C", "MD, PhD"])
def test_a_licensed_prescriber_is_met(licence: str) -> None:
    assert _prescriber(licence)[0] == MET


@pytest.mark.parametrize(
    ("licence", "reason"),
    [
        ("RN", "registered nurse (RN) may give the treatment but is not the prescriber"),
        ("CRNA", "nurse anesthetist (CRNA)"),
        ("LPC", "not one of MD, DO, NP, PA, MBBS or MBChB"),
    ],
)
def test_a_nurse_or_other_licence_is_not_met_with_the_reason(licence: str, reason: str) -> None:
    status, basis = _prescriber(licence)
    assert status == NOT_MET and reason in basis


def test_money_and_percent_types() -> None:
    assert TypeAdapter(Money).validate_python("$1,250.505") == Decimal("1250.51")
    assert TypeAdapter(Money).dump_python(Decimal("3")) == "3.00"
    assert TypeAdapter(Percent).validate_python("9.9%") == Decimal("9.9")
    assert show(Decimal("-300"), "USD") == "-$300.00" and show(Decimal("1234.5"), "GBP") == "£1,234.50"
    assert show(Decimal("1234.5"), "CHF") == "CHF\u00a01,234.50"
