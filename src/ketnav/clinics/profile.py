"""A clinic's profile and dated price list: one schema for every way it arrives or leaves.

Pure (pydantic, no Django). The same model reads the CLI quotes file, the JSON and CSV imports, the
add-a-clinic form, the API and the admin, and its JSON dump is the export format, so exporting and
importing again gives the same clinic. Every price carries the date it was quoted and where it came
from; a bare amount takes the clinic-wide ``quoted_on`` and ``source``. Each field's ``Column`` says
what the form and a CSV file call it, so errors are reported in a person's words.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, field_validator, model_validator

from ketnav.clinics.fields import (
    Column,
    Currency,
    Flag,
    Frozen,
    Money,
    Number,
    OptionalMoney,
    OptionalPercent,
    Percent,
    QuoteDate,
    RouteName,
    Text,
    Whole,
    fail,
)
from ketnav.routes import route_key

# Sections of the add-a-clinic form, in the order shown; the first is always open.
BASICS, FEES, INSURANCE, PLAN, ABOUT = "basics", "fees", "insurance", "plan", "about"
GROUPS: Mapping[str, str] = {
    BASICS: "The clinic and its price for one session",
    FEES: "Packages, boosters, visits and other fees",
    INSURANCE: "Insurance",
    PLAN: "Payment plan",
    ABOUT: "What you know about the clinic (for the quality checklist)",
}
MAX_SESSIONS = 200
_DATED = "every price needs the date it was quoted (quoted_on)"
_SOURCED = "every price needs where it came from (source)"


class Quote(Frozen):
    """A price with the date it was quoted and where it came from."""

    amount: Money
    quoted_on: Annotated[QuoteDate, Column("quoted_on", "Date quoted", missing=_DATED, shared=True)]
    source: Annotated[
        str, Text(300, required=True), Column("source", "Where the price came from", missing=_SOURCED, shared=True)
    ]


class Package(Frozen):
    route: Annotated[RouteName, Column("route", "Route", shared=True)]
    sessions: Annotated[
        int,
        Whole(1, MAX_SESSIONS),
        Column(
            "package_sessions",
            "Package: number of sessions",
            FEES,
            "whole",
            "A price for several sessions bought together, if the clinic offers one.",
            missing="a package needs its number of sessions (1 or more)",
        ),
    ]
    price: Annotated[Money, Column("package_price", "Package price", FEES, "money")]
    includes: Annotated[str, Text(500), Column("package_includes", "What the package includes", FEES)] = ""
    quoted_on: Annotated[QuoteDate, Column("quoted_on", "Date quoted", missing=_DATED, shared=True)]
    source: Annotated[
        str, Text(300, required=True), Column("source", "Where the price came from", missing=_SOURCED, shared=True)
    ]

    @property
    def per_session(self) -> Decimal:
        return self.price / self.sessions

    @property
    def quote(self) -> Quote:
        return Quote.model_construct(amount=self.price, quoted_on=self.quoted_on, source=self.source)


def _per(value: object) -> object:
    return str(value or "session").strip().casefold() if isinstance(value, str | type(None)) else value


class Fee(Frozen):
    name: Annotated[str, Text(120, required=True), Column("fee_name", "Other fee: what it is for", FEES)]
    amount: Annotated[Money, Column("fee_amount", "Other fee: amount", FEES, "money")]
    per: Annotated[
        Literal["session", "course"],
        BeforeValidator(_per),
        Column("fee_per", "Other fee is charged", FEES, "per"),
    ] = "session"
    quoted_on: Annotated[QuoteDate, Column("quoted_on", "Date quoted", missing=_DATED, shared=True)]
    source: Annotated[
        str, Text(300, required=True), Column("source", "Where the price came from", missing=_SOURCED, shared=True)
    ]

    @property
    def quote(self) -> Quote:
        return Quote.model_construct(amount=self.amount, quoted_on=self.quoted_on, source=self.source)


class Savings(Frozen):
    """A manufacturer savings programme (e.g. for esketamine): the patient pays at least this per
    session for the drug's share, the programme pays the rest up to an annual cap."""

    min_pay_per_session: Annotated[
        Money,
        Column(
            "savings_min_pay",
            "Savings programme: you still pay per session",
            INSURANCE,
            "money",
            "What you pay for the drug each session even with the programme (often 0 to 10).",
        ),
    ] = Decimal("0.00")
    annual_cap: Annotated[
        Money,
        Column(
            "savings_annual_cap",
            "Savings programme: most it pays in a year",
            INSURANCE,
            "money",
            "Esketamine's maker runs a savings programme for people with commercial insurance; it pays "
            "part of your share of the drug's cost, up to a yearly limit.",
            missing="give the programme's yearly limit",
        ),
    ]


