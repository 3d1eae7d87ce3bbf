"""The five kinds of journal entry, each with its table, its schema and how it is applied and shown.

Adding a kind means one entry in ``KINDS``; the pages, the API, the exports and the import all walk it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import models
from pydantic import BaseModel

from ketnav.journal import models as m
from ketnav.journal.schemas import NoteIn, ScaleIn, SessionIn, SideEffectIn, VitalsIn, as_utc


@dataclass(frozen=True)
class Kind:
    slug: str  # in URLs: /journal/<slug>/..., /api/journal/<slug>
    record_type: str  # in the CSV export's record_type column
    label: str
    model: type[models.Model]
    schema: type[BaseModel]
    when: str  # the model field that places the entry in time
    fields: tuple[str, ...]  # schema fields stored as they are
    apply: Callable[[Any, Any], None]  # (instance, validated schema) -> sets derived fields


def _copy(instance: Any, data: BaseModel, names: tuple[str, ...]) -> None:
    for name in names:
        setattr(instance, name, getattr(data, name))


def _apply_scale(instance: m.ScaleResult, data: ScaleIn) -> None:
    from ketnav.scales.scoring import score

    result = score(data.scale, data.answers)
    instance.scale = data.scale
    instance.answers = list(result.answers)
    instance.total = result.total
    instance.severity = result.severity
    instance.taken_on = data.taken_on


def _apply_side_effects(instance: m.SideEffectReport, data: SideEffectIn) -> None:
    from ketnav.safety.serialize import side_effects_dict
    from ketnav.safety.side_effects import check

    noticed = data.noticed_at or dt.datetime.now(dt.UTC).replace(microsecond=0)
    result = check(data.effects, session_end=as_utc(data.session_end), now=as_utc(noticed))
    instance.session_end = data.session_end
    instance.noticed_at = noticed
    instance.effects = list(dict.fromkeys(data.effects))
    instance.level = result.level
    instance.triage = side_effects_dict(result)
    instance.notes = data.notes


SESSION_FIELDS = ("started_at", "route", "dose", "clinic", "notes")
VITALS_FIELDS = ("measured_at", "systolic", "diastolic", "heart_rate", "notes")
NOTE_FIELDS = ("written_at", "text")

KINDS: dict[str, Kind] = {
    k.slug: k
    for k in (
        Kind(
            "sessions",
            "session",
            "Treatment session",
            m.TreatmentSession,
            SessionIn,
            "started_at",
            SESSION_FIELDS,
            lambda i, d: _copy(i, d, SESSION_FIELDS),
        ),
        Kind("scales", "scale", "Scale score", m.ScaleResult, ScaleIn, "taken_on", (), _apply_scale),
        Kind(
            "side-effects",
            "side_effect",
            "Side effects",
            m.SideEffectReport,
            SideEffectIn,
            "noticed_at",
            (),
            _apply_side_effects,
        ),
        Kind(
            "vitals",
            "vitals",
            "Blood pressure and heart rate",
            m.VitalSigns,
            VitalsIn,
            "measured_at",
            VITALS_FIELDS,
            lambda i, d: _copy(i, d, VITALS_FIELDS),
        ),
        Kind("notes", "note", "Note", m.Note, NoteIn, "written_at", NOTE_FIELDS, lambda i, d: _copy(i, d, NOTE_FIELDS)),
    )
}
BY_RECORD_TYPE = {k.record_type: k for k in KINDS.values()}


def input_values(kind: Kind, instance: Any) -> dict[str, Any]:
    """The entry as its schema's input (to prefill an edit form, or to write a CSV row that imports back)."""
    if kind.slug == "scales":
        return {"scale": instance.scale, "answers": list(instance.answers), "taken_on": instance.taken_on}
    if kind.slug == "side-effects":
        return {
            "session_end": instance.session_end,
            "noticed_at": instance.noticed_at,
            "effects": list(instance.effects),
            "notes": instance.notes,
        }
    return {name: getattr(instance, name) for name in kind.fields}
