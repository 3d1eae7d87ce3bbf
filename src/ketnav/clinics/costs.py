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

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from ketnav.clinics.money import cents
from ketnav.clinics.profile import ROUTES, Clinic, Financing, Quote
from ketnav.errors import ErrorDetail, InvalidInput

ZERO = Decimal(0)
# Typical induction series by route, from published protocols (citation ids); an assumption to edit.
DEFAULT_INDUCTION: Mapping[str, tuple[int, str, tuple[str, ...]]] = {
    "iv": (6, "six infusions over two to three weeks, as in published IV protocols", ("anand-2023", "feder-2021")),
    "esketamine": (12, "twice weekly for four weeks, then weekly for four weeks, as on the label", ("spravato-label",)),
    "im": (6, "assumed to match the usual IV series; no published protocol", ()),
    "oral": (6, "assumed; oral protocols vary widely", ()),
}


@dataclass(frozen=True)
class Course:
    route: str
    induction_sessions: int
    boosters: int
    months: int
    follow_ups: int = 1
    consultation: bool = True
    use_packages: bool = True
    finance: bool = True


def default_course(route: str, *, months: int = 3) -> Course:
    """Induction from the route's usual series, then one booster a month: editable assumptions."""
    sessions = DEFAULT_INDUCTION.get(route, (6, "", ()))[0]
    return Course(route=route, induction_sessions=sessions, boosters=max(0, months - 1), months=months)


# The bounds of a course, for every way one is entered (quotes files, the API, the compare page's form).
COURSE_LIMITS: Mapping[str, tuple[int, int]] = {
    "months": (1, 120),
    "induction_sessions": (0, 100),
    "boosters": (0, 200),
    "follow_ups": (0, 100),
}


def check_course(course: Course, where: str = "course") -> Course:
    problems = []
    if course.route not in ROUTES:
        problems.append(ErrorDetail(f"{where}.route", f"{course.route!r} is not one of {', '.join(ROUTES)}"))
    for name, (low, high) in COURSE_LIMITS.items():
        value = getattr(course, name)
        if not low <= value <= high:
            problems.append(ErrorDetail(f"{where}.{name}", f"{value} is outside {low}–{high}"))
    if course.induction_sessions + course.boosters == 0:
        problems.append(ErrorDetail(f"{where}.induction_sessions", "a course needs at least one session"))
    if problems:
        raise InvalidInput(f"{problems[0].location}: {problems[0].message}", problems)
    return course


@dataclass(frozen=True)
class Line:
    kind: str  # "sessions", "saving", "visit", "fee", "insurance", "savings-programme", "reimbursement", "interest"
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
        return self.course.induction_sessions + self.course.boosters

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


def _session_plan(clinic: Clinic, course: Course, single: Quote) -> tuple[list[Line], list[Decimal]]:
    """Lines for the sessions and the price actually paid for each session, in order."""
    n = course.induction_sessions + course.boosters
    lines = [Line("sessions", f"{n} sessions at the single price", single.amount * n, f"{n} × {single.amount}", single)]
    prices: list[Decimal] = []
    packages = sorted((p for p in clinic.packages if p.route == course.route), key=lambda p: p.per_session)
    best = packages[0] if packages and course.use_packages else None
    if best is not None and best.per_session < single.amount:
        bought = n // best.sessions
        if bought:
            saving = (single.amount * best.sessions - best.price.amount) * bought
            label = f"{bought} package{'s' if bought > 1 else ''} of {best.sessions} for {best.price.amount}"
            working = f"{bought} × ({best.sessions} × {single.amount} − {best.price.amount})"
            if best.includes:
                label += f" (includes {best.includes})"
            lines.append(Line("saving", f"Package saving: {label}", -saving, working, best.price))
            # Spread the package price evenly; the last session of each package takes the rounding.
            each = cents(best.price.amount / best.sessions)
            for _ in range(bought):
                prices += [each] * (best.sessions - 1) + [best.price.amount - each * (best.sessions - 1)]
    left = n - len(prices)
    booster = clinic.booster_prices.get(course.route)
    at_booster = min(course.boosters, left) if booster and booster.amount < single.amount else 0
    if at_booster and booster:
        saving = (single.amount - booster.amount) * at_booster
        working = f"{at_booster} × ({single.amount} − {booster.amount})"
        lines.append(Line("saving", f"Booster price for {at_booster} session(s)", -saving, working, booster))
    prices += [single.amount] * (left - at_booster) + ([booster.amount] * at_booster if booster else [])
    return lines, prices


def _visits(clinic: Clinic, course: Course) -> tuple[list[Line], list[tuple[str, Decimal]]]:
    lines, billed = [], []
    if course.consultation and clinic.consultation:
        q = clinic.consultation
        lines.append(Line("visit", "Consultation", q.amount, f"1 × {q.amount}", q))
        billed.append(("consultation", q.amount))
    if course.follow_ups and clinic.follow_up:
        q = clinic.follow_up
        total = q.amount * course.follow_ups
        lines.append(
            Line("visit", f"{course.follow_ups} follow-up visit(s)", total, f"{course.follow_ups} × {q.amount}", q)
        )
        billed += [("follow-up", q.amount)] * course.follow_ups
    return lines, billed


