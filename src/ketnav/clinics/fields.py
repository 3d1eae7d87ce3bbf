"""The building blocks of the clinic schemas: checked value types, the ``Column`` metadata that names
a field on the form and in a CSV file, and the one place where schema errors become messages.

Pure (pydantic, no Django). Why this shape: the clinic data arrive as JSON (API, CLI, import), as a
CSV row and as a form, and used to be checked by a hand-written reader whose errors were mapped back
to CSV columns by a table of regexes. Now every field carries its own ``Column`` (CSV column and form
name, the label a person reads, help text), so an error's location in the schema is enough to say
"row 3, column session_price" or "Price of one session" without any second table to keep in step.
"""

from __future__ import annotations

import datetime as dt
import difflib
import itertools
import types
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Literal, NoReturn, TypeVar, Union, get_args, get_origin

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    PlainSerializer,
    ValidationError,
    ValidationInfo,
    WithJsonSchema,
    model_validator,
)
from pydantic_core import PydanticCustomError, core_schema

from ketnav.clinics.money import CURRENCIES, MAX_AMOUNT, cents
from ketnav.errors import ErrorDetail, InvalidInput
from ketnav.routes import ALIASES, ROUTES, route_key, route_names

Style = Literal["path", "label"]
M = TypeVar("M", bound="BaseModel")


@dataclass(frozen=True)
class Column:
    """How a field appears flat: its CSV column (also the form field's name) and what a person reads.

    ``group`` places it in a section of the add-a-clinic form ("" = CSV only); ``kind`` picks the
    form control; ``missing`` is the message when a required value is absent; ``shared`` marks a field
    filled from the clinic-wide column of the same name (a price's date), so errors point there but
    the flat reader never writes it.
    """

    name: str
    label: str
    group: str = ""
    kind: str = "text"
    help: str = ""
    missing: str = ""
    shared: bool = False
    required: bool = False


def fail(kind: str, message: str, **ctx: Any) -> NoReturn:
    """Raise a schema error whose message is exactly ``message`` (no "Value error, " prefix)."""
    raise PydanticCustomError(kind, "{message}", {"message": message, **ctx})


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _blank_to_none(value: object) -> object:
    return None if _blank(value) else value


# --- money, percentages, numbers, text ----------------------------------------------------------

_SYMBOLS = ("US$", "CA$", "A$", "NZ$", "$", "£", "€")
_MONEY_PATTERN = r"^\s*(US\$|CA\$|A\$|NZ\$|\$|£|€)?\s*[0-9][0-9,]*(\.[0-9]+)?\s*$"


def _money(value: object) -> Decimal:
    """450, "450", "$1,250.50" -> Decimal to the cent (half-up); never a float, never negative."""
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        fail("money", f"{value!r} is not an amount of money")
    text = str(value).strip().replace(",", "")
    for symbol in _SYMBOLS:
        text = text.replace(symbol, "")
    try:
        number = Decimal(text.strip())
    except InvalidOperation:
        fail("money", f"{value!r} is not an amount of money")
    if not number.is_finite():
        fail("money", f"{value!r} is not a finite amount")
    if number < 0:
        fail("money", f"{value} is negative; prices cannot be below zero")
    if number > MAX_AMOUNT:
        fail("money", f"{value} is implausibly large (the limit is {MAX_AMOUNT:,})")
    return cents(number)


def _percent(value: object) -> Decimal:
    """A percentage from 0 to 100 (APR, coinsurance, reimbursement): 20, "12.5", "7.5%"."""
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        fail("percent", f"{value!r} is not a percentage")
    try:
        number = Decimal(str(value).strip().rstrip("%").strip())
    except InvalidOperation:
        fail("percent", f"{value!r} is not a percentage")
    if not number.is_finite() or not Decimal(0) <= number <= Decimal(100):
        fail("percent", f"{value}% is outside 0–100%")
    return number


def _show_cents(value: Decimal) -> str:
    return f"{value:.2f}"


