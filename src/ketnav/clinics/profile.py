"""A clinic's profile and dated price list, parsed from JSON-shaped data with every problem named.

Pure. One parser serves the CLI quotes file, the JSON and CSV imports, the API and the admin, so a
price is checked the same way wherever it comes from. Every problem is collected with its location
("clinics[1].prices.session.iv") and raised together as one InvalidInput: nothing half-parsed escapes.
Warnings (a package dearer per session than a single session) are kept on the clinic and shown.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from ketnav.clinics.money import amount, currency, percent
from ketnav.errors import ErrorDetail, InvalidInput, KetnavError

ROUTES: dict[str, str] = {
    "iv": "IV infusion",
    "im": "IM injection",
    "esketamine": "Esketamine nasal spray (Spravato)",
    "oral": "Oral or sublingual",
}
FEE_PER = ("session", "course")
MAX_SESSIONS = 200


@dataclass(frozen=True)
class Quote:
    """A price with the date it was quoted and where it came from."""

    amount: Decimal
    quoted_on: dt.date
    source: str


@dataclass(frozen=True)
class Package:
    route: str
    sessions: int
    price: Quote
    includes: str = ""

    @property
    def per_session(self) -> Decimal:
        return self.price.amount / self.sessions


@dataclass(frozen=True)
class Fee:
    name: str
    price: Quote
    per: str  # "session" or "course"


@dataclass(frozen=True)
class Savings:
    """A manufacturer savings programme (e.g. for esketamine): the patient pays at least this per
    session for the drug's share, the programme pays the rest up to an annual cap."""

    min_pay_per_session: Decimal
    annual_cap: Decimal


@dataclass(frozen=True)
class Insurance:
    in_network: bool | None = None
    covered_routes: tuple[str, ...] = ()
    deductible_remaining: Decimal = Decimal(0)
    coinsurance_percent: Decimal | None = None
    copay_per_session: Decimal | None = None
    superbills: bool | None = None
    oon_reimbursement_percent: Decimal | None = None
    manufacturer_savings: Savings | None = None


@dataclass(frozen=True)
class Financing:
    term_months: int
    apr_percent: Decimal


@dataclass(frozen=True)
class Quality:
    """What the checklist looks at; None (or "") means the person does not know yet."""

    prescriber_licence: str = ""
    anesthesiologist_on_site: bool | None = None
    psychiatrist_involved: bool | None = None
    experience_years: float | None = None
    treatments_given: int | None = None
    evaluation_before_treatment: bool | None = None
    evaluation_includes: str = ""
    monitors_blood_pressure: bool | None = None
    pulse_oximetry: bool | None = None
    observation_minutes: int | None = None
    escort_required: bool | None = None
    measures_outcomes: bool | None = None
    integration_support: bool | None = None
    rems_certified: bool | None = None
    setting: str = ""


@dataclass(frozen=True)
class Reviews:
    rating: Decimal | None = None
    count: int | None = None
    source: str = ""


@dataclass(frozen=True)
class Clinic:
    name: str
    location: str
    routes: tuple[str, ...]
    currency: str
    session_prices: Mapping[str, Quote]
    booster_prices: Mapping[str, Quote] = field(default_factory=dict)
    drug_portion: Mapping[str, Decimal] = field(default_factory=dict)
    consultation: Quote | None = None
    follow_up: Quote | None = None
    packages: tuple[Package, ...] = ()
    fees: tuple[Fee, ...] = ()
    insurance: Insurance | None = None
    financing: Financing | None = None
    quality: Quality = field(default_factory=Quality)
    reviews: Reviews = field(default_factory=Reviews)
    warnings: tuple[str, ...] = ()


# --- reading ------------------------------------------------------------------------------------


