"""The total cost of a course of treatment at one clinic, itemized, in exact money.

Pure and typed. Every line says what it is, how it was worked out and which dated quote it uses, so a
person can check it with a pencil. The rules, in order:

1. Sessions = induction + boosters, at the clinic's single-session price ("list price").
2. Packages for the route replace whole groups of sessions at the package price (the cheapest
   package per session first); sessions left over that are boosters use the booster price.
3. Consultation, follow-up visits and other fees (per session or once per course) are added.
4. Insurance, when the plan covers the route in network: the visits and sessions are billed in order;
   each pays the remaining deductible first, then a copay per session (if set) or the coinsurance
   percentage. Other fees are not covered. A manufacturer savings programme (esketamine) pays the
   patient's share of the drug portion above its per-session minimum, up to its annual cap.
5. Out of network with superbills: an expected reimbursement of the stated percentage of the
   consultation and follow-ups (evaluation visits) after any deductible; sessions are usually denied.
6. Financing: the amount paid to the clinic, repaid monthly over the term at the APR (standard
   amortization; the monthly payment is rounded to the cent and the interest is what it adds).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import model_validator

from ketnav.clinics.fields import Frozen, RouteName, Whole, fail
from ketnav.clinics.money import cents
from ketnav.clinics.profile import Clinic, Financing, Quote
from ketnav.errors import ErrorDetail, InvalidInput
from ketnav.routes import ROUTES

ZERO = Decimal(0)
WEEKS_PER_MONTH = Decimal(52) / 12


@dataclass(frozen=True)
class Series:
    """A route's usual course, from published protocols or the label: an assumption a person can edit.

    ``induction`` is the first series; after it come boosters, one a month unless ``every_weeks`` says
    the source gives a schedule (esketamine: every two weeks from week 9).
    """

    induction: int
    description: str
    citations: tuple[str, ...] = ()
    every_weeks: int | None = None


SERIES: Mapping[str, Series] = {
    "iv": Series(
        6, "six infusions over two to three weeks, as in published IV protocols", ("anand-2023", "feder-2021")
    ),
    # Spravato label, dosage and administration: weeks 1-4 twice weekly, weeks 5-8 once weekly, from
    # week 9 once every two weeks or once weekly. We price the less frequent maintenance; a person
    # whose clinic doses weekly changes the booster count.
    "nasal": Series(
        12,
        "twice weekly in weeks 1–4 and weekly in weeks 5–8, then every two weeks from week 9 (the label allows "
        "weekly or every two weeks), as on the Spravato label",
        ("spravato-label",),
        every_weeks=2,
    ),
    "im": Series(6, "assumed to match the usual IV series; no published protocol"),
    "oral": Series(6, "assumed; oral protocols vary widely"),
}
ASSUMED = Series(6, "assumed; no published protocol for this route")


def label_schedule(weeks: int) -> tuple[int, int]:
    """Spravato's label for ``weeks`` of treatment: (induction sessions, maintenance sessions).

    Two a week in weeks 1-4, one a week in weeks 5-8, then one every two weeks (weeks 9, 11, 13...).
    >>> label_schedule(13)
    (12, 3)
    >>> label_schedule(4)
    (8, 0)
    """
    induction = 2 * min(weeks, 4) + max(0, min(weeks, 8) - 4)
    return induction, (max(0, weeks - 8) + 1) // 2


class Course(Frozen):
    """What to price: how many sessions by which route over how many months, and which extras count."""

    route: RouteName
    induction_sessions: Annotated[int, Whole(0, 100)]
    boosters: Annotated[int, Whole(0, 200)]
    months: Annotated[int, Whole(1, 120)]
    follow_ups: Annotated[int, Whole(0, 100)] = 1
    consultation: bool = True
    use_packages: bool = True
    finance: bool = True

    @model_validator(mode="after")
    def _some_sessions(self) -> Course:
        if self.induction_sessions + self.boosters == 0:
            fail("course", "a course needs at least one session", at="induction_sessions")
        return self

    @property
    def sessions(self) -> int:
        return self.induction_sessions + self.boosters


def default_course(route: str, *, months: int = 3) -> Course:
    """The route's usual series over ``months``: editable assumptions, never a plan.

    Esketamine follows the label's schedule over the whole weeks in those months (3 months = 13 weeks:
    12 induction sessions, then 3 every two weeks); other routes take their usual first series, then
    one booster a month.
    """
    series = SERIES.get(route, ASSUMED)
    if series.every_weeks:
        induction, boosters = label_schedule(int(months * WEEKS_PER_MONTH))
    else:
        induction, boosters = series.induction, max(0, months - 1)
    return Course(route=route, induction_sessions=induction, boosters=boosters, months=months)


LineKind = Literal["sessions", "saving", "visit", "fee", "insurance", "savings-programme", "reimbursement", "interest"]
Show = Callable[[Decimal], str]


def plain(value: Decimal) -> str:
    """Amounts inside labels and workings as bare numbers ("2700.00"), as the JSON output has them."""
    return str(value)


@dataclass(frozen=True)
class Line:
    kind: LineKind
    label: str
    amount: Decimal  # negative for money that comes off
    working: str  # how it was worked out, in words and numbers
    quote: Quote | None = None


@dataclass(frozen=True)
class FinancingPlan:
    principal: Decimal
    term_months: int
    apr_percent: Decimal
    monthly_payment: Decimal
    total_repaid: Decimal
    interest: Decimal


@dataclass(frozen=True)
class Estimate:
    clinic: Clinic
    course: Course
    lines: tuple[Line, ...]
    billed: Decimal
    insurance_pays: Decimal
    programme_pays: Decimal
    paid_to_clinic: Decimal
    interest: Decimal
    reimbursement: Decimal
    total: Decimal  # paid to the clinic + interest - expected reimbursement
    financing: FinancingPlan | None
    assumptions: tuple[str, ...]
    warnings: tuple[str, ...] = field(default=())

    @property
    def sessions(self) -> int:
        return self.course.sessions

    @property
    def per_session(self) -> Decimal:
        return cents(self.total / self.sessions)


def amortize(principal: Decimal, financing: Financing) -> FinancingPlan:
    """Level monthly payments: P·r / (1 − (1 + r)^−n) with r = APR / 12; at 0% APR, P / n."""
    n = financing.term_months
    rate = financing.apr_percent / Decimal(1200)
    raw = principal / n if rate == 0 else principal * rate / (1 - (1 + rate) ** -n)
    payment = cents(raw)
    total = payment * n
    return FinancingPlan(principal, n, financing.apr_percent, payment, total, total - principal)


def _session_plan(clinic: Clinic, course: Course, single: Quote, show: Show) -> tuple[list[Line], list[Decimal]]:
    """Lines for the sessions and the price actually paid for each session, in order."""
    n = course.sessions
    one = show(single.amount)
    lines = [Line("sessions", f"{n} sessions at the single price", single.amount * n, f"{n} × {one}", single)]
    prices: list[Decimal] = []
    packages = sorted((p for p in clinic.prices.packages if p.route == course.route), key=lambda p: p.per_session)
    best = packages[0] if packages and course.use_packages else None
    if best is not None and best.per_session < single.amount:
        bought = n // best.sessions
        if bought:
            saving = (single.amount * best.sessions - best.price) * bought
            label = f"{bought} package{'s' if bought > 1 else ''} of {best.sessions} for {show(best.price)}"
            working = f"{bought} × ({best.sessions} × {one} − {show(best.price)})"
            if best.includes:
                label += f" (includes {best.includes})"
            lines.append(Line("saving", f"Package saving: {label}", -saving, working, best.quote))
            # Spread the package price evenly; the last session of each package takes the rounding.
            each = cents(best.price / best.sessions)
            for _ in range(bought):
                prices += [each] * (best.sessions - 1) + [best.price - each * (best.sessions - 1)]
    left = n - len(prices)
    booster = clinic.prices.booster.get(course.route)
    at_booster = min(course.boosters, left) if booster and booster.amount < single.amount else 0
    if at_booster and booster:
        saving = (single.amount - booster.amount) * at_booster
        working = f"{at_booster} × ({one} − {show(booster.amount)})"
        lines.append(Line("saving", f"Booster price for {at_booster} session(s)", -saving, working, booster))
    prices += [single.amount] * (left - at_booster) + ([booster.amount] * at_booster if booster else [])
    return lines, prices


def _visits(clinic: Clinic, course: Course, show: Show) -> tuple[list[Line], list[tuple[str, Decimal]]]:
    lines, billed = [], []
    consultation, follow_up = clinic.prices.consultation, clinic.prices.follow_up
    if course.consultation and consultation:
        q = consultation
        lines.append(Line("visit", "Consultation", q.amount, f"1 × {show(q.amount)}", q))
        billed.append(("consultation", q.amount))
    if course.follow_ups and follow_up:
        q, count = follow_up, course.follow_ups
        working = f"{count} × {show(q.amount)}"
        lines.append(Line("visit", f"{count} follow-up visit(s)", q.amount * count, working, q))
        billed += [("follow-up", q.amount)] * count
    return lines, billed


def _fees(clinic: Clinic, sessions: int, show: Show) -> list[Line]:
    lines = []
    for fee in clinic.prices.fees:
        count = sessions if fee.per == "session" else 1
        working = f"{count} × {show(fee.amount)}" + (" (every session)" if fee.per == "session" else " (once)")
        lines.append(Line("fee", fee.name, fee.amount * count, working, fee.quote))
    return lines


def _in_network(
    clinic: Clinic, course: Course, visits: list[tuple[str, Decimal]], sessions: list[Decimal], show: Show
) -> tuple[list[Line], Decimal, Decimal, list[str]]:
    ins = clinic.insurance
    assert ins is not None
    notes = []
    deductible = ins.deductible_remaining
    insurer = programme = ZERO
    cap = ins.manufacturer_savings.annual_cap if ins.manufacturer_savings else ZERO
    portion = clinic.prices.drug_portion.get(course.route)
    if ins.manufacturer_savings and portion is None:
        notes.append("No drug share of the session price was given, so manufacturer savings were not applied.")
    if ins.copay_per_session is None and ins.coinsurance_percent is None:
        notes.append("No copay or coinsurance was given: after the deductible the plan is assumed to pay in full.")
    for kind, price in [*visits, *(("session", p) for p in sessions)]:
        from_deductible = min(deductible, price)
        deductible -= from_deductible
        rest = price - from_deductible
        if kind == "session" and ins.copay_per_session is not None:
            share = min(ins.copay_per_session, rest)
        else:
            share = cents(rest * (ins.coinsurance_percent or ZERO) / 100)
        patient = from_deductible + share
        insurer += price - patient
        if kind == "session" and ins.manufacturer_savings and portion is not None and price > 0:
            drug_share = cents(patient * portion / price)
            paid = min(max(ZERO, drug_share - ins.manufacturer_savings.min_pay_per_session), cap)
            cap -= paid
            programme += paid
    lines = [
        Line(
            "insurance",
            "Insurance pays (in network)",
            -insurer,
            f"deductible {show(ins.deductible_remaining)} first, then "
            + (f"copay {show(ins.copay_per_session)} a session" if ins.copay_per_session is not None else "")
            + (" / " if ins.copay_per_session is not None and ins.coinsurance_percent is not None else "")
            + (f"coinsurance {ins.coinsurance_percent}%" if ins.coinsurance_percent is not None else "")
            + "; other fees not covered",
        )
    ]
    if ins.manufacturer_savings and programme and portion is not None:
        s = ins.manufacturer_savings
        lines.append(
            Line(
                "savings-programme",
                "Manufacturer savings programme",
                -programme,
                f"your share of the drug portion ({show(portion)} of each session) above "
                f"{show(s.min_pay_per_session)} a session, up to {show(s.annual_cap)} a year",
            )
        )
    return lines, insurer, programme, notes


def _reimbursement(clinic: Clinic, visits: list[tuple[str, Decimal]], show: Show) -> Line | None:
    ins = clinic.insurance
    if not ins or not ins.superbills or not ins.oon_reimbursement_percent or not visits:
        return None
    eligible = sum((p for _, p in visits), ZERO)
    after = max(ZERO, eligible - ins.deductible_remaining)
    refund = cents(after * ins.oon_reimbursement_percent / 100)
    working = f"({show(eligible)} − deductible {show(ins.deductible_remaining)}) × {ins.oon_reimbursement_percent}%"
    return Line("reimbursement", "Expected out-of-network reimbursement (superbill, not guaranteed)", -refund, working)


def estimate(clinic: Clinic, course: Course, *, show: Show = plain) -> Estimate:
    """The itemized cost of ``course`` at ``clinic``. ``show`` writes amounts inside labels and
    workings (plain numbers by default; pages and the terminal pass a currency formatter)."""
    single = clinic.prices.session.get(course.route)
    if single is None:
        priced = ", ".join(clinic.prices.session) or "none"
        raise InvalidInput(
            f"{clinic.name}: no per-session price for {course.route} (priced routes: {priced})",
            [ErrorDetail("course.route", f"{clinic.name} has no per-session price for {course.route}")],
        )
    lines, session_prices = _session_plan(clinic, course, single, show)
    visit_lines, visits = _visits(clinic, course, show)
    lines += visit_lines + _fees(clinic, len(session_prices), show)
    billed = sum((line.amount for line in lines), ZERO)
    notes: list[str] = []
    insurer = programme = reimbursement = ZERO
    ins = clinic.insurance
    if ins and ins.in_network and course.route in ins.covered_routes:
        ins_lines, insurer, programme, notes = _in_network(clinic, course, visits, session_prices, show)
        lines += ins_lines
    elif ins:
        refund = _reimbursement(clinic, visits, show)
        if refund:
            lines.append(refund)
            reimbursement = -refund.amount
        if ins.in_network and course.route not in ins.covered_routes:
            notes.append(f"The plan does not list {ROUTES[course.route]} as covered, so sessions are self-pay.")
    paid = billed - insurer - programme
    plan = amortize(paid, clinic.financing) if clinic.financing and course.finance and paid > 0 else None
    if plan:
        working = f"{plan.term_months} × {show(plan.monthly_payment)} − {show(plan.principal)}"
        label = f"Financing interest ({plan.apr_percent}% APR, {plan.term_months} months)"
        lines.append(Line("interest", label, plan.interest, working))
    interest = plan.interest if plan else ZERO
    return Estimate(
        clinic=clinic,
        course=course,
        lines=tuple(lines),
        billed=billed,
        insurance_pays=insurer,
        programme_pays=programme,
        paid_to_clinic=paid,
        interest=interest,
        reimbursement=reimbursement,
        total=paid + interest - reimbursement,
        financing=plan,
        assumptions=tuple(assumptions(clinic, course) + notes),
        warnings=clinic.warnings,
    )


def assumptions(clinic: Clinic, course: Course) -> list[str]:
    series = SERIES.get(course.route)
    out = [
        f"Route: {ROUTES[course.route]}; {course.induction_sessions} induction sessions"
        + (f" (typical: {series.description})" if series else "")
        + f", then {course.boosters} booster(s) over {course.months} months. Your clinic sets your actual plan.",
        f"All amounts in {clinic.currency}, from the quotes shown with their dates and sources.",
    ]
    if clinic.insurance and clinic.insurance.superbills:
        out.append("Superbill reimbursement is an estimate: insurers often deny the drug and the infusion itself.")
    out.append("Prices change: confirm them with the clinic and your insurer before you commit.")
    return out
