"""Costs, checklist and quotes parsing (pure), checked against sums done by hand."""

from __future__ import annotations

import copy
import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from ketnav.clinics.checklist import MET, NOT_APPLICABLE, NOT_MET, UNKNOWN, evaluate
from ketnav.clinics.costs import Course, amortize, default_course, estimate
from ketnav.clinics.money import amount, percent, show
from ketnav.clinics.profile import Financing, parse_clinic
from ketnav.clinics.quotes import parse_quotes
from ketnav.clinics.serialize import clinic_dict
from ketnav.errors import InvalidInput

EXAMPLE = Path(__file__).with_name("example_quotes.json")


def example() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(EXAMPLE.read_text())
    return data


def lines(e: Any) -> dict[str, Decimal]:
    return {line.label: line.amount for line in e.lines}


def test_two_clinic_comparison_matches_hand_arithmetic() -> None:
    iv, esk = parse_quotes(example()).estimates()
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


def test_every_amount_is_decimal_never_float() -> None:
    for e in parse_quotes(example()).estimates():
        values = [e.billed, e.total, e.interest, *(line.amount for line in e.lines)]
        assert all(isinstance(v, Decimal) for v in values)
        assert all(v == v.quantize(Decimal("0.01")) for v in values)


def test_a_copay_replaces_coinsurance_for_sessions() -> None:
    data = example()["clinics"][1]
    data["insurance"] = {"in_network": True, "covered_routes": ["esketamine"], "copay_per_session": 40}
    clinic = parse_clinic(data)
    e = estimate(clinic, Course("esketamine", 2, 0, 1, follow_ups=0))
    # consultation fully covered (no coinsurance given), each session costs the 40 copay
    assert e.paid_to_clinic == Decimal("80.00") and e.insurance_pays == Decimal("1970.00")


def test_the_savings_programme_stops_at_its_annual_cap() -> None:
    data = example()["clinics"][1]
    data["insurance"]["manufacturer_savings"]["annual_cap"] = 300
    e = estimate(parse_clinic(data), Course("esketamine", 12, 4, 3, follow_ups=0))
    assert e.programme_pays == Decimal("300.00")


def test_a_route_the_plan_does_not_cover_is_self_pay() -> None:
    data = example()["clinics"][1]
    data["insurance"]["covered_routes"] = []
    e = estimate(parse_clinic(data), Course("esketamine", 1, 0, 1, follow_ups=0))
    assert e.insurance_pays == 0 and e.paid_to_clinic == Decimal("1150.00")
    assert any("does not list" in a for a in e.assumptions)


def test_zero_percent_financing_divides_evenly() -> None:
    plan = amortize(Decimal("1200.00"), Financing(12, Decimal(0)))
    assert plan.monthly_payment == Decimal("100.00") and plan.interest == 0


def test_default_course_uses_the_routes_usual_series() -> None:
    assert default_course("iv", months=3) == Course("iv", 6, 2, 3)
    assert default_course("esketamine", months=1).induction_sessions == 12


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (("prices", "session", "iv"), -5, "negative"),
        (("currency",), "USX", "not a currency we know"),
        (("financing", "apr_percent"), 120, "outside 0–100%"),
        (("financing", "apr_percent"), -1, "outside 0–100%"),
        (("prices", "consultation"), "lots", "not an amount of money"),
        (("quoted_on",), "2026-13-40", "not a date"),
        (("quality", "observation_minutes"), 99999, "outside"),
        (("insurance", "coinsurance_percent"), 150, "outside 0–100%"),
    ],
)
def test_it_rejects_bad_prices_naming_the_field(path: tuple[str, ...], value: Any, message: str) -> None:
    data = copy.deepcopy(example()["clinics"][0])
    target = data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    with pytest.raises(InvalidInput, match=message) as info:
        parse_clinic(data, "clinics[0]")
    location = info.value.details[0].location
    assert location.startswith("clinics[0].") and path[-1] in location


def test_it_rejects_a_price_without_a_date_or_source() -> None:
    data = copy.deepcopy(example()["clinics"][0])
    del data["quoted_on"], data["source"]
    with pytest.raises(InvalidInput) as info:
        parse_clinic(data)
    assert {"clinic.prices.session.iv.quoted_on", "clinic.prices.session.iv.source"} <= {
        d.location for d in info.value.details
    }


def test_it_rejects_a_quote_dated_in_the_future() -> None:
    data = copy.deepcopy(example()["clinics"][0])
    data["quoted_on"] = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    with pytest.raises(InvalidInput, match="in the future"):
        parse_clinic(data)


def test_it_warns_when_a_package_costs_more_per_session_than_a_single_session() -> None:
    data = copy.deepcopy(example()["clinics"][0])
    data["prices"]["packages"][0]["price"] = 3300  # 550 a session against 500 single
    clinic = parse_clinic(data)
    assert len(clinic.warnings) == 1 and "more than a single session" in clinic.warnings[0]
    e = estimate(clinic, Course("iv", 6, 0, 1))
    assert not any(line.kind == "saving" for line in e.lines)  # the dearer package is not used


def test_one_bad_clinic_rejects_the_whole_import() -> None:
    data = example()
    data["clinics"][1]["prices"]["session"]["esketamine"] = -900
    with pytest.raises(InvalidInput, match="nothing was imported") as info:
        parse_quotes(data)
    assert info.value.details[0].location == "clinics[1].prices.session.esketamine"


def test_export_then_import_gives_the_same_clinic() -> None:
    for clinic in parse_quotes(example()).clinics:
        assert parse_clinic(json.loads(json.dumps(clinic_dict(clinic)))) == clinic


def test_checklist_is_met_not_met_or_unknown_with_reasons() -> None:
    iv, esk = parse_quotes(example()).clinics
    results = {r.item.id: r for r in evaluate(iv).results}
    assert results["licensed-prescriber"].status == MET
    assert results["psychiatric-care"].status == UNKNOWN
    assert results["rems"].status == NOT_APPLICABLE
    assert results["observation"].basis == "60 min after the session"
    assert all(r.item.references for r in results.values())
    assert evaluate(iv).summary == "8 of 10 met, 0 not met, 2 unknown"
    short = parse_clinic({**example()["clinics"][1], "quality": {"observation_minutes": 60}})
    assert {r.item.id: r.status for r in evaluate(short).results}["observation"] == NOT_MET
    assert {r.item.id: r.status for r in evaluate(esk).results}["rems"] == MET


def test_money_helpers() -> None:
    assert amount("$1,250.505", "x") == Decimal("1250.51")
    assert percent("9.9%", "x") == Decimal("9.9")
    assert show(Decimal("-300"), "USD") == "-$300.00" and show(Decimal("1234.5"), "GBP") == "£1,234.50"