class _Reader:
    """Collects problems with their locations instead of stopping at the first."""

    def __init__(self) -> None:
        self.problems: list[ErrorDetail] = []
        self.warnings: list[str] = []

    def fail(self, where: str, message: str) -> None:
        self.problems.append(ErrorDetail(where, message))

    def guard(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except KetnavError as exc:
            # Keep the full message (it says what is wrong), under the location of the field.
            location = exc.details[0].location if exc.details else "input"
            message = exc.message.removeprefix(f"{location}: ")
            self.problems.append(ErrorDetail(location, message))
            return None

    def text(self, data: Mapping[str, Any], key: str, where: str, *, required: bool = False, limit: int = 500) -> str:
        value = data.get(key)
        if value is None or str(value).strip() == "":
            if required:
                self.fail(f"{where}.{key}", "is required")
            return ""
        if not isinstance(value, str | int | float):
            self.fail(f"{where}.{key}", f"{value!r} is not text")
            return ""
        text = str(value).strip()
        if len(text) > limit:
            self.fail(f"{where}.{key}", f"is {len(text):,} characters; the limit is {limit}")
        return text

    def flag(self, data: Mapping[str, Any], key: str, where: str) -> bool | None:
        value = data.get(key)
        if value is None or value == "":
            return None
        if isinstance(value, bool):
            return value
        text = str(value).strip().casefold()
        if text in {"yes", "y", "true", "1", "met"}:
            return True
        if text in {"no", "n", "false", "0", "not met"}:
            return False
        if text in {"unknown", "?", "don't know", "n/a"}:
            return None
        self.fail(f"{where}.{key}", f"{value!r} is not yes, no or unknown")
        return None

    def number(
        self, data: Mapping[str, Any], key: str, where: str, *, low: float, high: float, whole: bool = False
    ) -> Any:
        value = data.get(key)
        if value is None or value == "":
            return None
        try:
            number = float(str(value).strip())
        except ValueError:
            self.fail(f"{where}.{key}", f"{value!r} is not a number")
            return None
        if whole and not number.is_integer():
            self.fail(f"{where}.{key}", f"{value!r} is not a whole number")
            return None
        if not low <= number <= high:
            self.fail(f"{where}.{key}", f"{value} is outside {low:g}–{high:g}")
            return None
        return int(number) if whole else number

    def date(self, value: Any, where: str) -> dt.date | None:
        if isinstance(value, dt.date):
            return value
        try:
            day = dt.date.fromisoformat(str(value).strip())
        except ValueError:
            self.fail(where, f"{value!r} is not a date like 2026-11-27")
            return None
        if day > dt.date.today() + dt.timedelta(days=1):
            self.fail(where, f"{day} is in the future; a quote date is when the price was given")
            return None
        return day

    def quote(self, value: Any, where: str, defaults: Mapping[str, Any]) -> Quote | None:
        entry = value if isinstance(value, Mapping) else {"amount": value}
        money = self.guard(amount, entry.get("amount"), where if not isinstance(value, Mapping) else f"{where}.amount")
        quoted_raw = entry.get("quoted_on") or defaults.get("quoted_on")
        source = str(entry.get("source") or defaults.get("source") or "").strip()
        if not quoted_raw:
            self.fail(f"{where}.quoted_on", "every price needs the date it was quoted (quoted_on)")
        if not source:
            self.fail(f"{where}.source", "every price needs where it came from (source)")
        quoted = self.date(quoted_raw, f"{where}.quoted_on") if quoted_raw else None
        if money is None or quoted is None or not source:
            return None
        return Quote(money, quoted, source[:300])

    def entry_quote(self, entry: Mapping[str, Any], key: str, where: str, defaults: Mapping[str, Any]) -> Quote | None:
        """The price in ``entry[key]``, dated and sourced by the entry itself or else by the defaults."""
        dated = {k: v for k, v in entry.items() if k in {"quoted_on", "source"}}
        return self.quote({**dated, "amount": entry.get(key)}, f"{where}.{key}", defaults)

    def route(self, value: Any, where: str) -> str | None:
        key = str(value or "").strip().casefold().replace("spravato", "esketamine")
        if key not in ROUTES:
            self.fail(where, f"{value!r} is not a route; use one of {', '.join(ROUTES)}")
            return None
        return key


def _mapping(value: Any, where: str, reader: _Reader) -> Mapping[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        reader.fail(where, "should be an object with named fields")
        return {}
    return value


def _prices_by_route(raw: Any, where: str, reader: _Reader, defaults: Mapping[str, Any]) -> dict[str, Quote]:
    out: dict[str, Quote] = {}
    for key, value in _mapping(raw, where, reader).items():
        route = reader.route(key, f"{where}.{key}")
        quote = reader.quote(value, f"{where}.{key}", defaults)
        if route and quote:
            out[route] = quote
    return out


def _drug_portion(raw: Any, where: str, reader: _Reader) -> dict[str, Decimal]:
    """How much of a session price is the drug itself (for manufacturer savings on esketamine)."""
    out: dict[str, Decimal] = {}
    for key, value in _mapping(raw, where, reader).items():
        route = reader.route(key, f"{where}.{key}")
        share = reader.guard(amount, value, f"{where}.{key}")
        if route and share is not None:
            out[route] = share
    return out


def _packages(raw: Any, where: str, reader: _Reader, defaults: Mapping[str, Any]) -> list[Package]:
    out = []
    for i, entry in enumerate(raw or ()):
        here = f"{where}[{i}]"
        entry = _mapping(entry, here, reader)
        route = reader.route(entry.get("route"), f"{here}.route")
        sessions = reader.number(entry, "sessions", here, low=1, high=MAX_SESSIONS, whole=True)
        if sessions is None:
            reader.fail(f"{here}.sessions", "a package needs its number of sessions (1 or more)")
        price = reader.entry_quote(entry, "price", here, defaults)
        if route and sessions and price:
            out.append(Package(route, sessions, price, reader.text(entry, "includes", here)))
    return out


def _fees(raw: Any, where: str, reader: _Reader, defaults: Mapping[str, Any]) -> list[Fee]:
    out = []
    for i, entry in enumerate(raw or ()):
        here = f"{where}[{i}]"
        entry = _mapping(entry, here, reader)
        name = reader.text(entry, "name", here, required=True, limit=120)
        per = str(entry.get("per") or "session").strip().casefold()
        if per not in FEE_PER:
            reader.fail(f"{here}.per", f"{per!r} is not 'session' or 'course'")
        price = reader.entry_quote(entry, "amount", here, defaults)
        if name and price and per in FEE_PER:
            out.append(Fee(name, price, per))
    return out


def _insurance(raw: Any, where: str, reader: _Reader) -> Insurance | None:
    data = _mapping(raw, where, reader)
    if not data:
        return None
    covered = []
    for i, r in enumerate(data.get("covered_routes") or ()):
        route = reader.route(r, f"{where}.covered_routes[{i}]")
        if route:
            covered.append(route)
    savings = None
    raw_savings = _mapping(data.get("manufacturer_savings"), f"{where}.manufacturer_savings", reader)
    if raw_savings:
        here = f"{where}.manufacturer_savings"
        floor = reader.guard(amount, raw_savings.get("min_pay_per_session", 0), f"{here}.min_pay_per_session")
        cap = reader.guard(amount, raw_savings.get("annual_cap"), f"{here}.annual_cap")
        if floor is not None and cap is not None:
            savings = Savings(floor, cap)

    def optional(key: str, parse: Any) -> Any:
        value = data.get(key)
        return None if value is None or value == "" else reader.guard(parse, value, f"{where}.{key}")

    return Insurance(
        in_network=reader.flag(data, "in_network", where),
        covered_routes=tuple(covered),
        deductible_remaining=optional("deductible_remaining", amount) or Decimal(0),
        coinsurance_percent=optional("coinsurance_percent", percent),
        copay_per_session=optional("copay_per_session", amount),
        superbills=reader.flag(data, "superbills", where),
        oon_reimbursement_percent=optional("oon_reimbursement_percent", percent),
        manufacturer_savings=savings,
    )


def _financing(raw: Any, where: str, reader: _Reader) -> Financing | None:
    data = _mapping(raw, where, reader)
    if not data:
        return None
    term = reader.number(data, "term_months", where, low=1, high=120, whole=True)
    if term is None and "term_months" not in data:
        reader.fail(f"{where}.term_months", "a payment plan needs its length in months (1–120)")
    apr = reader.guard(percent, data.get("apr_percent", 0), f"{where}.apr_percent")
    return Financing(term, apr) if term is not None and apr is not None else None


def _quality(raw: Any, where: str, reader: _Reader) -> Quality:
    data = _mapping(raw, where, reader)
    flags = {
        k: reader.flag(data, k, where)
        for k in (
            "anesthesiologist_on_site",
            "psychiatrist_involved",
            "evaluation_before_treatment",
            "monitors_blood_pressure",
            "pulse_oximetry",
            "escort_required",
            "measures_outcomes",
            "integration_support",
            "rems_certified",
        )
    }
    return Quality(
        prescriber_licence=reader.text(data, "prescriber_licence", where, limit=60),
        experience_years=reader.number(data, "experience_years", where, low=0, high=70),
        treatments_given=reader.number(data, "treatments_given", where, low=0, high=10_000_000, whole=True),
        evaluation_includes=reader.text(data, "evaluation_includes", where),
        observation_minutes=reader.number(data, "observation_minutes", where, low=0, high=24 * 60, whole=True),
        setting=reader.text(data, "setting", where),
        **flags,
    )


def _reviews(raw: Any, where: str, reader: _Reader) -> Reviews:
    data = _mapping(raw, where, reader)
    rating = reader.number(data, "rating", where, low=0, high=5)
    count = reader.number(data, "count", where, low=0, high=10_000_000, whole=True)
    source = reader.text(data, "source", where, limit=200)
    if (rating is not None or count is not None) and not source:
        reader.fail(f"{where}.source", "say where the reviews came from")
    return Reviews(Decimal(str(rating)) if rating is not None else None, count, source)


def _read_clinic(data: Mapping[str, Any], where: str, reader: _Reader) -> Clinic | None:
    name = reader.text(data, "name", where, required=True, limit=200)
    code = reader.guard(currency, data.get("currency"), f"{where}.currency")
    defaults = {"quoted_on": data.get("quoted_on"), "source": data.get("source")}
    prices = _mapping(data.get("prices"), f"{where}.prices", reader)
    here = f"{where}.prices"
    sessions = _prices_by_route(prices.get("session"), f"{here}.session", reader, defaults)
    if not sessions and not prices.get("session"):
        reader.fail(f"{here}.session", 'give at least one per-session price, e.g. {"iv": 450}')
    routes = [r for r in (reader.route(r, f"{where}.routes") for r in data.get("routes") or ()) if r]
    clinic = Clinic(
        name=name,
        location=reader.text(data, "location", where),
        routes=tuple(dict.fromkeys([*routes, *sessions])),
        currency=code or "",
        session_prices=sessions,
        booster_prices=_prices_by_route(prices.get("booster"), f"{here}.booster", reader, defaults),
        drug_portion=_drug_portion(prices.get("drug_portion"), f"{here}.drug_portion", reader),
        consultation=reader.quote(prices["consultation"], f"{here}.consultation", defaults)
        if prices.get("consultation") not in (None, "")
        else None,
        follow_up=reader.quote(prices["follow_up"], f"{here}.follow_up", defaults)
        if prices.get("follow_up") not in (None, "")
        else None,
        packages=tuple(_packages(prices.get("packages"), f"{here}.packages", reader, defaults)),
        fees=tuple(_fees(prices.get("fees"), f"{here}.fees", reader, defaults)),
        insurance=_insurance(data.get("insurance"), f"{where}.insurance", reader),
        financing=_financing(data.get("financing"), f"{where}.financing", reader),
        quality=_quality(data.get("quality"), f"{where}.quality", reader),
        reviews=_reviews(data.get("reviews"), f"{where}.reviews", reader),
    )
    return _with_warnings(clinic, where, reader)


def _with_warnings(clinic: Clinic, where: str, reader: _Reader) -> Clinic:
    warnings = []
    for i, package in enumerate(clinic.packages):
        single = clinic.session_prices.get(package.route)
        if single is None:
            reader.fail(
                f"{where}.prices.packages[{i}].route", f"no single-session price for {package.route} to compare with"
            )
        elif package.per_session > single.amount:
            warnings.append(
                f"{where}.prices.packages[{i}]: the package costs {package.per_session:.2f} a session, more than "
                f"a single session ({single.amount:.2f}); check the quote"
            )
    for route, portion in clinic.drug_portion.items():
        single = clinic.session_prices.get(route)
        if single is not None and portion > single.amount:
            reader.fail(f"{where}.prices.drug_portion.{route}", "the drug's share cannot exceed the session price")
    return Clinic(**{**clinic.__dict__, "warnings": tuple(warnings)})


def parse_clinic(data: Any, where: str = "clinic") -> Clinic:
    reader = _Reader()
    if not isinstance(data, Mapping):
        raise InvalidInput(f"{where}: should be an object with a name, currency and prices")
    clinic = _read_clinic(data, where, reader)
    if reader.problems or clinic is None:
        first = reader.problems[0]
        raise InvalidInput(f"{first.location}: {first.message}", reader.problems)
    return clinic


def parse_clinics(items: Any, where: str = "clinics") -> list[Clinic]:
    """Every clinic in a list, all checked before any is accepted (an import is all or nothing)."""
    if not isinstance(items, Sequence) or isinstance(items, str | bytes) or not items:
        raise InvalidInput(f"{where}: should be a non-empty list of clinics")
    problems: list[ErrorDetail] = []
    clinics = []
    for i, item in enumerate(items):
        try:
            clinics.append(parse_clinic(item, f"{where}[{i}]"))
        except InvalidInput as exc:
            problems.extend(exc.details or [ErrorDetail(f"{where}[{i}]", exc.message)])
    if problems:
        raise InvalidInput(
            f"{len(problems)} problem(s) found, so nothing was imported. First: {problems[0].location}: "
            f"{problems[0].message}",
            problems,
        )
    return clinics
