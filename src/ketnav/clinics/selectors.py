"""Reads and writes for the clinic directory, and estimates for a quotes document."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import QuerySet

from ketnav.clinics.checklist import evaluate
from ketnav.clinics.models import Clinic
from ketnav.clinics.profile import parse_clinic
from ketnav.clinics.quotes import parse_quotes
from ketnav.clinics.serialize import checklist_dict, clinic_dict, quotes_report
from ketnav.errors import NotFound


def visible(*, staff: bool) -> QuerySet[Clinic]:
    return Clinic.objects.all() if staff else Clinic.objects.filter(published=True)


def get_clinic(clinic_id: int, *, staff: bool) -> Clinic:
    clinic = visible(staff=staff).filter(pk=clinic_id).first()
    if clinic is None:
        raise NotFound(f"No clinic {clinic_id} in the directory")
    return clinic


def directory_entry(clinic: Clinic) -> dict[str, Any]:
    profile = clinic.as_profile()
    return {
        "id": clinic.pk,
        "published": clinic.published,
        "updated_at": clinic.updated_at.isoformat(),
        "profile": clinic_dict(profile),
        "checklist": checklist_dict(evaluate(profile)),
    }


@transaction.atomic
def save_clinic(profile: Any, *, published: bool, clinic: Clinic | None = None) -> Clinic:
    """Create or replace a directory entry; the profile is parsed first, so a bad one changes nothing."""
    parsed = parse_clinic(profile, "profile")
    target = clinic or Clinic()
    target.profile = clinic_dict(parsed)
    target.published = published
    target.save()
    return target


def estimates_for(doc: Any) -> dict[str, Any]:
    return quotes_report(parse_quotes(doc))