def _fees(clinic: Clinic, sessions: int) -> list[Line]:
    lines = []
    for fee in clinic.fees:
        count = sessions if fee.per == "session" else 1
        working = f"{count} × {fee.price.amount}" + (" (every session)" if fee.per == "session" else " (once)")
        lines.append(Line("fee", fee.name, fee.price.amount * count, working, fee.price))
    return lines


def _in_network(
    clinic: Clinic, course: Course, visits: list[tuple[str, Decimal]], sessions: list[Decimal]
) -> tuple[list[Line], Decimal, Decimal, list[str]]:
    ins = clinic.insurance
    assert ins is not None
    notes = []
    deductible = ins.deductible_remaining
    insurer = programme = ZERO
    cap = ins.manufacturer_savings.annual_cap if ins.manufacturer_savings else ZERO
    portion = clinic.drug_portion.get(course.route)
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
            f"deductible {ins.deductible_remaining} first, then "
            + (f"copay {ins.copay_per_session} a session" if ins.copay_per_session is not None else "")
            + (" / " if ins.copay_per_session is not None and ins.coinsurance_percent is not None else "")
            + (f"coinsurance {ins.coinsurance_percent}%" if ins.coinsurance_percent is not None else "")
            + "; other fees not covered",
        )
    ]
    if ins.manufacturer_savings and programme:
        s = ins.manufacturer_savings
        lines.append(
            Line(
                "savings-programme",
                "Manufacturer savings programme",
                -programme,
                f"your share of the drug portion ({portion} of each session) above {s.min_pay_per_session} "
                f"a session, up to {s.annual_cap} a year",
            )
        )
    return lines, insurer, programme, notes


def _reimbursement(clinic: Clinic, visits: list[tuple[str, Decimal]]) -> Line | None:
    ins = clinic.insurance
    if not ins or not ins.superbills or not ins.oon_reimbursement_percent or not visits:
        return None
    eligible = sum((p for _, p in visits), ZERO)
    after = max(ZERO, eligible - ins.deductible_remaining)
    refund = cents(after * ins.oon_reimbursement_percent / 100)
    working = f"({eligible} − deductible {ins.deductible_remaining}) × {ins.oon_reimbursement_percent}%"
    return Line("reimbursement", "Expected out-of-network reimbursement (superbill, not guaranteed)", -refund, working)


def estimate(clinic: Clinic, course: Course) -> Estimate:
    check_course(course)
    single = clinic.session_prices.get(course.route)
    if single is None:
        priced = ", ".join(clinic.session_prices) or "none"
        raise InvalidInput(
            f"{clinic.name}: no per-session price for {course.route} (priced routes: {priced})",
            [ErrorDetail(f"{clinic.name}.prices.session.{course.route}", "missing")],
        )
    lines, session_prices = _session_plan(clinic, course, single)
    visit_lines, visits = _visits(clinic, course)
    lines += visit_lines + _fees(clinic, len(session_prices))
    billed = sum((line.amount for line in lines), ZERO)
    notes: list[str] = []
    insurer = programme = reimbursement = ZERO
    ins = clinic.insurance
    if ins and ins.in_network and course.route in ins.covered_routes:
        ins_lines, insurer, programme, notes = _in_network(clinic, course, visits, session_prices)
        lines += ins_lines
    elif ins:
        refund = _reimbursement(clinic, visits)
        if refund:
            lines.append(refund)
            reimbursement = -refund.amount
        if ins.in_network and course.route not in ins.covered_routes:
            notes.append(f"The plan does not list {ROUTES[course.route]} as covered, so sessions are self-pay.")
    paid = billed - insurer - programme
    plan = amortize(paid, clinic.financing) if clinic.financing and course.finance and paid > 0 else None
    if plan:
        working = f"{plan.term_months} × {plan.monthly_payment} − {plan.principal}"
        lines.append(
            Line(
                "interest",
                f"Financing interest ({plan.apr_percent}% APR, {plan.term_months} months)",
                plan.interest,
                working,
            )
        )
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
    induction = DEFAULT_INDUCTION.get(course.route)
    out = [
        f"Route: {ROUTES[course.route]}; {course.induction_sessions} induction sessions"
        + (f" (typical: {induction[1]})" if induction else "")
        + f", then {course.boosters} booster(s) over {course.months} months. Your clinic sets your actual plan.",
        f"All amounts in {clinic.currency}, from the quotes shown with their dates and sources.",
    ]
    if clinic.insurance and clinic.insurance.superbills:
        out.append("Superbill reimbursement is an estimate: insurers often deny the drug and the infusion itself.")
    out.append("Prices change: confirm them with the clinic and your insurer before you commit.")
    return out