MONEY_JSON = {
    "anyOf": [
        {"type": "number", "minimum": 0, "maximum": int(MAX_AMOUNT)},
        {"type": "string", "pattern": _MONEY_PATTERN, "maxLength": 40},
    ],
    "description": "An amount in the clinic's currency: 450, '450.00' or '$1,250.50'.",
}
Money = Annotated[
    Decimal,
    BeforeValidator(_money),
    PlainSerializer(_show_cents, return_type=str),
    WithJsonSchema(MONEY_JSON, mode="validation"),
    WithJsonSchema({"type": "string", "pattern": r"^\d+\.\d{2}$"}, mode="serialization"),
]
OptionalMoney = Annotated[Money | None, BeforeValidator(_blank_to_none)]
# A signed amount in results (savings and reimbursements are negative lines).
MoneyOut = Annotated[
    Decimal,
    PlainSerializer(_show_cents, return_type=str),
    WithJsonSchema({"type": "string", "pattern": r"^-?\d+\.\d{2}$"}),
]
PERCENT_JSON = {
    "anyOf": [
        {"type": "number", "minimum": 0, "maximum": 100},
        {"type": "string", "pattern": r"^\s*[0-9]+(\.[0-9]+)?\s*%?\s*$", "maxLength": 20},
    ],
}
Percent = Annotated[
    Decimal,
    BeforeValidator(_percent),
    PlainSerializer(str, return_type=str),
    WithJsonSchema(PERCENT_JSON, mode="validation"),
    WithJsonSchema({"type": "string", "pattern": r"^\d+(\.\d+)?$"}, mode="serialization"),
]
OptionalPercent = Annotated[Percent | None, BeforeValidator(_blank_to_none)]

_YES = {"yes", "y", "true", "1", "met"}
_NO = {"no", "n", "false", "0", "not met"}
_UNKNOWN = {"unknown", "?", "don't know", "n/a", ""}


def flag_value(value: object) -> bool | None:
    """yes / no / unknown in the ways people write them; anything else is an error."""
    if value is None or isinstance(value, bool):
        return value
    text = str(value).strip().casefold()
    if text in _YES:
        return True
    if text in _NO:
        return False
    if text in _UNKNOWN:
        return None
    fail("flag", f"{value!r} is not yes, no or unknown")


Flag = Annotated[
    bool | None,
    BeforeValidator(flag_value),
    WithJsonSchema(
        {"anyOf": [{"type": "boolean"}, {"type": "null"}, {"type": "string", "enum": ["yes", "no", "unknown"]}]},
        mode="validation",
    ),
]


@dataclass(frozen=True)
class Whole:
    """A whole number from ``low`` to ``high`` as people type it ("12", 12, "12.0"); 12.5 is refused,
    not rounded. Blank is "not given" for an optional field, and "missing" for a required one."""

    low: int
    high: int

    def parse(self, value: object) -> object:
        if _blank(value):
            return None
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            fail("whole", f"{value!r} is not a whole number")
        try:
            number = float(str(value).strip())
        except ValueError:
            fail("whole", f"{value!r} is not a whole number")
        if not number.is_integer():
            fail("whole", f"{value!r} is not a whole number")
        if not self.low <= number <= self.high:
            fail("range", f"{value} is outside {self.low:g}–{self.high:g}")
        return int(number)

    def __get_pydantic_core_schema__(self, source: Any, handler: Any) -> core_schema.CoreSchema:
        inner = core_schema.int_schema(ge=self.low, le=self.high)
        return _before(self.parse, inner, optional=_optional(source))


@dataclass(frozen=True)
class Number:
    """A number from ``low`` to ``high`` (years of experience); blank is "not given"."""

    low: float
    high: float

    def parse(self, value: object) -> object:
        if _blank(value):
            return None
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            fail("number", f"{value!r} is not a number")
        try:
            number = float(str(value).strip())
        except ValueError:
            fail("number", f"{value!r} is not a number")
        if not self.low <= number <= self.high:
            fail("range", f"{value} is outside {self.low:g}–{self.high:g}")
        return number

    def __get_pydantic_core_schema__(self, source: Any, handler: Any) -> core_schema.CoreSchema:
        inner = core_schema.float_schema(ge=self.low, le=self.high, allow_inf_nan=False)
        return _before(self.parse, inner, optional=_optional(source))


@dataclass(frozen=True)
class Text:
    """Text trimmed of spaces, at most ``limit`` characters; numbers are read as text. NUL characters
    are refused (PostgreSQL cannot store them)."""

    limit: int
    required: bool = False

    def parse(self, value: object) -> str:
        if _blank(value):
            if self.required:
                fail("missing", "is required")
            return ""
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            fail("text", f"{value!r} is not text")
        out = str(value).strip()
        if len(out) > self.limit:
            fail("text", f"is {len(out):,} characters; the limit is {self.limit}")
        if "\x00" in out:
            fail("text", "contains a NUL character")
        return out

    def __get_pydantic_core_schema__(self, source: Any, handler: Any) -> core_schema.CoreSchema:
        inner = core_schema.str_schema(max_length=self.limit, min_length=1 if self.required else None)
        return core_schema.no_info_before_validator_function(self.parse, inner)


