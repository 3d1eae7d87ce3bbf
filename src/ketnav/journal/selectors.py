"""Reads of journal data, always filtered by owner: someone else's id is simply not found."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import User
from django.db.models import QuerySet

from ketnav.errors import NotFound
from ketnav.journal import models as m
from ketnav.journal.kinds import Kind
from ketnav.journal.vitals import BpCategory, bp_category
from ketnav.scales.definitions import Scale, scales
from ketnav.scales.scoring import Outcome, Reading, choose_baseline, outcome, touches_self_harm


def entries(owner: User, kind: Kind) -> QuerySet[Any]:
    return kind.model.objects.filter(owner=owner)  # type: ignore[attr-defined,no-any-return]


def owned(owner: User, kind: Kind, pk: int) -> Any:
    try:
        return entries(owner, kind).get(pk=pk)
    except kind.model.DoesNotExist:  # type: ignore[attr-defined]
        raise NotFound(f"No {kind.label.lower()} with id {pk} in your journal") from None


def shared_owner(clinician: User, owner_id: int) -> User:
    """The owner whose journal this clinician may read now, or NotFound (no share, revoked, not a clinician)."""
    from ketnav.accounts.services import roles_of

    share = (
        m.Share.objects.filter(owner_id=owner_id, clinician=clinician, revoked_at__isnull=True)
        .select_related("owner")
        .first()
    )
    if share is None or not roles_of(clinician).clinician:
        raise NotFound(f"No journal {owner_id} is shared with you")
    return share.owner


def shares_with_me(clinician: User) -> QuerySet[m.Share]:
    return m.Share.objects.filter(clinician=clinician, revoked_at__isnull=True).select_related("owner")


@dataclass(frozen=True)
class ScaleSeries:
    scale: Scale
    results: list[m.ScaleResult]  # oldest first
    outcome: Outcome | None


@dataclass(frozen=True)
class Overview:
    owner: User
    sessions: list[m.TreatmentSession]
    series: list[ScaleSeries]
    side_effects: list[m.SideEffectReport]
    vitals: list[m.VitalSigns]
    notes: list[m.Note]
    crisis: bool
    latest_bp: tuple[m.VitalSigns, BpCategory] | None
    timeline: list[tuple[str, Any]] = field(default_factory=list)  # (kind slug, entry), newest first


def first_session_date(sessions: list[m.TreatmentSession]) -> dt.date | None:
    return min((s.started_at.date() for s in sessions), default=None)


def scale_series(scale: Scale, results: list[m.ScaleResult], *, first_session: dt.date | None) -> ScaleSeries:
    ordered = sorted(results, key=lambda r: (r.taken_on, r.id))
    if not ordered:
        return ScaleSeries(scale, [], None)
    readings = [Reading(r.taken_on, r.total) for r in ordered]
    baseline = choose_baseline(readings, first_session=first_session)
    return ScaleSeries(scale, ordered, outcome(scale, baseline=baseline, latest=readings[-1]))


def overview(owner: User) -> Overview:
    """Everything the journal page and the clinician summary show, in a handful of queries."""
    sessions = list(m.TreatmentSession.objects.filter(owner=owner))
    results = list(m.ScaleResult.objects.filter(owner=owner))
    side_effects = list(m.SideEffectReport.objects.filter(owner=owner))
    vitals = list(m.VitalSigns.objects.filter(owner=owner))
    notes = list(m.Note.objects.filter(owner=owner))
    first = first_session_date(sessions)
    series = [
        scale_series(scale, [r for r in results if r.scale == scale.id], first_session=first)
        for scale in scales().values()
    ]
    latest_bp = (vitals[0], bp_category(systolic=vitals[0].systolic, diastolic=vitals[0].diastolic)) if vitals else None
    timeline: list[tuple[str, Any]] = [
        *(("sessions", s) for s in sessions),
        *(("scales", r) for r in results),
        *(("side-effects", e) for e in side_effects),
        *(("vitals", v) for v in vitals),
        *(("notes", n) for n in notes),
    ]
    timeline.sort(key=lambda pair: (_when(pair[1]), pair[1].id), reverse=True)
    return Overview(
        owner=owner,
        sessions=sessions,
        series=series,
        side_effects=side_effects,
        vitals=vitals,
        notes=notes,
        crisis=needs_crisis_resources(results, side_effects),
        latest_bp=latest_bp,
        timeline=timeline,
    )


def _when(entry: Any) -> dt.datetime:
    for name in ("started_at", "noticed_at", "measured_at", "written_at"):
        if hasattr(entry, name):
            value: dt.datetime = getattr(entry, name)
            return value
    taken: dt.date = entry.taken_on
    return dt.datetime.combine(taken, dt.time(23, 59), tzinfo=dt.UTC)


def needs_crisis_resources(results: list[m.ScaleResult], side_effects: list[m.SideEffectReport]) -> bool:
    """The latest PHQ-9 has item 9 above 0, or the latest side-effect report includes thoughts of self-harm."""
    phq9 = [r for r in results if r.scale == "phq9"]
    if phq9:
        latest = max(phq9, key=lambda r: (r.taken_on, r.id))
        if touches_self_harm(scales()["phq9"], latest.answers):
            return True
    if side_effects:
        latest_report = max(side_effects, key=lambda e: (e.noticed_at, e.id))
        if "self-harm" in latest_report.effects:
            return True
    return False
