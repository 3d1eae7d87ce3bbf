"""One schema per entry kind: the same model parses the API body, the page form and each CSV row.

Field ``title`` is the label a person sees (forms, error messages); ``json_schema_extra["csv"]`` is
the CSV column. Times without an offset are taken as UTC and shown back exactly as entered.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from ketnav.safety.aftercare import ROUTES

ROUTE_CHOICES: dict[str, str] = {**ROUTES, "other": "another route"}
RouteCode = Literal["iv", "im", "nasal", "intranasal", "oral", "sublingual", "sc", "other"]
ScaleCode = Literal["gad7", "phq9", "pcl5"]
EARLIEST = dt.datetime(1990, 1, 1, tzinfo=dt.UTC)


def _csv(column: str) -> dict[str, Any]:
    return {"csv": column}


def as_utc(value: dt.datetime) -> dt.datetime:
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def _check_when(value: dt.datetime) -> dt.datetime:
    value = as_utc(value)
    if value < EARLIEST:
        raise ValueError("must be in 1990 or later")
    if value > dt.datetime.now(dt.UTC) + dt.timedelta(days=1):
        raise ValueError("must not be in the future")
    return value


def _no_nul(value: Any) -> Any:
    if isinstance(value, str) and "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


class EntryIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*", mode="before")
    @classmethod
    def _text_is_clean(cls, value: Any) -> Any:
        return _no_nul(value)


class SessionIn(EntryIn):
    started_at: dt.datetime = Field(title="Date and time of the session", json_schema_extra=_csv("when"))
    route: RouteCode = Field(title="How it was given", json_schema_extra=_csv("route"))
    dose: str = Field("", max_length=200, title="Dose, as the clinic wrote it", json_schema_extra=_csv("dose"))
    clinic: str = Field("", max_length=200, title="Clinic", json_schema_extra=_csv("clinic"))
    notes: str = Field("", max_length=5000, title="Notes", json_schema_extra=_csv("notes"))

    _when = field_validator("started_at")(_check_when)


class ScaleIn(EntryIn):
    scale: ScaleCode = Field(title="Scale", json_schema_extra=_csv("scale"))
    answers: list[int] = Field(
        min_length=1,
        max_length=20,
        title="Answers",
        description="item scores in item order: GAD-7 seven 0-3, PHQ-9 nine 0-3, PCL-5 twenty 0-4",
        json_schema_extra=_csv("answers"),
    )
    taken_on: dt.date = Field(title="Date you answered", json_schema_extra=_csv("when"))

    @field_validator("answers", mode="before")
    @classmethod
    def _no_booleans(cls, value: Any) -> Any:
        if isinstance(value, list) and any(isinstance(v, bool) for v in value):
            raise ValueError("answers are numbers, not true/false")
        return value

    @field_validator("taken_on")
    @classmethod
    def _date_in_range(cls, value: dt.date) -> dt.date:
        if value < EARLIEST.date():
            raise ValueError("must be in 1990 or later")
        if value > dt.date.today() + dt.timedelta(days=1):
            raise ValueError("must not be in the future")
        return value


class SideEffectIn(EntryIn):
    session_end: dt.datetime = Field(title="When the session ended", json_schema_extra=_csv("session_end"))
    noticed_at: dt.datetime | None = Field(
        None, title="When you noticed them (now if empty)", json_schema_extra=_csv("when")
    )
    effects: list[str] = Field(min_length=1, max_length=30, title="What you noticed", json_schema_extra=_csv("effects"))
    notes: str = Field("", max_length=5000, title="Notes", json_schema_extra=_csv("notes"))

    _when = field_validator("session_end", "noticed_at")(_check_when)


class VitalsIn(EntryIn):
    measured_at: dt.datetime = Field(title="When it was measured", json_schema_extra=_csv("when"))
    systolic: int = Field(ge=50, le=300, title="Upper number (systolic, mmHg)", json_schema_extra=_csv("systolic"))
    diastolic: int = Field(ge=20, le=200, title="Lower number (diastolic, mmHg)", json_schema_extra=_csv("diastolic"))
    heart_rate: int | None = Field(
        None, ge=20, le=250, title="Heart rate (beats per minute)", json_schema_extra=_csv("heart_rate")
    )
    notes: str = Field("", max_length=5000, title="Notes", json_schema_extra=_csv("notes"))

    _when = field_validator("measured_at")(_check_when)

    @model_validator(mode="after")
    def _upper_above_lower(self) -> VitalsIn:
        if self.systolic <= self.diastolic:
            raise ValueError("the upper (systolic) number must be higher than the lower (diastolic) one")
        return self


class NoteIn(EntryIn):
    written_at: dt.datetime = Field(title="Date and time", json_schema_extra=_csv("when"))
    text: str = Field(min_length=1, max_length=10000, title="Note", json_schema_extra=_csv("notes"))

    _when = field_validator("written_at")(_check_when)


def field_title(schema: type[BaseModel], name: str) -> str:
    field = schema.model_fields.get(name)
    return (field.title or name) if field else name


def csv_column(schema: type[BaseModel], name: str) -> str:
    field = schema.model_fields.get(name)
    extra = field.json_schema_extra if field else None
    return str(extra["csv"]) if isinstance(extra, dict) and "csv" in extra else name


_MESSAGES = {
    "missing": "is required",
    "greater_than_equal": "must be at least {ge}",
    "less_than_equal": "must be at most {le}",
    "string_too_long": "must be at most {max_length} characters",
    "string_too_short": "must not be empty",
    "too_short": "needs at least {min_length}",
    "too_long": "takes at most {max_length}",
    "extra_forbidden": "is not a field of this entry",
    "datetime_from_date_parsing": "is not a date and time (YYYY-MM-DDTHH:MM)",
    "datetime_parsing": "is not a date and time (YYYY-MM-DDTHH:MM)",
    "datetime_type": "is not a date and time (YYYY-MM-DDTHH:MM)",
    "date_from_datetime_parsing": "is not a date (YYYY-MM-DD)",
    "date_parsing": "is not a date (YYYY-MM-DD)",
    "date_type": "is not a date (YYYY-MM-DD)",
    "int_parsing": "is not a whole number",
    "int_from_float": "is not a whole number",
    "int_type": "is not a whole number",
    "literal_error": "must be one of {expected}",
}


def invalid_input(exc: Any, schema: type[BaseModel], *, where: str = "") -> Any:
    """A pydantic ValidationError as InvalidInput whose locations are the labels a person sees."""
    from ketnav.errors import ErrorDetail, InvalidInput

    details = []
    for err in exc.errors():
        loc = err.get("loc", ())
        name = str(loc[0]) if loc else "entry"
        label = field_title(schema, name) if loc else ""
        if len(loc) > 1 and isinstance(loc[1], int):
            label += f", item {loc[1] + 1}"
        template = _MESSAGES.get(err["type"])
        ctx = err.get("ctx") or {}
        message = template.format(**ctx) if template else str(err["msg"]).removeprefix("Value error, ")
        details.append(ErrorDetail(f"{where}{name}", f"{label}: {message}" if label else message))
    first = details[0] if details else ErrorDetail(where or "entry", "is not valid")
    return InvalidInput(f"{where}{first.message}", details=details)
