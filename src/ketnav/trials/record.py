"""The normalized study: one shape for every source format.

Frozen dataclasses with plain values, so normalizers stay pure and the database layer, the search
index and the pages all read the same thing. Codes follow the API v2 enums (``RECRUITING``,
``PHASE2``, ``DRUG``), because that is what the live registry speaks.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal, NamedTuple

Precision = Literal["day", "month", "year"]
SourceFormat = Literal["v2", "xml"]

OPEN_STATUSES = ("RECRUITING", "NOT_YET_RECRUITING", "ENROLLING_BY_INVITATION")
STATUSES = (
    "RECRUITING", "NOT_YET_RECRUITING", "ENROLLING_BY_INVITATION", "ACTIVE_NOT_RECRUITING", "COMPLETED",
    "SUSPENDED", "TERMINATED", "WITHDRAWN", "AVAILABLE", "NO_LONGER_AVAILABLE", "TEMPORARILY_NOT_AVAILABLE",
    "APPROVED_FOR_MARKETING", "WITHHELD", "UNKNOWN",
)  # fmt: skip
PHASES = ("EARLY_PHASE1", "PHASE1", "PHASE2", "PHASE3", "PHASE4", "NA")


@dataclass(frozen=True)
class PartialDate:
    """A registry date keeps the precision it was given with: "2021-03" is a month, not 1 March."""

    value: dt.date
    precision: Precision

    def isoformat(self) -> str:
        if self.precision == "year":
            return f"{self.value.year:04d}"
        if self.precision == "month":
            return f"{self.value.year:04d}-{self.value.month:02d}"
        return self.value.isoformat()


@dataclass(frozen=True)
class MeshTerm:
    term: str
    mesh_id: str = ""


@dataclass(frozen=True)
class Intervention:
    type: str
    name: str
    other_names: tuple[str, ...] = ()
    description: str = ""
    arm_labels: tuple[str, ...] = ()


@dataclass(frozen=True)
class Arm:
    label: str
    type: str = ""
    description: str = ""
    intervention_names: tuple[str, ...] = ()


@dataclass(frozen=True)
class Outcome:
    measure: str
    time_frame: str = ""
    description: str = ""


@dataclass(frozen=True)
class Contact:
    name: str
    role: str = ""
    phone: str = ""
    email: str = ""


class Site(NamedTuple):
    """A study site. A named tuple, not a dataclass: a load builds tens of millions of these."""

    facility: str = ""
    city: str = ""
    state: str = ""
    zip: str = ""
    country: str = ""
    status: str = ""
    latitude: float | None = None
    longitude: float | None = None


@dataclass(frozen=True)
class Eligibility:
    criteria: str = ""
    minimum_age_years: float | None = None
    maximum_age_years: float | None = None
    minimum_age_text: str = ""
    maximum_age_text: str = ""
    sex: str = "ALL"  # ALL, FEMALE, MALE
    healthy_volunteers: bool | None = None
    std_ages: tuple[str, ...] = ()  # CHILD, ADULT, OLDER_ADULT

    # The criteria are split on first use, not during a load, where nothing needs the items and the
    # split cost a quarter of the normalizing time.
    @cached_property
    def _split(self) -> tuple[tuple[str, ...], tuple[str, ...], bool]:
        from ketnav.trials.criteria import split_criteria

        return split_criteria(self.criteria)

    @property
    def inclusion(self) -> tuple[str, ...]:
        return self._split[0]

    @property
    def exclusion(self) -> tuple[str, ...]:
        return self._split[1]

    @property
    def sectioned(self) -> bool:
        """False when the text had no "Inclusion/Exclusion Criteria" headers."""
        return self._split[2]


@dataclass(frozen=True)
class StudyRecord:
    nct_id: str
    source_format: SourceFormat
    brief_title: str = ""
    official_title: str = ""
    acronym: str = ""
    overall_status: str = ""
    phases: tuple[str, ...] = ()
    study_type: str = ""
    start_date: PartialDate | None = None
    primary_completion_date: PartialDate | None = None
    completion_date: PartialDate | None = None
    first_posted: PartialDate | None = None
    last_update: PartialDate | None = None
    enrollment: int | None = None
    enrollment_type: str = ""
    lead_sponsor: str = ""
    lead_sponsor_class: str = ""
    collaborators: tuple[str, ...] = ()
    brief_summary: str = ""
    detailed_description: str = ""
    keywords: tuple[str, ...] = ()
    conditions: tuple[str, ...] = ()
    condition_mesh: tuple[MeshTerm, ...] = ()
    condition_mesh_ancestors: tuple[MeshTerm, ...] = ()
    intervention_mesh: tuple[MeshTerm, ...] = ()
    intervention_mesh_ancestors: tuple[MeshTerm, ...] = ()
    interventions: tuple[Intervention, ...] = ()
    arms: tuple[Arm, ...] = ()
    primary_outcomes: tuple[Outcome, ...] = ()
    secondary_outcomes: tuple[Outcome, ...] = ()
    eligibility: Eligibility = field(default_factory=Eligibility)
    sites: tuple[Site, ...] = ()
    central_contacts: tuple[Contact, ...] = ()
    has_results: bool = False

    def completeness(self) -> int:
        """How many of the main sections are filled: breaks ties between two copies of one version."""
        parts = (
            self.brief_title, self.overall_status, self.brief_summary, self.detailed_description,
            self.conditions, self.interventions, self.eligibility.criteria, self.sites, self.arms,
            self.primary_outcomes, self.condition_mesh, self.start_date, self.lead_sponsor,
        )  # fmt: skip
        return sum(1 for part in parts if part)


@dataclass(frozen=True)
class Normalized:
    """A normalizer's answer: the record plus non-fatal problems found on the way."""

    record: StudyRecord
    warnings: tuple[str, ...] = ()
