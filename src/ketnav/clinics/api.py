"""JSON API: the clinic directory (/api/clinics, CRUD; writes for staff) and cost estimates.

Request bodies and responses are the clinic schemas themselves (``profile.Clinic``, ``quotes.QuotesIn``,
``report.*``), so /api/openapi.json states every field, range and allowed value, and a problem in a
body comes back in the one error shape with its location ("clinics[0].financing.apr_percent").
"""

from __future__ import annotations

from typing import Annotated, Any

from django.http import HttpRequest, HttpResponse
from ninja import Path, Router, Status
from ninja.security import SessionAuth
from pydantic import Field

from ketnav.clinics.fields import Checked
from ketnav.clinics.profile import Clinic as ClinicProfile
from ketnav.clinics.quotes import QuotesIn
from ketnav.clinics.report import DirectoryEntryOut, QuotesReport
from ketnav.clinics.selectors import directory_entry, get_clinic, save_clinic, visible
from ketnav.schemas import ErrorOut


class StaffAuth(SessionAuth):
    """Signed-in staff (clinic editors) only; CSRF is checked as for any session-authenticated write."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = super().authenticate(request, key)
        return user if user is not None and user.is_staff else None


router = Router(tags=["clinics"])
costs_router = Router(tags=["costs"])
staff = StaffAuth()
ClinicId = Path[Annotated[int, Field(ge=1, le=2_147_483_647, description="The clinic's id in the directory")]]


class ClinicWrite(Checked):
    """A directory entry to create or replace: the clinic's profile (as in an import file)."""

    profile: ClinicProfile
    published: bool = False


def _is_staff(request: HttpRequest) -> bool:
    return bool(request.user.is_authenticated and request.user.is_staff)


@router.get("", response=list[DirectoryEntryOut], summary="Published clinics (staff also see unpublished ones)")
def list_clinics(request: HttpRequest) -> list[DirectoryEntryOut]:
    return [directory_entry(c) for c in visible(staff=_is_staff(request))]


@router.get("/{clinic_id}", response={200: DirectoryEntryOut, 404: ErrorOut}, summary="One clinic with its checklist")
def read_clinic(request: HttpRequest, clinic_id: ClinicId) -> DirectoryEntryOut:
    return directory_entry(get_clinic(clinic_id, staff=_is_staff(request)))


@router.post("", auth=staff, response={201: DirectoryEntryOut, 401: ErrorOut, 422: ErrorOut}, summary="Add a clinic")
def create_clinic(request: HttpRequest, payload: ClinicWrite) -> Status[DirectoryEntryOut]:
    return Status(201, directory_entry(save_clinic(payload.profile, published=payload.published)))


@router.put(
    "/{clinic_id}",
    auth=staff,
    response={200: DirectoryEntryOut, 401: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Replace a clinic's profile",
)
def update_clinic(request: HttpRequest, clinic_id: ClinicId, payload: ClinicWrite) -> DirectoryEntryOut:
    clinic = get_clinic(clinic_id, staff=True)
    return directory_entry(save_clinic(payload.profile, published=payload.published, clinic=clinic))


@router.delete("/{clinic_id}", auth=staff, response={204: None, 401: ErrorOut, 404: ErrorOut})
def delete_clinic(request: HttpRequest, clinic_id: ClinicId) -> HttpResponse:
    get_clinic(clinic_id, staff=True).delete()
    return HttpResponse(status=204)


@costs_router.post(
    "/estimate",
    response={200: QuotesReport, 422: ErrorOut},
    summary="Itemized total cost of a course at each clinic, with each clinic's checklist",
)
def estimate_costs(request: HttpRequest, payload: QuotesIn) -> QuotesReport:
    return QuotesReport.of(payload.resolve())