class Insurance(Frozen):
    in_network: Annotated[
        Flag,
        Column(
            "in_network",
            "Is the clinic in your plan's network?",
            INSURANCE,
            "yes-no",
            "In network means the clinic has a contract with your insurer; you usually pay less.",
        ),
    ] = None
    covered_routes: Annotated[
        list[RouteName],
        Field(max_length=10),
        Column(
            "plan_covers_route",
            "Does your plan cover this treatment?",
            INSURANCE,
            "yes-no",
            "Ask your insurer. Esketamine (Spravato) is often covered with prior approval; IV ketamine "
            "for mental health usually is not.",
        ),
    ] = []
    deductible_remaining: Annotated[
        Money,
        BeforeValidator(lambda v: 0 if v is None or v == "" else v),
        Column(
            "deductible_remaining",
            "Deductible left this year",
            INSURANCE,
            "money",
            "What you still pay yourself this plan year before your insurance starts to share the cost.",
        ),
    ] = Decimal("0.00")
    coinsurance_percent: Annotated[
        OptionalPercent,
        Column(
            "coinsurance_percent",
            "Coinsurance (%)",
            INSURANCE,
            "percent",
            "Coinsurance is the share of each bill you pay after the deductible, as a percentage "
            "(for example 20%); the plan pays the rest.",
        ),
    ] = None
    copay_per_session: Annotated[
        OptionalMoney,
        Column(
            "copay_per_session",
            "Copay per session",
            INSURANCE,
            "money",
            "A fixed amount you pay for each session instead of coinsurance, if your plan has one.",
        ),
    ] = None
    superbills: Annotated[
        Flag,
        Column(
            "superbills",
            "Does the clinic give superbills?",
            INSURANCE,
            "yes-no",
            "A superbill is a detailed receipt with the codes an insurer needs. With one you can claim "
            "part of an out-of-network visit back yourself; insurers often refuse the ketamine itself.",
        ),
    ] = None
    oon_reimbursement_percent: Annotated[
        OptionalPercent,
        Column(
            "oon_reimbursement_percent",
            "Out-of-network refund (%)",
            INSURANCE,
            "percent",
            "The share of an out-of-network bill your plan pays back when you send a superbill.",
        ),
    ] = None
    manufacturer_savings: Savings | None = None


class Financing(Frozen):
    term_months: Annotated[
        int,
        Whole(1, 120),
        Column(
            "financing_term_months",
            "Payment plan length (months)",
            PLAN,
            "whole",
            "How many monthly payments, if you would pay through a loan or payment plan.",
            missing="a payment plan needs its length in months (1–120)",
        ),
    ]
    apr_percent: Annotated[
        Percent,
        BeforeValidator(lambda v: 0 if v is None or v == "" else v),
        Column(
            "financing_apr_percent",
            "Payment plan APR (%)",
            PLAN,
            "percent",
            "APR (annual percentage rate) is the yearly cost of borrowing, as a percentage. At 0% you "
            "repay only the price.",
        ),
    ] = Decimal(0)


class Quality(Frozen):
    """What the checklist looks at; None (or "") means the person does not know yet."""

    prescriber_licence: Annotated[
        str,
        Text(60),
        Column(
            "prescriber_licence",
            "Prescriber's licence",
            ABOUT,
            help="The letters after the prescriber's name: MD, DO, NP or PA (MBBS or MBChB outside North "
            "America). A registered nurse (RN) or nurse anesthetist (CRNA) may give the treatment but does "
            "not meet this item.",
        ),
    ] = ""
    anesthesiologist_on_site: Annotated[
        Flag,
        Column(
            "anesthesiologist_on_site", "Someone on site who can manage breathing and heart problems?", ABOUT, "yes-no"
        ),
    ] = None
    psychiatrist_involved: Annotated[
        Flag, Column("psychiatrist_involved", "Psychiatrist involved in your care?", ABOUT, "yes-no")
    ] = None
    experience_years: Annotated[
        float | None, Number(0, 70), Column("experience_years", "Years giving ketamine", ABOUT, "number")
    ] = None
    treatments_given: Annotated[
        int | None, Whole(0, 10_000_000), Column("treatments_given", "Treatments given so far", ABOUT, "whole")
    ] = None
    evaluation_before_treatment: Annotated[
        Flag, Column("evaluation_before_treatment", "Full evaluation before the first session?", ABOUT, "yes-no")
    ] = None
    evaluation_includes: Annotated[
        str, Text(500), Column("evaluation_includes", "What the evaluation includes", ABOUT)
    ] = ""
    monitors_blood_pressure: Annotated[
        Flag, Column("monitors_blood_pressure", "Blood pressure checked during and after?", ABOUT, "yes-no")
    ] = None
    pulse_oximetry: Annotated[
        Flag, Column("pulse_oximetry", "Oxygen level (pulse oximetry) monitored?", ABOUT, "yes-no")
    ] = None
    observation_minutes: Annotated[
        int | None, Whole(0, 24 * 60), Column("observation_minutes", "Minutes observed after a session", ABOUT, "whole")
    ] = None
    escort_required: Annotated[
        Flag, Column("escort_required", "Must leave with a responsible adult?", ABOUT, "yes-no")
    ] = None
    measures_outcomes: Annotated[
        Flag, Column("measures_outcomes", "Tracks your symptoms with questionnaires?", ABOUT, "yes-no")
    ] = None
    integration_support: Annotated[
        Flag, Column("integration_support", "Offers integration or therapy support?", ABOUT, "yes-no")
    ] = None
    rems_certified: Annotated[
        Flag,
        Column(
            "rems_certified",
            "REMS-certified for esketamine?",
            ABOUT,
            "yes-no",
            "REMS (Risk Evaluation and Mitigation Strategy) is the FDA's safety programme for esketamine: "
            "only certified clinics may give it, and they must watch you for at least 2 hours afterwards.",
        ),
    ] = None
    setting: Annotated[str, Text(500), Column("setting", "Setting (room, music, who is with you)", ABOUT)] = ""


