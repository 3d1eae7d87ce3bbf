"""Reads and writes for the clinic directory."""

from __future__ import annotations

from django.db import transaction
from django.db.models import QuerySet

from ketnav.clinics.checklist import evaluate
from ketnav.clinics.models import Clinic
from ketnav.clinics.profile import Clinic as ClinicProfile
from ketnav.clinics.report import ChecklistOut, DirectoryEntryOut
from ketnav.errors import NotFound


def visible(*, staff: bool) -> QuerySet[Clinic]:
    return Clinic.objects.all() if staff else Clinic.objects.filter(published=True)


def get_clinic(clinic_id: int, *, staff: bool) -> Clinic:
    clinic = visible(staff=staff).filter(pk=clinic_id).first()
    if clinic is None:
        raise NotFound(f"No clinic {clinic_id} in the directory")
    return clinic


def directory_entry(clinic: Clinic) -> DirectoryEntryOut:
    profile = clinic.as_profile()
    return DirectoryEntryOut(
        id=clinic.pk,
        published=clinic.published,
        updated_at=clinic.updated_at,
        profile=profile,
        checklist=ChecklistOut.of(evaluate(profile)),
    )


@transaction.atomic
def save_clinic(profile: ClinicProfile, *, published: bool, clinic: Clinic | None = None) -> Clinic:
    """Create or replace a directory entry from a checked profile, stored in the export shape."""
    target = clinic or Clinic()
    target.profile = profile.export()
    target.published = published
    target.save()
    return target