def _optional(source: Any) -> bool:
    return type(None) in get_args(source)


def _before(parse: Any, inner: core_schema.CoreSchema, *, optional: bool) -> core_schema.CoreSchema:
    if optional:
        return core_schema.no_info_before_validator_function(parse, core_schema.nullable_schema(inner))

    def required(value: object) -> object:
        if _blank(value):
            fail("missing", "is required")
        return parse(value)

    return core_schema.no_info_before_validator_function(required, inner)


def _quote_date(value: object) -> dt.date:
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        day = value
    else:
        try:
            day = dt.date.fromisoformat(str(value).strip())
        except ValueError:
            fail("date", f"{value!r} is not a date like 2026-11-27")
    if day > dt.date.today() + dt.timedelta(days=1):
        fail("date", f"{day} is in the future; a quote date is when the price was given")
    return day


QuoteDate = Annotated[
    dt.date, BeforeValidator(_quote_date), WithJsonSchema({"type": "string", "format": "date"}, mode="validation")
]


def _currency(value: object) -> str:
    code = str(value or "").strip().upper()
    if code not in CURRENCIES:
        known = ", ".join(sorted(CURRENCIES))
        fail("currency", f"{value!r} is not a currency we know; use an ISO 4217 code ({known})")
    return code


Currency = Annotated[
    str, BeforeValidator(_currency), WithJsonSchema({"type": "string", "enum": sorted(CURRENCIES)}, mode="validation")
]


def _route(value: object) -> str:
    key = route_key(value)
    if key is None:
        fail("route", f"{value!r} is not a route; use one of {route_names()}")
    return key


RouteName = Annotated[
    str,
    BeforeValidator(_route),
    WithJsonSchema({"type": "string", "enum": [*ROUTES, *ALIASES]}, mode="validation"),
    WithJsonSchema({"type": "string", "enum": list(ROUTES)}, mode="serialization"),
]


# --- models ---------------------------------------------------------------------------------------


class Frozen(BaseModel):
    """Immutable, and strict about names: a misspelt field ("copay") is an error, not silently ignored,
    because an ignored price makes a wrong total. Keys starting with "_" are comments and are dropped."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _drop_comments(cls, data: Any) -> Any:
        if isinstance(data, Mapping):
            return {k: v for k, v in data.items() if not (isinstance(k, str) and k.startswith("_"))}
        return data


class Checked(Frozen):
    """A document validated at an edge. Outside ``check`` (that is, when django-ninja validates a
    request body) its errors leave as one ``InvalidInput`` with readable locations, so the API's
    error shape and the CLI's messages come from the same place."""

    @model_validator(mode="wrap")
    @classmethod
    def _as_invalid_input(cls, data: Any, handler: Any, info: ValidationInfo) -> Any:
        try:
            return handler(data)
        except ValidationError as exc:
            if info.context and info.context.get("raw"):
                raise
            raise invalid(cls, exc, style="path") from None


# --- errors: schema location -> path, form label or CSV column ----------------------------------


@dataclass(frozen=True)
class Problem:
    loc: tuple[str | int, ...]
    column: Column | None
    message: str

    @property
    def path(self) -> str:
        """clinics[0].prices.session.iv.amount"""
        out = ""
        for part in self.loc:
            out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
        return out or "input"


def _strip(tp: Any) -> Any:
    """The type inside Annotated[...] and Optional[...]."""
    while True:
        if get_origin(tp) is Annotated:
            tp = get_args(tp)[0]
        elif get_origin(tp) in (Union, types.UnionType):
            inner = [a for a in get_args(tp) if a is not type(None)]
            if len(inner) != 1:
                return tp
            tp = inner[0]
        else:
            return tp


def column_of(info: Any) -> Column | None:
    return next((m for m in info.metadata if isinstance(m, Column)), None)