def _rating(value: object) -> object:
    """Ratings are read as a number first, as before: "4.70" and 4.7 are the same rating."""
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        fail("number", f"{value!r} is not a number")
    try:
        rating = float(str(value).strip())
    except ValueError:
        fail("number", f"{value!r} is not a number")
    if not 0 <= rating <= 5:
        fail("range", f"{value} is outside 0–5")
    return Decimal(str(rating))


class Reviews(Frozen):
    rating: Annotated[
        Annotated[Decimal, Field(ge=0, le=5)] | None,
        BeforeValidator(_rating),
        Column("review_rating", "Review rating (0 to 5)", ABOUT, "number"),
    ] = None
    count: Annotated[int | None, Whole(0, 10_000_000), Column("review_count", "Number of reviews", ABOUT, "whole")] = (
        None
    )
    source: Annotated[str, Text(200), Column("review_source", "Where the reviews are", ABOUT)] = ""

    @model_validator(mode="after")
    def _sourced(self) -> Reviews:
        if (self.rating is not None or self.count is not None) and not self.source:
            fail("reviews", "say where the reviews came from", at="source")
        return self


class Prices(Frozen):
    session: Annotated[
        dict[RouteName, Quote],
        Field(max_length=10),
        Column(
            "session_price",
            "Price of one session",
            BASICS,
            "money",
            "The clinic's price for a single session by this route, before insurance.",
            missing='give at least one per-session price, e.g. {"iv": 450}',
            required=True,
        ),
    ]
    booster: Annotated[
        dict[RouteName, Quote],
        Field(max_length=10),
        Column(
            "booster_price",
            "Booster session price",
            FEES,
            "money",
            "A booster (maintenance) session comes after the first series; some clinics charge less for it.",
        ),
    ] = {}
    drug_portion: Annotated[
        dict[RouteName, Money],
        Field(max_length=10),
        Column(
            "drug_portion",
            "Drug's share of the session price",
            INSURANCE,
            "money",
            "How much of the session price is the esketamine itself; the maker's savings programme only "
            "helps with this part.",
        ),
    ] = {}
    consultation: Annotated[
        Quote | None,
        Column("consultation_fee", "Consultation fee", FEES, "money", "The first assessment visit, if charged."),
    ] = None
    follow_up: Annotated[
        Quote | None,
        Column("follow_up_fee", "Follow-up visit fee", FEES, "money", "A check-in visit with the prescriber."),
    ] = None
    packages: Annotated[list[Package], Field(max_length=20)] = []
    fees: Annotated[list[Fee], Field(max_length=20)] = []

    @field_validator("session")
    @classmethod
    def _one_at_least(cls, value: dict[str, Quote]) -> dict[str, Quote]:
        if not value:
            fail("required", 'give at least one per-session price, e.g. {"iv": 450}')
        return value


def _dated(value: Any, defaults: Mapping[str, Any]) -> Any:
    """A price as a full quote: a bare amount or a partial quote takes the clinic-wide date and source."""
    entry = dict(value) if isinstance(value, Mapping) else {"amount": value}
    for key, default in defaults.items():
        if entry.get(key) in (None, "") and default not in (None, ""):
            entry[key] = default
    return entry


