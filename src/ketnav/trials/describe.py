"""The trials page's "Describe your situation" box and anxiety questionnaire (issue 18 section 3).

The form is posted (never a GET: the words must not land in a URL, server log or browser history), read
here into plain words plus structured ``Answers``, and handed to ``ketnav.trials.match``. The crisis
contacts are decided first, from the raw answers, before and apart from anything else: a failing search
or a refused field must not hide them. Refusals name the field, never echo its value.

The questionnaire follows the TREC 2023 anxiety template (age, sex, diagnosis, GAD-7 / HAM-A, current
medicines, pregnancy, substance use, psychosis or bipolar history, suicidal thoughts, blood pressure).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from django.http import QueryDict
from pydantic import ValidationError

from ketnav.errors import InvalidInput
from ketnav.trials.eligibility import MAX_DESCRIPTION_CHARS, Answers
from ketnav.trials.eligibility.crisis import touches_suicidal_thoughts
from ketnav.trials.match import MAX_LIMIT, MatchResults, match

# Yes/no questions of the questionnaire: form field -> (concept key, label).
YES_NO: tuple[tuple[str, str, str], ...] = (
    ("q_pregnancy", "pregnancy", "Are you pregnant, or could you be?"),
    ("q_substance", "substance_use", "Do you use recreational drugs, or have you had a drug or alcohol problem?"),
    ("q_psychosis", "psychosis", "Have you ever had psychosis or schizophrenia?"),
    ("q_bipolar", "bipolar", "Have you ever been diagnosed with bipolar disorder or had mania?"),
    ("q_suicidal", "suicidal", "Have you had thoughts of ending your life, or of harming yourself?"),
)
NUMBERS: tuple[tuple[str, str, float, float], ...] = (
    ("age", "Age in years", 0, 120),
    ("gad7", "GAD-7 score (0-21), if known", 0, 21),
    ("hama", "HAM-A score (0-56), if known", 0, 56),
    ("systolic", "Blood pressure, upper number (mmHg)", 40, 300),
    ("diastolic", "Blood pressure, lower number (mmHg)", 20, 200),
)
TEXTS = ("about", "diagnosis", "medicines")


@dataclass
class Described:
    """What the page shows back: the form's values, the crisis flag, and results or the fields to fix."""

    values: dict[str, str]
    crisis: bool
    results: MatchResults | None = None
    error: str = ""
    error_fields: list[str] = field(default_factory=list)

    @property
    def questionnaire_used(self) -> bool:
        """Keep the optional questions open when one was answered or needs fixing."""
        asked = [n for n, *_ in NUMBERS] + [n for n, *_ in YES_NO] + ["diagnosis", "medicines", "sex"]
        return any(self.values.get(n) for n in asked) or any(f != "about" for f in self.error_fields)


def empty_form() -> Described:
    """The form before anything is posted (every field empty)."""
    return describe_values(QueryDict())


def describe_values(post: QueryDict) -> Described:
    values = {name: post.get(name, "")[: MAX_DESCRIPTION_CHARS + 1] for name in TEXTS}
    values |= {name: post.get(name, "") for name, *_ in NUMBERS}
    values |= {name: post.get(name, "") for name, *_ in YES_NO}
    values["sex"] = post.get("sex", "")
    values["status"] = post.get("status", "open")
    return Described(values, False)


def _number(post: QueryDict, name: str, low: float, high: float, problems: list[str]) -> float | None:
    raw = post.get(name, "").strip().replace(",", ".")
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        problems.append(name)
        return None
    if not low <= value <= high:
        problems.append(name)
        return None
    return value


def describe(post: QueryDict, cache: Any) -> Described:
    values = describe_values(post).values
    # First and apart from everything else: any answer touching suicide shows the crisis contacts.
    crisis = post.get("q_suicidal") == "yes" or touches_suicidal_thoughts(" ".join(values[n] for n in TEXTS), None)
    out = Described(values, crisis)
    problems: list[str] = []
    numbers = {name: _number(post, name, low, high, problems) for name, _label, low, high in NUMBERS}
    sex: Literal["F", "M"] | None = "F" if values["sex"] == "F" else "M" if values["sex"] == "M" else None
    if values["sex"] not in {"", "F", "M"}:
        problems.append("sex")
    facts = {key: post[name] == "yes" for name, key, _q in YES_NO if post.get(name) in {"yes", "no"}}
    for name in TEXTS:
        if len(values[name]) > MAX_DESCRIPTION_CHARS or "\x00" in values[name]:
            problems.append(name)
    if problems:
        out.error = "Please check: " + ", ".join(_LABELS.get(p, p) for p in problems)
        out.error_fields = problems
        return out
    measures = {k: v for k in ("gad7", "hama") if (v := numbers[k]) is not None}
    try:
        answers = Answers(
            age=numbers["age"],
            sex=sex,
            systolic=int(numbers["systolic"]) if numbers["systolic"] is not None else None,
            diastolic=int(numbers["diastolic"]) if numbers["diastolic"] is not None else None,
            values=measures,
            facts=facts,
        )
    except ValidationError:
        out.error = "Please check your answers"
        return out
    text = values["about"].strip()
    if values["medicines"].strip():
        text = f"{text}. Current medications include {values['medicines'].strip()}".strip(". ")
    given = answers != Answers()
    if not text and not values["diagnosis"].strip():
        out.error = "Describe your situation in the box, or name a diagnosis, so there is something to search for"
        out.error_fields = ["about"]
        return out
    status = values["status"] if values["status"] in {"open", "any"} else "open"
    try:
        out.results = match(
            text or values["diagnosis"],
            answers if given else None,
            cache,
            filters={"status": [status]},
            limit=MAX_LIMIT,  # the whole pre-screened pool on one page: likely excluded ones come last
            diagnosis=values["diagnosis"].strip() if text else "",
        )
    except InvalidInput as exc:
        out.error = exc.message.replace("patient: ", "").replace("text: ", "")
        out.error_fields = ["about"]
    return out


_LABELS = {name: label.split(" (")[0].split(",")[0] for name, label, *_ in NUMBERS} | {
    "about": "Your situation in your own words",
    "diagnosis": "Diagnosis",
    "medicines": "Current medicines",
    "sex": "Sex",
}
