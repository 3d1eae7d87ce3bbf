"""The clinic quality checklist: each item met, not met or unknown, with why it matters and its source.

Pure and transparent: no weights, no hidden score. The summary is a plain count of items met, not
met and unknown, and every item says what in the clinic's record decided it. Items come from the
guide's "choosing a clinic" criteria (guide topic "practical") and cite the same bibliography.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Final, Literal

from ketnav.citations.bibliography import Reference, resolve
from ketnav.clinics.profile import Clinic

Status = Literal["met", "not met", "unknown", "not applicable"]
MET: Final = "met"
NOT_MET: Final = "not met"
UNKNOWN: Final = "unknown"
NOT_APPLICABLE: Final = "not applicable"
# Licences that can prescribe ketamine and take charge of the treatment, as the item asks: physicians
# (MD, DO; MBBS or MBChB where medicine is a first degree), nurse practitioners and physician
# assistants. Keys are the letters with everything but a-z removed.
PRESCRIBERS: Mapping[str, str] = {
    "md": "MD",
    "do": "DO",
    "np": "NP",
    "pa": "PA",
    "pac": "PA",
    "mbbs": "MBBS",
    "mbchb": "MBChB",
    "pmhnp": "NP",
    "nursepractitioner": "NP",
    "physicianassistant": "PA",
    "physicianassociate": "PA",
}
# Licences people meet at clinics that do not satisfy the item, with the reason shown.
NOT_PRESCRIBERS: Mapping[str, str] = {
    "rn": "a registered nurse (RN) may give the treatment but is not the prescriber",
    "crna": "a nurse anesthetist (CRNA) may give the treatment but this item asks for a prescriber who "
    "takes charge of psychiatric care (MD, DO, NP or PA)",
}
REMS_OBSERVATION_MINUTES = 120


@dataclass(frozen=True)
class Item:
    id: str
    question: str
    why: str
    citations: tuple[str, ...]
    decide: Callable[[Clinic], tuple[Status, str]]  # -> (status, what in the record decided it)

    @property
    def references(self) -> list[Reference]:
        return resolve(self.citations)


@dataclass(frozen=True)
class Result:
    item: Item
    status: Status
    basis: str


@dataclass(frozen=True)
class Checklist:
    results: tuple[Result, ...]

    def count(self, status: Status) -> int:
        return sum(1 for r in self.results if r.status == status)

    @property
    def summary(self) -> str:
        applicable = len(self.results) - self.count(NOT_APPLICABLE)
        return f"{self.count(MET)} of {applicable} met, {self.count(NOT_MET)} not met, {self.count(UNKNOWN)} unknown"


def _flag(value: bool | None, yes: str, no: str) -> tuple[Status, str]:
    if value is None:
        return UNKNOWN, "not stated"
    return (MET, yes) if value else (NOT_MET, no)


def _licence(c: Clinic) -> tuple[Status, str]:
    """Met for MD, DO, NP, PA, MBBS or MBChB (in any common spelling: "M.D.", "MB ChB", "NP-C");
    anything else is not met, with the reason for the licences people often meet instead."""
    licence = c.quality.prescriber_licence
    if not licence:
        return UNKNOWN, "prescriber's licence not stated"
    words = [re.sub(r"[^a-z]", "", w) for w in re.split(r"[\s,;/&+]+|-", licence.casefold())]
    whole = re.sub(r"[^a-z]", "", licence.casefold())
    found = [PRESCRIBERS[w] for w in (*words, whole) if w in PRESCRIBERS]
    if found:
        return MET, f"prescriber's licence: {licence}"
    reasons = [NOT_PRESCRIBERS[w] for w in (*words, whole) if w in NOT_PRESCRIBERS]
    why = reasons[0] if reasons else "not one of MD, DO, NP, PA, MBBS or MBChB"
    return NOT_MET, f"prescriber's licence: {licence}; {why}"


def _experience(c: Clinic) -> tuple[Status, str]:
    q = c.quality
    parts = []
    if q.experience_years is not None:
        parts.append(f"{q.experience_years:g} years")
    if q.treatments_given is not None:
        parts.append(f"{q.treatments_given:,} treatments")
    return (MET, "states " + " and ".join(parts)) if parts else (UNKNOWN, "experience not stated")


def _evaluation(c: Clinic) -> tuple[Status, str]:
    status, basis = _flag(c.quality.evaluation_before_treatment, "full evaluation first", "no evaluation first")
    if c.quality.evaluation_includes:
        basis += f" ({c.quality.evaluation_includes})"
    return status, basis


def _observation(c: Clinic) -> tuple[Status, str]:
    minutes = c.quality.observation_minutes
    if minutes is None:
        return UNKNOWN, "observation time not stated"
    if "nasal" in c.routes and minutes < REMS_OBSERVATION_MINUTES:
        return NOT_MET, f"{minutes} min, less than the 2 hours required for esketamine"
    return (MET, f"{minutes} min after the session") if minutes > 0 else (NOT_MET, "no observation after the session")


def _rems(c: Clinic) -> tuple[Status, str]:
    if "nasal" not in c.routes:
        return NOT_APPLICABLE, "does not offer esketamine"
    return _flag(c.quality.rems_certified, "REMS-certified", "not REMS-certified")


ITEMS: tuple[Item, ...] = (
    Item(
        "licensed-prescriber",
        "Is treatment prescribed by a licensed clinician (MD, DO, NP or PA)?",
        "Ketamine is a controlled drug; a licensed prescriber takes responsibility for whether it suits you.",
        ("sanacora-2017",),
        _licence,
    ),
    Item(
        "emergency-skills",
        "Is someone on site who can manage breathing and heart problems (e.g. an anesthesiologist)?",
        "Consensus guidance asks for a clinician able to manage airway and cardiovascular events.",
        ("sanacora-2017",),
        lambda c: _flag(c.quality.anesthesiologist_on_site, "on site", "not on site"),
    ),
    Item(
        "psychiatric-care",
        "Is a psychiatrist or mental health prescriber involved in your care?",
        "Ketamine for anxiety or depression is psychiatric treatment; your history and other treatments matter.",
        ("sanacora-2017",),
        lambda c: _flag(c.quality.psychiatrist_involved, "involved", "not involved"),
    ),
    Item(
        "experience",
        "Does the clinic state its experience (years, or number of treatments)?",
        "Experienced teams recognise and handle side effects sooner.",
        ("sanacora-2017",),
        _experience,
    ),
    Item(
        "evaluation",
        "Is there a full medical and psychiatric evaluation before the first session?",
        "Blood pressure, heart disease, psychosis, substance use and medicines change whether ketamine is safe.",
        ("sanacora-2017", "spravato-label"),
        _evaluation,
    ),
    Item(
        "blood-pressure",
        "Is blood pressure checked during and after each session?",
        "Ketamine raises blood pressure for a while; the esketamine label asks for a check about 40 minutes in.",
        ("spravato-label", "sanacora-2017"),
        lambda c: _flag(c.quality.monitors_blood_pressure, "monitored", "not monitored"),
    ),
    Item(
        "pulse-oximetry",
        "Is oxygen level (pulse oximetry) monitored during the session?",
        "Sedation can slow breathing; the esketamine REMS requires pulse oximetry.",
        ("spravato-rems",),
        lambda c: _flag(c.quality.pulse_oximetry, "monitored", "not monitored"),
    ),
    Item(
        "observation",
        "Are you observed after the session until you are stable (at least 2 hours for esketamine)?",
        "Dissociation, sedation and raised blood pressure usually settle within hours, under watch.",
        ("spravato-rems", "ketalar-pi"),
        _observation,
    ),
    Item(
        "ride-home",
        "Must you leave with a responsible adult (no driving until the next day)?",
        "Reaction time is slowed for hours; driving is unsafe until the next day after restful sleep.",
        ("ketalar-pi", "spravato-label"),
        lambda c: _flag(c.quality.escort_required, "escort required", "no escort required"),
    ),
    Item(
        "measures-outcomes",
        "Does the clinic track your symptoms with questionnaires between sessions?",
        "Measuring response shows whether it is working and when to stop or space out sessions.",
        ("sanacora-2017",),
        lambda c: _flag(c.quality.measures_outcomes, "tracks symptoms", "does not track symptoms"),
    ),
    Item(
        "rems",
        "If it offers esketamine (Spravato), is it certified under the REMS programme?",
        "Esketamine may only be given in certified settings that follow the REMS safety rules.",
        ("spravato-rems",),
        _rems,
    ),
)


def evaluate(clinic: Clinic) -> Checklist:
    return Checklist(tuple(Result(item, *item.decide(clinic)) for item in ITEMS))