def _dated_prices(prices: Mapping[str, Any], defaults: Mapping[str, Any], route: str | None) -> dict[str, Any]:
    """Every price as a full quote; a package without a route is for the clinic's only route."""
    out = dict(prices)
    for key in ("session", "booster"):
        if isinstance(out.get(key), Mapping):
            out[key] = {r: _dated(v, defaults) for r, v in out[key].items()}
    for key in ("consultation", "follow_up"):
        if out.get(key) in (None, ""):
            out.pop(key, None)
        else:
            out[key] = _dated(out[key], defaults)
    for key in ("packages", "fees"):
        if isinstance(out.get(key), list):
            entries = [_dated(e, defaults) if isinstance(e, Mapping) else e for e in out[key]]
            if key == "packages" and route:
                entries = [{**e, "route": route} if isinstance(e, dict) and not e.get("route") else e for e in entries]
            out[key] = entries
    return out


def _offered(data: Mapping[str, Any]) -> list[Any]:
    """The routes listed, then every priced route, each once, by their shared names where known."""
    listed = list(data["routes"]) if isinstance(data.get("routes"), list | tuple) else []
    prices = data.get("prices")
    session = prices.get("session") if isinstance(prices, Mapping) else None
    priced = [route_key(r) for r in session] if isinstance(session, Mapping) else []
    keys = [route_key(r) or r for r in listed] + [r for r in priced if r]
    return [k for i, k in enumerate(keys) if k not in keys[:i]]  # entries may be unhashable


class Clinic(Frozen):
    name: Annotated[str, Text(200, required=True), Column("name", "Clinic name", BASICS, required=True)]
    routes: Annotated[
        list[RouteName],
        Field(max_length=10),
        Column(
            "route",
            "Route",
            BASICS,
            "route",
            "How the ketamine is given. Esketamine nasal spray (Spravato) is approved for depression; the others "
            "are off-label.",
            required=True,
        ),
    ] = []
    currency: Annotated[Currency, Column("currency", "Currency", BASICS, "currency", required=True)]
    prices: Prices
    quoted_on: Annotated[
        QuoteDate | None,
        Column("quoted_on", "Date quoted", BASICS, "date", "When the clinic gave you this price.", required=True),
    ] = None
    source: Annotated[
        str,
        Text(300),
        Column(
            "source",
            "Where the price came from",
            BASICS,
            help="For example: phone call, website, price sheet.",
            required=True,
        ),
    ] = ""
    location: Annotated[str, Text(500), Column("location", "Town or city", ABOUT)] = ""
    insurance: Insurance | None = None
    financing: Financing | None = None
    quality: Quality = Quality()
    reviews: Reviews = Reviews()

    @model_validator(mode="before")
    @classmethod
    def _fill(cls, data: Any) -> Any:
        """Bare amounts become dated quotes; the routes offered include every priced route; an empty
        insurance or payment-plan section means none."""
        if not isinstance(data, Mapping):
            return data
        out = dict(data)
        routes = _offered(data)
        if isinstance(data.get("routes"), list | tuple | type(None)):
            out["routes"] = routes
        prices = out.setdefault("prices", {})
        if isinstance(prices, Mapping):
            defaults = {"quoted_on": data.get("quoted_on"), "source": data.get("source")}
            only = routes[0] if len(routes) == 1 and isinstance(routes[0], str) else None
            out["prices"] = _dated_prices(prices, defaults, only)
        for key in ("insurance", "financing"):
            if out.get(key) in ({}, None, ""):
                out.pop(key, None)
        return out

    @model_validator(mode="after")
    def _consistent(self) -> Clinic:
        for i, package in enumerate(self.prices.packages):
            if package.route not in self.prices.session:
                fail(
                    "package",
                    f"no single-session price for {package.route} to compare with",
                    at=f"prices.packages.{i}.route",
                )
        for route, portion in self.prices.drug_portion.items():
            single = self.prices.session.get(route)
            if single is not None and portion > single.amount:
                fail("drug", "the drug's share cannot exceed the session price", at=f"prices.drug_portion.{route}")
        return self

    @property
    def warnings(self) -> tuple[str, ...]:
        """Odd but possible quotes, shown beside the estimate (a package dearer than single sessions)."""
        out = []
        for package in self.prices.packages:
            single = self.prices.session[package.route]
            if package.per_session > single.amount:
                out.append(
                    f"The package of {package.sessions} sessions costs {package.per_session:.2f} a session, more "
                    f"than a single session ({single.amount:.2f}); check the quote"
                )
        return tuple(out)

    def export(self) -> dict[str, Any]:
        """The clinic as import/export JSON: what was given, without empty or default fields."""
        return self.model_dump(mode="json", exclude_defaults=True)