def _walk(model: type[BaseModel], loc: Sequence[str | int]) -> tuple[Column | None, Any]:
    """The deepest Column along ``loc`` (a field without one is reported under its nearest ancestor
    that has one), and the type found at the end of ``loc``."""
    column: Column | None = None
    current: Any = model
    for part in loc:
        current = _strip(current)
        if isinstance(current, type) and issubclass(current, BaseModel):
            info = current.model_fields.get(str(part))
            if info is None:
                return column, None
            column = column_of(info) or column
            current = info.annotation
        elif get_origin(current) in (list, tuple) and isinstance(part, int):
            current = get_args(current)[0]
        elif get_origin(current) is dict and part != "[key]":
            current = get_args(current)[1]
    return column, _strip(current)


def _parent_fields(model: type[BaseModel], loc: Sequence[str | int]) -> list[str]:
    parent = _walk(model, loc)[1]
    return list(parent.model_fields) if isinstance(parent, type) and issubclass(parent, BaseModel) else []


def _message(model: type[BaseModel], error: Mapping[str, Any], column: Column | None) -> str:
    kind, given = error["type"], error.get("input")
    if kind == "missing":
        return column.missing if column and column.missing else "is required"
    if kind == "extra_forbidden":
        name = str(error["loc"][-1])
        known = _parent_fields(model, error["loc"][:-1])
        close = difflib.get_close_matches(name, known, n=1) or [k for k in known if name.casefold() in k][:1]
        return f"{name!r} is not a field we know" + (f" (did you mean {close[0]}?)" if close else "")
    if kind in {"model_type", "dict_type", "model_attributes_type"}:
        return "should be an object with named fields"
    if kind in {"list_type", "tuple_type"}:
        return "should be a list"
    if kind in {"bool_parsing", "bool_type"}:
        return f"{given!r} should be true or false"
    if kind in {"int_parsing", "int_type", "int_from_float"}:
        return f"{given!r} is not a whole number"
    if kind == "too_long":
        return f"has more than {error.get('ctx', {}).get('max_length')} entries"
    return str(error.get("ctx", {}).get("message") or error["msg"])


def problems(model: type[BaseModel], exc: ValidationError) -> list[Problem]:
    """Every error in ``exc`` with its location in ``model``, its Column and a plain message."""
    out: list[Problem] = []
    for error in exc.errors():
        loc: tuple[str | int, ...] = tuple(error["loc"])
        at = error.get("ctx", {}).get("at")
        if at:  # a cross-field check names the field it is about
            loc += tuple(int(p) if p.isdigit() else p for p in str(at).split("."))
        column, _ = _walk(model, loc)
        problem = Problem(tuple(p for p in loc if p != "[key]"), column, _message(model, error, column))
        if problem not in out:
            out.append(problem)
    return out


def locate(problem: Problem, style: Style) -> str:
    """Where a person finds the problem: a JSON path, or the form's label."""
    if style == "label" and problem.column is not None:
        return problem.column.label
    return problem.path


def invalid(model: type[BaseModel], exc: ValidationError, *, style: Style, prefix: str = "") -> InvalidInput:
    return refused(problems(model, exc), style=style, prefix=prefix)


def refused(found: Sequence[Problem], *, style: Style, prefix: str = "") -> InvalidInput:
    """One InvalidInput for every problem found; the message says what the first one is."""
    details = [ErrorDetail(f"{prefix}{locate(p, style)}", p.message) for p in found]
    details = list(dict.fromkeys(details))  # one flat column can stand for several schema fields
    first = details[0]
    if len(details) == 1:
        return InvalidInput(f"{first.location}: {first.message}", details)
    return InvalidInput(
        f"{len(details)} problems found, so nothing was imported. First: {first.location}: {first.message}", details
    )


def check(model: type[M], data: Any, *, style: Style = "path", prefix: str = "") -> M:
    """Validate ``data`` as ``model`` or raise one InvalidInput naming every problem for ``style``."""
    try:
        return model.model_validate(data, context={"raw": True})
    except ValidationError as exc:
        raise invalid(model, exc, style=style, prefix=prefix) from None


def known_only(model: type[BaseModel], data: Any) -> Any:
    """``data`` without the keys ``model`` does not know, at every level: for records stored by older
    versions, which ignored unknown keys where the schema now refuses them."""
    model = _strip(model)
    if not (isinstance(model, type) and issubclass(model, BaseModel)) or not isinstance(data, Mapping):
        return data
    out: dict[str, Any] = {}
    for key, value in data.items():
        info = model.model_fields.get(key)
        if info is None:
            continue
        inner = _strip(info.annotation)
        if get_origin(inner) in (list, tuple) and isinstance(value, list):
            out[key] = [known_only(get_args(inner)[0], v) for v in value]
        elif get_origin(inner) is dict and isinstance(value, Mapping):
            out[key] = {k: known_only(get_args(inner)[1], v) for k, v in value.items()}
        else:
            out[key] = known_only(inner, value)
    return out


