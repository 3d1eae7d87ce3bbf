"""The pre-consultation questionnaire: its vocabulary, one typed schema for its answers, and parsing.

Pure (pydantic, no Django). The same schema (``ScreeningAnswersIn``) parses the API body, the web
form (after the view turns form fields into the same shape) and the CLI's JSON file, and its JSON
Schema is what ``/api/openapi.json`` shows, so every channel accepts exactly the same answers and
states the same limits. Validation messages are written for people ("a systolic (upper) pressure of
400 mmHg is not possible"), raised as ``PydanticCustomError`` so no "Value error," prefix leaks out.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, WithJsonSchema, field_validator
from pydantic_core import PydanticCustomError

from ketnav.errors import ErrorDetail, InvalidInput


@dataclass(frozen=True)
class Condition:
    """A condition a person can tick: its code, the words the form shows, and other plain names."""

    code: str
    label: str
    aliases: tuple[str, ...] = ()


CONDITION_LIST: tuple[Condition, ...] = (
    Condition(
        "aneurysmal_vascular_disease",
        "An aneurysm (a bulging blood vessel) in the brain, chest, abdomen or limbs",
        ("aneurysm", "aneurysmal vascular disease"),
    ),
    Condition("arteriovenous_malformation", "An arteriovenous malformation (AVM)", ("avm",)),
    Condition(
        "intracerebral_hemorrhage_history",
        "Bleeding in the brain, at any time",
        ("brain bleed", "bleeding in the brain", "intracerebral haemorrhage", "intracerebral hemorrhage"),
    ),
    Condition(
        "hypersensitivity_ketamine",
        "An allergic reaction to ketamine or esketamine",
        ("ketamine allergy", "allergy to ketamine", "esketamine allergy"),
    ),
    Condition(
        "uncontrolled_hypertension",
        "High blood pressure that is not well controlled",
        ("uncontrolled hypertension", "uncontrolled high blood pressure", "poorly controlled hypertension"),
    ),
    Condition(
        "cardiovascular_disease",
        "Heart disease: heart attack, heart failure, valve disease or an irregular heartbeat",
        ("heart disease", "heart attack", "heart failure", "arrhythmia"),
    ),
    Condition(
        "cerebrovascular_or_brain_injury",
        "Stroke, mini-stroke (TIA) or a serious head or brain injury",
        ("stroke", "tia", "mini-stroke", "brain injury", "head injury"),
    ),
    Condition(
        "hypertensive_encephalopathy_history",
        "Hypertensive encephalopathy (brain effects of very high blood pressure)",
        ("hypertensive encephalopathy",),
    ),
    Condition(
        "psychosis_current",
        "Psychosis now, or psychosis or schizophrenia that is not well controlled",
        ("current psychosis", "active psychosis", "uncontrolled psychosis", "poorly controlled psychosis"),
    ),
    Condition(
        "psychosis_history",
        "Psychosis or schizophrenia in the past, now well controlled",
        # Not plain "psychosis" or "schizophrenia": those could be now or past, and the two differ in severity.
        ("past psychosis", "history of psychosis", "past schizophrenia"),
    ),
    Condition("bipolar_or_mania", "Bipolar disorder or episodes of mania", ("bipolar", "bipolar disorder", "mania")),
    Condition(
        "family_schizophrenia",
        "A parent, brother, sister or child with schizophrenia",
        ("family history of schizophrenia",),
    ),
    Condition(
        "raised_intraocular_pressure",
        "Glaucoma or raised pressure in the eye",
        ("glaucoma", "raised eye pressure", "raised intraocular pressure"),
    ),
    Condition(
        "severe_liver_disease",
        "Serious liver disease (for example cirrhosis)",
        ("liver disease", "cirrhosis", "severe liver disease"),
    ),
    Condition(
        "urinary_problems",
        "Bladder or urinary problems",
        ("bladder problems", "urinary problems", "cystitis"),
    ),
)
CONDITIONS: dict[str, str] = {c.code: c.label for c in CONDITION_LIST}
SUBSTANCE_USE = ("none", "past_disorder", "current_disorder")
PRIOR_KETAMINE = ("none", "good", "bad_reaction", "misuse")
SUICIDAL_THOUGHTS = ("none", "passive", "active", "plan")
SUICIDAL_THOUGHTS_LABELS = {
    "none": "No",
    "passive": "Sometimes I wish I were not here",
    "active": "Yes, I think about ending my life",
    "plan": "Yes, and I have thought about how",
}
FIELDS = (
    "age",
    "pregnant",
    "breastfeeding",
    "conditions",
    "medications",
    "blood_pressure",
    "substance_use",
    "prior_ketamine",
    "suicidal_thoughts",
)
MAX_MEDICATIONS = 60
MAX_TEXT = 200


def _plain(text: str) -> str:
    """'Uncontrolled-Hypertension.' -> 'uncontrolled hypertension': how names are compared."""
    return re.sub(r"\s+", " ", re.sub(r"[_\-]", " ", text.casefold())).strip(" .")


def _condition_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for c in CONDITION_LIST:
        for name in (c.code, c.label, *c.aliases):
            index.setdefault(_plain(name), c.code)
    return index


_CONDITION_INDEX = _condition_index()  # immutable after import; read-only from request threads


def condition_code(text: str) -> str | None:
    """The condition code for a code or a plain name ('glaucoma', 'Uncontrolled hypertension'), or None."""
    return _CONDITION_INDEX.get(_plain(text))


def touches_suicidal_thoughts(raw: object) -> bool:
    """Whether a raw answers object says yes to suicidal thoughts, before any other validation.

    The crisis contacts must appear even when something else in the form is wrong, so this reads
    only the one field, with no dependency on the rest of the answers."""
    value = raw.get("suicidal_thoughts") if isinstance(raw, Mapping) else None
    return isinstance(value, str) and value.strip().lower() in {"passive", "active", "plan"}


@dataclass(frozen=True)
class BloodPressure:
    systolic: int
    diastolic: int

    def __str__(self) -> str:
        return f"{self.systolic}/{self.diastolic} mmHg"


@dataclass(frozen=True)
class Answers:
    age: float | None = None
    pregnant: bool | None = None
    breastfeeding: bool | None = None
    conditions: tuple[str, ...] = ()
    medications: tuple[str, ...] = ()
    blood_pressure: BloodPressure | None = None
    substance_use: tuple[str, ...] = ()
    prior_ketamine: tuple[str, ...] = ()
    suicidal_thoughts: str = "none"


_BP_RE = re.compile(r"^\s*(\d{2,3})\s*/\s*(\d{2,3})\s*(?:mm\s*hg)?\s*$", re.I)


def _error(kind: str, message: str) -> PydanticCustomError:
    return PydanticCustomError(kind, message)


def _no_nul(text: str, field: str) -> str:
    if "\x00" in text:
        raise _error("nul_character", f"{field} contains a NUL character; remove it and try again")
    return text


def parse_blood_pressure(value: Any) -> BloodPressure:
    """A reading like '128/82' or {'systolic': 128, 'diastolic': 82}, with plausible limits."""
    if isinstance(value, BloodPressure):
        return value
    if isinstance(value, Mapping):
        unknown = set(value) - {"systolic", "diastolic"}
        if unknown:
            raise _error(
                "blood_pressure", f"unknown part {', '.join(sorted(map(str, unknown)))}; give systolic and diastolic"
            )
        systolic, diastolic = value.get("systolic"), value.get("diastolic")
    elif isinstance(value, str):
        m = _BP_RE.match(_no_nul(value, "blood_pressure"))
        if not m:
            raise _error("blood_pressure", f"{value[:40]!r} is not a reading like '128/82'")
        systolic, diastolic = int(m.group(1)), int(m.group(2))
    else:
        raise _error("blood_pressure", "give a reading like '128/82' or {'systolic': 128, 'diastolic': 82}")
    if not isinstance(systolic, int) or not isinstance(diastolic, int) or isinstance(systolic, bool):
        raise _error("blood_pressure", "systolic and diastolic must be whole numbers of mmHg")
    if not 60 <= systolic <= 300:
        raise _error(
            "blood_pressure", f"a systolic (upper) pressure of {systolic} mmHg is not possible; check the reading"
        )
    if not 30 <= diastolic <= 200:
        raise _error(
            "blood_pressure", f"a diastolic (lower) pressure of {diastolic} mmHg is not possible; check the reading"
        )
    if diastolic >= systolic:
        raise _error("blood_pressure", f"the lower number ({diastolic}) must be below the upper number ({systolic})")
    return BloodPressure(systolic, diastolic)


_BP_SCHEMA = {
    "anyOf": [
        {"type": "string", "pattern": r"^\s*\d{2,3}\s*/\s*\d{2,3}\s*(mm\s*[Hh][Gg])?\s*$", "examples": ["128/82"]},
        {
            "type": "object",
            "properties": {
                "systolic": {"type": "integer", "minimum": 60, "maximum": 300},
                "diastolic": {"type": "integer", "minimum": 30, "maximum": 200},
            },
            "required": ["systolic", "diastolic"],
            "additionalProperties": False,
        },
        {"type": "null"},
    ],
    "description": "A recent reading in mmHg; the lower (diastolic) number must be below the upper (systolic).",
}
_ONE_OR_MANY = "One value or a list of values."


def _choices_schema(allowed: tuple[str, ...]) -> dict[str, Any]:
    return {
        "anyOf": [
            {"type": "string", "enum": list(allowed)},
            {"type": "array", "items": {"type": "string", "enum": list(allowed)}, "maxItems": len(allowed)},
        ],
        "description": _ONE_OR_MANY,
    }


class ScreeningAnswersIn(BaseModel):
    """Answers to the pre-consultation screen. Every field is optional; nothing is stored."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"age": 45, "medications": ["Nardil"], "blood_pressure": "165/102", "conditions": ["glaucoma"]}
            ]
        },
    )

    age: Annotated[float | None, WithJsonSchema({"type": ["number", "null"], "minimum": 0, "maximum": 120})] = Field(
        default=None, description="Age in years (0 to 120)."
    )
    pregnant: Annotated[bool | None, WithJsonSchema({"type": ["boolean", "null"]})] = None
    breastfeeding: Annotated[bool | None, WithJsonSchema({"type": ["boolean", "null"]})] = None
    conditions: Annotated[
        tuple[str, ...],
        WithJsonSchema(
            {
                "type": "array",
                "maxItems": len(CONDITION_LIST),
                "items": {"type": "string", "maxLength": MAX_TEXT},
                "description": "Condition codes or their plain names, e.g. "
                + ", ".join(f"{c.code} ({c.aliases[0] if c.aliases else c.label})" for c in CONDITION_LIST)
                + ".",
            }
        ),
    ] = ()
    medications: Annotated[
        tuple[str, ...],
        WithJsonSchema(
            {
                "type": "array",
                "maxItems": MAX_MEDICATIONS,
                "items": {"type": "string", "maxLength": MAX_TEXT},
                "description": "Medicine names as written on the box (brand or generic).",
            }
        ),
    ] = ()
    blood_pressure: Annotated[BloodPressure | None, WithJsonSchema(_BP_SCHEMA)] = None
    substance_use: Annotated[tuple[str, ...], WithJsonSchema(_choices_schema(SUBSTANCE_USE))] = ()
    prior_ketamine: Annotated[tuple[str, ...], WithJsonSchema(_choices_schema(PRIOR_KETAMINE))] = ()
    suicidal_thoughts: Annotated[
        Literal["none", "passive", "active", "plan"],
        WithJsonSchema(
            {
                "type": ["string", "null"],
                "enum": [*SUICIDAL_THOUGHTS, None],
                "description": "In the past two weeks: none; passive ('sometimes I wish I were not here'); "
                "active (thoughts of ending one's life); plan (has thought about how).",
            }
        ),
    ] = "none"

    @field_validator("age", mode="before")
    @classmethod
    def _age(cls, value: Any) -> Any:
        if value is None or value == "":
            return None
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 120:
            raise _error("age", f"{str(value)[:40]!r} is not an age between 0 and 120 years")
        return float(value)

    @field_validator("pregnant", "breastfeeding", mode="before")
    @classmethod
    def _flag(cls, value: Any) -> Any:
        if value is not None and not isinstance(value, bool):
            raise _error("flag", "expected true, false or null")
        return value

    @field_validator("conditions", mode="before")
    @classmethod
    def _conditions(cls, value: Any) -> tuple[str, ...]:
        items = _listish(value, "conditions", len(CONDITION_LIST) * 3)
        codes: list[str] = []
        bad: list[str] = []
        for item in items:
            code = condition_code(_no_nul(item, "conditions"))
            if code:
                codes.append(code)
            else:
                bad.append(item[:60])
        if bad:
            hint = (
                "; for psychosis or schizophrenia say whether it is current (psychosis_current) or in the past "
                "(psychosis_history)"
                if any(w in b.casefold() for b in bad for w in ("psychos", "schizo"))
                else ""
            )
            raise _error(
                "unknown_condition",
                f"unknown value {', '.join(bad)}; use a code such as uncontrolled_hypertension or a plain name "
                f"such as 'glaucoma' (ketnav screen --help lists them all){hint}",
            )
        return tuple(dict.fromkeys(codes))

    @field_validator("medications", mode="before")
    @classmethod
    def _medications(cls, value: Any) -> tuple[str, ...]:
        if value is None:
            return ()
        if not isinstance(value, list | tuple) or not all(isinstance(m, str) for m in value):
            raise _error("medications", "expected a list of medication names")
        if len(value) > MAX_MEDICATIONS or any(len(m) > MAX_TEXT for m in value):
            raise _error("medications", f"at most {MAX_MEDICATIONS} names of at most {MAX_TEXT} characters each")
        return tuple(_no_nul(m, "medications").strip() for m in value if m.strip())

    @field_validator("blood_pressure", mode="before")
    @classmethod
    def _blood_pressure(cls, value: Any) -> BloodPressure | None:
        return None if value in (None, "") else parse_blood_pressure(value)

    @field_validator("substance_use", mode="before")
    @classmethod
    def _substance(cls, value: Any) -> tuple[str, ...]:
        return _choices(value, SUBSTANCE_USE, "substance_use")

    @field_validator("prior_ketamine", mode="before")
    @classmethod
    def _prior(cls, value: Any) -> tuple[str, ...]:
        return _choices(value, PRIOR_KETAMINE, "prior_ketamine")

    @field_validator("suicidal_thoughts", mode="before")
    @classmethod
    def _suicidal(cls, value: Any) -> str:
        if value in (None, ""):
            return "none"
        if not isinstance(value, str) or value.strip().lower() not in SUICIDAL_THOUGHTS:
            raise _error("suicidal_thoughts", f"expected one of {', '.join(SUICIDAL_THOUGHTS)}")
        return value.strip().lower()

    def to_answers(self) -> Answers:
        return Answers(
            age=self.age,
            pregnant=self.pregnant,
            breastfeeding=self.breastfeeding,
            conditions=self.conditions,
            medications=self.medications,
            blood_pressure=self.blood_pressure,
            substance_use=self.substance_use,
            prior_ketamine=self.prior_ketamine,
            suicidal_thoughts=self.suicidal_thoughts,
        )


