"""Pre-consultation screening: answers in, findings grouped by severity out, each with why and its source.

Pure. Rules live in rules.yaml (cited data); this module validates answers, evaluates triggers and
assembles the result. Nothing here stores answers.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

import yaml

from ketnav.citations.bibliography import Reference, resolve
from ketnav.errors import ErrorDetail, InvalidInput
from ketnav.safety.medications import Recognized, recognize

SEVERITIES = ("contraindication", "specialist_review", "precaution", "information")
SEVERITY_LABELS = {
    "contraindication": "Should not be used",
    "specialist_review": "Needs a specialist's review",
    "precaution": "Precaution",
    "information": "Good to know",
}
CONDITIONS: dict[str, str] = {
    "aneurysmal_vascular_disease": "An aneurysm (a bulging blood vessel) in the brain, chest, abdomen or limbs",
    "arteriovenous_malformation": "An arteriovenous malformation (AVM)",
    "intracerebral_hemorrhage_history": "Bleeding in the brain, at any time",
    "hypersensitivity_ketamine": "An allergic reaction to ketamine or esketamine",
    "uncontrolled_hypertension": "High blood pressure that is not well controlled",
    "cardiovascular_disease": "Heart disease: heart attack, heart failure, valve disease or an irregular heartbeat",
    "cerebrovascular_or_brain_injury": "Stroke, mini-stroke (TIA) or a serious head or brain injury",
    "hypertensive_encephalopathy_history": "Hypertensive encephalopathy (brain effects of very high blood pressure)",
    "psychosis_history": "Psychosis or schizophrenia",
    "bipolar_or_mania": "Bipolar disorder or episodes of mania",
    "family_schizophrenia": "A parent, brother, sister or child with schizophrenia",
    "raised_intraocular_pressure": "Glaucoma or raised pressure in the eye",
    "severe_liver_disease": "Serious liver disease (for example cirrhosis)",
    "urinary_problems": "Bladder or urinary problems",
}
SUBSTANCE_USE = ("none", "past_disorder", "current_disorder")
PRIOR_KETAMINE = ("none", "good", "bad_reaction", "misuse")
SUICIDAL_THOUGHTS = ("none", "passive", "active", "plan")
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


@dataclass(frozen=True)
class Rule:
    id: str
    severity: str
    trigger: Mapping[str, Any]
    title: str
    patient: str
    clinician: str
    question: str
    citations: tuple[str, ...]
    urgent: bool = False


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


@dataclass(frozen=True)
class Finding:
    rule: Rule
    because: str  # what in the answers triggered it, in plain words
    references: tuple[Reference, ...]


@dataclass
class ScreeningResult:
    findings: list[Finding]
    medications: list[Recognized]
    questions: list[str]
    urgent: bool
    answers: Answers
    by_severity: dict[str, list[Finding]] = field(default_factory=dict)

    @property
    def unrecognized(self) -> list[str]:
        return [m.entered for m in self.medications if not m.recognized]


@cache
def rules() -> tuple[Rule, ...]:
    raw = yaml.safe_load(resources.files("ketnav.safety").joinpath("rules.yaml").read_text(encoding="utf-8"))
    out = []
    for entry in raw:
        rule = Rule(**{**entry, "citations": tuple(entry["citations"])})
        if rule.severity not in SEVERITIES:
            raise ValueError(f"rule {rule.id}: unknown severity {rule.severity}")
        resolve(rule.citations)  # every citation must exist in the bibliography
        out.append(rule)
    return tuple(out)


# --- validating answers ---------------------------------------------------------------------------

_BP_RE = re.compile(r"^\s*(\d{2,3})\s*/\s*(\d{2,3})\s*(?:mm\s*hg)?\s*$", re.I)


def parse_blood_pressure(value: Any) -> BloodPressure:
    if isinstance(value, Mapping):
        systolic, diastolic = value.get("systolic"), value.get("diastolic")
    elif isinstance(value, str):
        m = _BP_RE.match(value)
        if not m:
            raise ValueError(f"{value!r} is not a reading like '128/82'")
        systolic, diastolic = int(m.group(1)), int(m.group(2))
    else:
        raise ValueError("give a reading like '128/82' or {'systolic': 128, 'diastolic': 82}")
    if not isinstance(systolic, int) or not isinstance(diastolic, int) or isinstance(systolic, bool):
        raise ValueError("systolic and diastolic must be whole numbers of mmHg")
    if not 60 <= systolic <= 300:
        raise ValueError(f"a systolic (upper) pressure of {systolic} mmHg is not possible; check the reading")
    if not 30 <= diastolic <= 200:
        raise ValueError(f"a diastolic (lower) pressure of {diastolic} mmHg is not possible; check the reading")
    if diastolic >= systolic:
        raise ValueError(f"the lower number ({diastolic}) must be below the upper number ({systolic})")
    return BloodPressure(systolic, diastolic)


def _choices(value: Any, allowed: Sequence[str], name: str, problems: list[ErrorDetail]) -> tuple[str, ...]:
    items = [value] if isinstance(value, str) else value if isinstance(value, list) else None
    if items is None:
        problems.append(ErrorDetail(name, f"expected one of {', '.join(allowed)}"))
        return ()
    bad = [str(i) for i in items if i not in allowed]
    if bad:
        problems.append(ErrorDetail(name, f"unknown value {', '.join(bad)}; use {', '.join(allowed)}"))
    return tuple(i for i in items if i in allowed)


def parse_answers(data: Any) -> Answers:
    """Validate a questionnaire answer object; InvalidInput lists every problem, one per field."""
    if not isinstance(data, Mapping):
        raise InvalidInput("answers must be a JSON object")
    problems: list[ErrorDetail] = []
    for key in data:
        if key not in FIELDS:
            problems.append(ErrorDetail(str(key), f"unknown field; known fields are {', '.join(FIELDS)}"))
    age = data.get("age")
    if age is not None and (isinstance(age, bool) or not isinstance(age, int | float) or not 0 <= age <= 120):
        problems.append(ErrorDetail("age", f"{age!r} is not an age between 0 and 120 years"))
        age = None
    flags = {}
    for name in ("pregnant", "breastfeeding"):
        value = data.get(name)
        if value is not None and not isinstance(value, bool):
            problems.append(ErrorDetail(name, "expected true, false or null"))
            value = None
        flags[name] = value
    conditions = _choices(data.get("conditions", []), list(CONDITIONS), "conditions", problems)
    meds = data.get("medications", [])
    if not isinstance(meds, list) or not all(isinstance(m, str) for m in meds):
        problems.append(ErrorDetail("medications", "expected a list of medication names"))
        meds = []
    elif len(meds) > 60 or any(len(m) > 200 for m in meds):
        problems.append(ErrorDetail("medications", "at most 60 names of at most 200 characters each"))
        meds = []
    bp = None
    if data.get("blood_pressure") not in (None, ""):
        try:
            bp = parse_blood_pressure(data["blood_pressure"])
        except ValueError as exc:
            problems.append(ErrorDetail("blood_pressure", str(exc)))
    substance = _choices(data.get("substance_use", []), SUBSTANCE_USE, "substance_use", problems)
    prior = _choices(data.get("prior_ketamine", []), PRIOR_KETAMINE, "prior_ketamine", problems)
    suicidal = data.get("suicidal_thoughts", "none") or "none"
    if suicidal not in SUICIDAL_THOUGHTS:
        problems.append(ErrorDetail("suicidal_thoughts", f"expected one of {', '.join(SUICIDAL_THOUGHTS)}"))
        suicidal = "none"
    if problems:
        raise InvalidInput(f"{problems[0].location}: {problems[0].message}", details=problems)
    return Answers(
        age=float(age) if age is not None else None,
        pregnant=flags["pregnant"],
        breastfeeding=flags["breastfeeding"],
        conditions=conditions,
        medications=tuple(m.strip() for m in meds if m.strip()),
        blood_pressure=bp,
        substance_use=substance,
        prior_ketamine=prior,
        suicidal_thoughts=suicidal,
    )


# --- evaluating rules -----------------------------------------------------------------------------


def _triggered(rule: Rule, answers: Answers, meds: list[Recognized]) -> str | None:
    """Why the rule applies, in plain words, or None."""
    kind, wanted = next((k, v) for k, v in rule.trigger.items() if k != "except_class")
    if kind == "condition":
        return f"you ticked “{CONDITIONS[wanted]}”" if wanted in answers.conditions else None
    if kind == "medication_class":
        classes = set(wanted if isinstance(wanted, list) else [wanted])
        excluded = set(rule.trigger.get("except_class", []))
        hits = [
            m
            for m in meds
            if m.medication and classes & set(m.medication.classes) and not excluded & set(m.medication.classes)
        ]
        if not hits:
            return None
        return "you take " + ", ".join(
            m.entered if m.entered.casefold() == m.medication.generic else f"{m.entered} ({m.medication.generic})"  # type: ignore[union-attr]
            for m in hits
        )
    if kind == "blood_pressure_at_least":
        bp = answers.blood_pressure
        if bp and (bp.systolic >= wanted["systolic"] or bp.diastolic >= wanted["diastolic"]):
            return f"your reading was {bp}"
        return None
    if kind in {"pregnant", "breastfeeding"}:
        return f"you said you are {kind}" if getattr(answers, kind) is wanted else None
    if kind == "age_below":
        return f"you are {answers.age:g}" if answers.age is not None and answers.age < wanted else None
    if kind == "substance_use":
        return "you described " + wanted.replace("_", " ") if wanted in answers.substance_use else None
    if kind == "prior_ketamine":
        return (
            "you described " + wanted.replace("_", " ") + " with ketamine" if wanted in answers.prior_ketamine else None
        )
    if kind == "suicidal_thoughts":
        return "you said you have thoughts of ending your life" if answers.suicidal_thoughts in wanted else None
    raise ValueError(f"rule {rule.id}: unknown trigger {kind}")


GENERAL_QUESTIONS = (
    "Who will be with me during the session, and who is qualified to manage my breathing and heart if needed?",
    "How long will I be monitored afterwards, and how will I get home?",
    "How will we measure whether the treatment is working for me, and when would we stop?",
    "What is the total cost of the course, including the consultation and any follow-up?",
)


def screen(answers: Answers) -> ScreeningResult:
    meds = [recognize(m) for m in answers.medications]
    findings = []
    for rule in rules():
        because = _triggered(rule, answers, meds)
        if because:
            findings.append(Finding(rule=rule, because=because, references=tuple(resolve(rule.citations))))
    findings.sort(key=lambda f: (SEVERITIES.index(f.rule.severity), not f.rule.urgent))
    by_severity = {s: [f for f in findings if f.rule.severity == s] for s in SEVERITIES}
    questions = [f.rule.question for f in findings]
    unknown = [m.entered for m in meds if not m.recognized]
    if unknown:
        questions.append(f"Could any of these medicines interact with ketamine: {', '.join(unknown)}?")
    questions.extend(GENERAL_QUESTIONS)
    return ScreeningResult(
        findings=findings,
        medications=meds,
        questions=questions,
        urgent=any(f.rule.urgent for f in findings),
        answers=answers,
        by_severity=by_severity,
    )