# --- flat rows (CSV and the form) <-> nested documents ---------------------------------------------

ROUTE_KEY = "{route}"  # in a flat path: the row's route (prices are kept per route)


@dataclass(frozen=True)
class Flat:
    column: Column
    path: tuple[str | int, ...]
    many: bool  # a list field: the flat value is its first entry (or, for yes-no, membership)
    default: str | None = None  # a text default: the value a form sends untouched ("session")


def flat_columns(model: type[BaseModel], path: tuple[str | int, ...] = ()) -> Iterator[Flat]:
    """Every field of ``model`` that has its own flat column, with where it lives in the document."""
    for name, info in model.model_fields.items():
        column, inner = column_of(info), _strip(info.annotation)
        origin = get_origin(inner)
        if column is not None:
            if not column.shared:
                here = (*path, name, ROUTE_KEY) if origin is dict else (*path, name)
                default = info.default if isinstance(info.default, str) and info.default else None
                yield Flat(column, here, origin in (list, tuple), default)
            continue
        if origin in (list, tuple):
            inner, path_here = _strip(get_args(inner)[0]), (*path, name, 0)
        else:
            path_here = (*path, name)
        if isinstance(inner, type) and issubclass(inner, BaseModel):
            yield from flat_columns(inner, path_here)


def _put(doc: dict[str, Any], path: Sequence[str | int], value: Any) -> None:
    node: Any = doc
    for part, after in itertools.pairwise(path):
        if isinstance(node, list):
            while len(node) <= int(part):
                node.append({})
            node = node[int(part)]
        else:
            node = node.setdefault(part, [] if isinstance(after, int) else {})
    if isinstance(node, list):
        node.append(value)
    else:
        node[path[-1]] = value


def unflatten(model: type[BaseModel], row: Mapping[str, str]) -> tuple[dict[str, Any], list[Problem]]:
    """A flat row (CSV or form) as the nested document ``model`` reads; blank cells are left out.

    A yes-no column over a list of routes ("does the plan cover this route?") becomes the row's route
    or nothing; a value that is not yes, no or unknown is returned as a problem.
    """
    route = (row.get("route") or "").strip()
    doc: dict[str, Any] = {}
    issues: list[Problem] = []
    for flat in flat_columns(model):
        raw = (row.get(flat.column.name) or "").strip()
        if not raw or raw == flat.default:  # a fee "charged every session" is not a fee by itself
            continue
        value: Any = raw
        if flat.many and flat.column.kind == "yes-no":
            try:
                yes = flag_value(raw)
            except PydanticCustomError as exc:
                issues.append(Problem(flat.path, flat.column, str(exc.context and exc.context["message"])))
                continue
            if yes is None:
                continue
            value = [route] if yes else []
        elif flat.many:
            value = [raw]
        _put(doc, [route if p == ROUTE_KEY else p for p in flat.path], value)
    return doc, issues


def _get(data: Any, path: Sequence[str | int], route: str) -> Any:
    for part in path:
        if isinstance(data, list):
            # The entry for this row's route when entries have one (a package), else the first.
            matching = [d for d in data if not isinstance(d, dict) or d.get("route") in (None, route)]
            data = matching[0] if matching else None
        elif isinstance(data, dict):
            data = data.get(route if part == ROUTE_KEY else str(part))
        if data is None:
            return None
    return data


def _cell(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return "" if value is None else str(value)


def flatten(model: type[BaseModel], data: Mapping[str, Any], route: str) -> dict[str, str]:
    """The flat row for a document dumped as JSON (``model_dump(mode="json")``), for one route."""
    row: dict[str, str] = {}
    for flat in flat_columns(model):
        value = _get(data, flat.path, route)
        if flat.many and flat.column.kind == "yes-no":
            value = None if value is None else route in value
        elif flat.many:
            value = value[0] if value else None
        if isinstance(value, dict):
            value = value.get("amount")
        row[flat.column.name] = _cell(value)
    return row