def _listish(value: Any, field: str, limit: int) -> list[str]:
    if value is None:
        return []
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list | tuple) or not all(isinstance(i, str) for i in items):
        raise _error(field, "expected a name or a list of names")
    if len(items) > limit:
        raise _error(field, f"at most {limit} values")
    return list(items)


def _choices(value: Any, allowed: tuple[str, ...], field: str) -> tuple[str, ...]:
    items = [v for v in _listish(value, field, len(allowed)) if v != ""]
    bad = [i[:40] for i in items if i not in allowed]
    if bad:
        raise _error(field, f"unknown value {', '.join(bad)}; use {', '.join(allowed)}")
    return tuple(dict.fromkeys(items))


def problems_of(error: ValidationError) -> list[ErrorDetail]:
    """Schema errors as (field, plain message) pairs: the field named as the person wrote it."""
    out = []
    for err in error.errors():
        field = str(err["loc"][0]) if err["loc"] else "answers"
        if err["type"] == "extra_forbidden":
            message = f"unknown field; known fields are {', '.join(FIELDS)}"
        else:
            message = str(err["msg"])
        out.append(ErrorDetail(field, message))
    return out


def parse_answers(data: Any) -> Answers:
    """Validate a questionnaire answer object; InvalidInput lists every problem, one per field."""
    if not isinstance(data, Mapping):
        raise InvalidInput("answers must be a JSON object")
    try:
        return ScreeningAnswersIn.model_validate(dict(data)).to_answers()
    except ValidationError as exc:
        problems = problems_of(exc)
        raise InvalidInput(f"{problems[0].location}: {problems[0].message}", details=problems) from None
