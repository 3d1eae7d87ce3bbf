"""Typed response schemas of the journal API, field for field what ``serialize.py`` and ``export.py`` build.

Declared on every journal operation so ``/api/openapi.json`` describes each answer in full and clients
can be generated from it. Pure pydantic (no Django). Times are ISO 8601 text, as entered (see
``schemas.py``); a FHIR export is a standard FHIR R4 Bundle whose resources are documented by HL7.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from ketnav.citations.schemas import ReferenceOut
from ketnav.safety.schemas import AftercareOut, CrisisOut, ScreeningOut, SideEffectsOut

_CRISIS = "Crisis contacts (988 and others) whenever an entry touches thoughts of death or self-harm; null otherwise."


# --- one entry of each kind ---------------------------------------------------------------------------


class SessionOut(BaseModel):
    id: int
    started_at: str
    route: str
    route_label: str = Field(description="the route in words, as the pages show it")
    dose: str
    clinic: str
    notes: str


class ClusterOut(BaseModel):
    name: str
    total: int


class ScaleOut(BaseModel):
    id: int
    scale: str
    scale_name: str
    answers: list[int]
    total: int
    max_total: int
    severity: str
    taken_on: str
    crisis: CrisisOut | None = Field(
        description="Crisis contacts (988 and others) whenever an answer touches thoughts of death or self-harm "
        "(PHQ-9 item 9 above 0), whatever the total; null otherwise."
    )
    clusters: list[ClusterOut] | None = Field(None, description="PCL-5 symptom-cluster totals; null for other scales")
    sources: list[ReferenceOut]


class SideEffectOut(BaseModel):
    id: int
    session_end: str
    noticed_at: str
    effects: list[str] = Field(description="effect ids from the side-effect check's vocabulary")
    level: str = Field(description="the most serious triage level: urgent, report, expected or none")
    triage: SideEffectsOut = Field(description="the triage as shown when the entry was recorded")
    notes: str
    crisis: CrisisOut | None = Field(description=_CRISIS)


class BPCategoryOut(BaseModel):
    key: str
    label: str
    advice: str


class VitalsOut(BaseModel):
    id: int
    measured_at: str
    systolic: int = Field(description="mmHg")
    diastolic: int = Field(description="mmHg")
    heart_rate: int | None = Field(description="beats per minute")
    notes: str
    category: BPCategoryOut = Field(description="2017 ACC/AHA blood-pressure category")
    sources: list[ReferenceOut]


class NoteOut(BaseModel):
    id: int
    written_at: str
    text: str


# --- scores over time ------------------------------------------------------------------------------------


class ReadingOut(BaseModel):
    taken_on: str
    total: int


class ScaleOutcomeOut(BaseModel):
    baseline: ReadingOut
    latest: ReadingOut
    change: int = Field(description="latest total minus baseline total (negative is better)")
    reduction_pct: float | None = Field(description="null when the baseline is 0")
    response: bool | None = Field(description="null when the baseline is 0 or there is one score only")
    response_threshold: float = Field(description="the total at or below which the latest score is a response")
    remission: bool
    meaningful_change: bool | None = Field(description="PCL-5 only: a fall of at least 10 points; null otherwise")


class DefinitionsOut(BaseModel):
    response: str
    baseline: str
    remission: str
    remission_below: int
    response_sources: list[ReferenceOut]
    remission_sources: list[ReferenceOut]


class SeriesOut(BaseModel):
    scale: str
    scale_name: str
    count: int
    outcome: ScaleOutcomeOut | None = Field(description="null until there is a score")
    definitions: DefinitionsOut


class OverviewOut(BaseModel):
    counts: dict[str, int] = Field(description="entries of each kind, by kind (sessions, scales, side-effects, ...)")
    outcomes: list[SeriesOut]
    crisis: CrisisOut | None = Field(description=_CRISIS)


# --- sharing ---------------------------------------------------------------------------------------------


class ShareOut(BaseModel):
    id: int
    clinician: str
    created_at: str
    revoked_at: str | None


class AuditOut(BaseModel):
    at: str
    who: str
    action: str
    detail: str


class SharedJournalSummaryOut(BaseModel):
    owner_id: int
    email: str
    since: str


class SharedJournalOut(BaseModel):
    """A journal shared with you: its outcomes and every entry, by kind (the kinds' URL slugs as keys)."""

    model_config = ConfigDict(populate_by_name=True)

    owner: str
    outcomes: list[SeriesOut]
    sessions: list[SessionOut]
    scales: list[ScaleOut]
    side_effects: list[SideEffectOut] = Field(alias="side-effects")
    vitals: list[VitalsOut]
    notes: list[NoteOut]


class ImportOut(BaseModel):
    added: int
    duplicates: int = Field(description="rows already in the journal, skipped")
    account_rows_skipped: int = Field(description="account, share and audit rows, which an import never changes")


# --- downloads -------------------------------------------------------------------------------------------


class FhirResourceOut(BaseModel):
    """One FHIR R4 resource (a QuestionnaireResponse for each scale, Observations for its total and for
    vital signs), as the FHIR specification defines it: https://hl7.org/fhir/R4/resourcelist.html."""

    model_config = ConfigDict(extra="allow")

    resourceType: Literal["QuestionnaireResponse", "Observation"]  # FHIR's own name
    id: str


class FhirEntryOut(BaseModel):
    fullUrl: str  # FHIR's own name
    resource: FhirResourceOut


class FhirBundleOut(BaseModel):
    """format=fhir: a FHIR R4 collection Bundle (validated with fhir.resources before it is sent)."""

    resourceType: Literal["Bundle"]  # FHIR's own name
    id: str
    type: Literal["collection"]
    timestamp: str
    entry: list[FhirEntryOut]


class ExportedAccountOut(BaseModel):
    email: str
    roles: list[str]
    created: str


class ExportedShareOut(BaseModel):
    clinician: str
    created_at: str
    revoked_at: str | None


class SavedResultOut(BaseModel):
    kind: Literal["aftercare", "screen"]
    title: str
    saved_at: str
    data: AftercareOut | ScreeningOut = Field(description="the aftercare plan or safety-screen summary, as saved")


class WatchedSearchOut(BaseModel):
    label: str
    query: str = Field(description="the trial search page's query string")
    created_at: str
    statuses: dict[str, str] = Field(description="NCT id -> overall status when last checked")


class JournalExportOut(BaseModel):
    """format=json: everything the account holds (what "Download my data" gives)."""

    exported_by: str
    exported_at: str
    account: ExportedAccountOut
    sessions: list[SessionOut]
    scales: list[ScaleOut]
    side_effects: list[SideEffectOut]
    vitals: list[VitalsOut]
    notes: list[NoteOut]
    shares: list[ExportedShareOut]
    audit: list[AuditOut]
    saved_results: list[SavedResultOut]
    watched_searches: list[WatchedSearchOut]
