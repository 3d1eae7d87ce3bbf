"""Pre-consultation screening: answers in, findings grouped by severity out, each with why and its source.

Pure. Rules live in rules.yaml (cited data); answers are validated by ketnav.safety.answers; this
module evaluates triggers and assembles the result. Nothing here stores answers.

The suicidal-thoughts pathway is evaluated first and on its own (``suicidal_findings``): it reads
only that one answer, never another rule or answer, so nothing else a person enters can hide it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

import yaml

from ketnav.citations.bibliography import Reference, resolve
from ketnav.safety.answers import (
    CONDITIONS,
    FIELDS,
    PRIOR_KETAMINE,
    SUBSTANCE_USE,
    SUICIDAL_THOUGHTS,
    Answers,
    BloodPressure,
    parse_answers,
    parse_blood_pressure,
)
from ketnav.safety.medications import Recognized, recognize

__all__ = [
    "CONDITIONS",
    "FIELDS",
    "PRIOR_KETAMINE",
    "SUBSTANCE_USE",
    "SUICIDAL_THOUGHTS",
    "Answers",
    "BloodPressure",
    "parse_answers",
    "parse_blood_pressure",
    "rules",
    "screen",
    "suicidal_findings",
]

SEVERITIES = ("contraindication", "specialist_review", "precaution", "information")
SEVERITY_LABELS = {
    "contraindication": "Should not be used",
    "specialist_review": "Needs a specialist's review",
    "precaution": "Precaution",
    "information": "Good to know",
}
SUICIDAL_KIND = "suicidal_thoughts"


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

    @property
    def kind(self) -> str:
        return next(k for k in self.trigger if k != "except_class")


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
    crisis: bool = False  # show the crisis contacts first: any yes to suicidal thoughts, nothing else
    pathway: list[Finding] = field(default_factory=list)  # the suicidal-thoughts findings, shown first
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


# --- evaluating rules -----------------------------------------------------------------------------


def _blood_pressure_because(bp: BloodPressure | None, limits: Mapping[str, int], *, strictly: bool) -> str | None:
    """'your reading was 165/102 mmHg: the lower number is at or above 90', or None. Says what was tested."""
    if bp is None:
        return None
    words = "above" if strictly else "at or above"
    parts = [
        f"the {name} number is {words} {limit}"
        for name, value, limit in (
            ("upper", bp.systolic, limits["systolic"]),
            ("lower", bp.diastolic, limits["diastolic"]),
        )
        if (value > limit if strictly else value >= limit)
    ]
    return f"your reading was {bp}: " + " and ".join(parts) if parts else None


def _medication_because(rule: Rule, wanted: Any, meds: list[Recognized]) -> str | None:
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


def _triggered(rule: Rule, answers: Answers, meds: list[Recognized]) -> str | None:
    """Why the rule applies, in plain words, or None."""
    kind, wanted = rule.kind, rule.trigger[rule.kind]
    if kind == "condition":
        return f"you ticked “{CONDITIONS[wanted]}”" if wanted in answers.conditions else None
    if kind == "medication_class":
        return _medication_because(rule, wanted, meds)
    if kind in {"blood_pressure_at_least", "blood_pressure_above"}:
        return _blood_pressure_because(answers.blood_pressure, wanted, strictly=kind == "blood_pressure_above")
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
    raise ValueError(f"rule {rule.id}: unknown trigger {kind}")


def suicidal_findings(level: str) -> list[Finding]:
    """The safety pathway for an answer about suicidal thoughts. Takes only that answer, on purpose:
    it must not depend on any other rule or answer."""
    if level == "none":
        return []
    out = []
    for rule in rules():
        if rule.kind == SUICIDAL_KIND and level in rule.trigger[SUICIDAL_KIND]:
            because = (
                "you said you sometimes wish you were not here"
                if level == "passive"
                else "you said you have thoughts of ending your life"
            )
            out.append(Finding(rule=rule, because=because, references=tuple(resolve(rule.citations))))
    if not out:  # a level the rules do not cover must still never pass silently
        raise ValueError(f"no safety rule covers suicidal_thoughts={level!r}")
    return out


GENERAL_QUESTIONS = (
    "Who will be with me during the session, and who is qualified to manage my breathing and heart if needed?",
    "How long will I be monitored afterwards, and how will I get home?",
    "How will we measure whether the treatment is working for me, and when would we stop?",
    "What is the total cost of the course, including the consultation and any follow-up?",
)


def screen(answers: Answers) -> ScreeningResult:
    pathway = suicidal_findings(answers.suicidal_thoughts)  # first, and independent of everything else
    meds = [recognize(m) for m in answers.medications]
    findings = []
    for rule in rules():
        if rule.kind == SUICIDAL_KIND:
            continue
        because = _triggered(rule, answers, meds)
        if because:
            findings.append(Finding(rule=rule, because=because, references=tuple(resolve(rule.citations))))
    findings.sort(key=lambda f: (SEVERITIES.index(f.rule.severity), not f.rule.urgent))
    findings = pathway + findings
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
        crisis=bool(pathway),
        pathway=pathway,
        by_severity=by_severity,
    )
