"""Typed request and response schemas of the safety tools (pure pydantic, no Django).

The API declares these, the CLI prints them with ``--json``, and the pages read the same domain
objects, so every channel shows the same fields. Request limits (enums, lengths, ranges) live here so
``/api/openapi.json`` states them.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from ketnav.citations.schemas import ReferenceOut
from ketnav.safety.aftercare import ROUTES, AftercarePlan
from ketnav.safety.crisis import CRISIS_CONTACTS, CRISIS_HEADLINE
from ketnav.safety.screening import SEVERITY_LABELS, Finding, ScreeningResult
from ketnav.safety.side_effects import CLASS_LABELS, SideEffectResult, effects

EDUCATIONAL_NOTICE = "Educational information to discuss with a clinician; not a decision about treatment."

AftercareRoute = Literal["iv", "im", "nasal", "intranasal", "oral", "sublingual", "sc"]
assert set(AftercareRoute.__args__) == set(ROUTES), "AftercareRoute must list ketnav.safety.aftercare.ROUTES"  # type: ignore[attr-defined]


class CrisisContactOut(BaseModel):
    region: str
    service: str
    contact: str
    url: str | None = None


class CrisisOut(BaseModel):
    """Where to get help now. Present, and first, whenever an answer touches suicidal thoughts."""

    headline: str
    contacts: list[CrisisContactOut]

    @classmethod
    def now(cls) -> CrisisOut:
        return cls(
            headline=CRISIS_HEADLINE,
            contacts=[
                CrisisContactOut(region=c.region, service=c.service, contact=c.contact, url=c.url)
                for c in CRISIS_CONTACTS
            ],
        )


class FindingOut(BaseModel):
    rule: str
    title: str
    severity: Literal["contraindication", "specialist_review", "precaution", "information"]
    severity_label: str
    urgent: bool
    because: str
    explanation: str
    clinician_detail: str
    sources: list[ReferenceOut]

    @classmethod
    def of(cls, f: Finding) -> FindingOut:
        return cls(
            rule=f.rule.id,
            title=f.rule.title,
            severity=f.rule.severity,  # type: ignore[arg-type]
            severity_label=SEVERITY_LABELS[f.rule.severity],
            urgent=f.rule.urgent,
            because=f.because,
            explanation=f.rule.patient,
            clinician_detail=f.rule.clinician,
            sources=[ReferenceOut.of(r) for r in f.references],
        )


class FindingsOut(BaseModel):
    contraindication: list[FindingOut]
    specialist_review: list[FindingOut]
    precaution: list[FindingOut]
    information: list[FindingOut]


class MedicationOut(BaseModel):
    entered: str
    recognized: bool
    how: str
    generic: str | None
    classes: list[str]
    message: str | None


class ScreeningOut(BaseModel):
    """A screening result. ``crisis`` comes first and is set whenever the person said yes to
    suicidal thoughts, whatever else they answered."""

    crisis: CrisisOut | None = Field(description="Crisis contacts; present whenever suicidal thoughts were reported.")
    educational_notice: str
    urgent: bool
    safety_pathway: list[FindingOut] = Field(description="The suicidal-thoughts findings, also listed by severity.")
    findings: FindingsOut
    medications: list[MedicationOut]
    questions_for_clinician: list[str]

    @classmethod
    def of(cls, result: ScreeningResult) -> ScreeningOut:
        groups = {s: [FindingOut.of(f) for f in fs] for s, fs in result.by_severity.items()}
        return cls(
            crisis=CrisisOut.now() if result.crisis else None,
            educational_notice=EDUCATIONAL_NOTICE,
            urgent=result.urgent,
            safety_pathway=[FindingOut.of(f) for f in result.pathway],
            findings=FindingsOut(**groups),
            medications=[
                MedicationOut(
                    entered=m.entered,
                    recognized=m.recognized,
                    how=m.how,
                    generic=m.medication.generic if m.medication else None,
                    classes=list(m.medication.classes) if m.medication else [],
                    message=None if m.recognized else "not recognized — ask your clinician",
                )
                for m in result.medications
            ],
            questions_for_clinician=result.questions,
        )


EffectId = str


class SideEffectsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    effects: list[EffectId] = Field(
        max_length=len(effects()),
        json_schema_extra={"items": {"type": "string", "enum": list(effects())}},
        description="Effect ids, e.g. " + ", ".join(list(effects())[:4]) + ".",
    )
    session_end: dt.datetime = Field(description="When the session ended (ISO 8601).")
    now: dt.datetime | None = Field(default=None, description="The time to judge from; defaults to now.")


class AssessedOut(BaseModel):
    id: str
    label: str
    level: Literal["urgent", "report", "expected"]
    level_label: str
    explanation: str
    sources: list[ReferenceOut]


class SideEffectsOut(BaseModel):
    crisis: CrisisOut | None = Field(description="Crisis contacts; present when thoughts of self-harm were reported.")
    level: Literal["urgent", "report", "expected", "none"]
    hours_since_session: float
    effects: list[AssessedOut]

    @classmethod
    def of(cls, result: SideEffectResult) -> SideEffectsOut:
        return cls(
            crisis=CrisisOut.now() if result.crisis else None,
            level=result.level,  # type: ignore[arg-type]
            hours_since_session=result.hours_since_session,
            effects=[
                AssessedOut(
                    id=a.effect.id,
                    label=a.effect.label,
                    level=a.level,  # type: ignore[arg-type]
                    level_label=CLASS_LABELS[a.level],
                    explanation=a.reason,
                    sources=[ReferenceOut.of(r) for r in a.references],
                )
                for a in result.assessed
            ],
        )


class AftercareIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    session_end: dt.datetime = Field(description="When the session ended or will end (ISO 8601), years 2000 to 2100.")
    route: AftercareRoute


class AftercareOut(BaseModel):
    route: str
    session_end: dt.datetime
    no_driving_until: dt.datetime
    driving_rule: str
    arrange: list[str]
    watch_for: list[str]
    get_help: list[str]
    sources: list[ReferenceOut]

    @classmethod
    def of(cls, plan: AftercarePlan) -> AftercareOut:
        return cls(
            route=plan.route,
            session_end=plan.session_end,
            no_driving_until=plan.drive_from,
            driving_rule=plan.driving_rule,
            arrange=list(plan.arrange),
            watch_for=list(plan.watch_for),
            get_help=list(plan.get_help),
            sources=[ReferenceOut.of(r) for r in plan.references],
        )
