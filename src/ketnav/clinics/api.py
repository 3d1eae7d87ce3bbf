"""JSON API: the clinic directory (/api/clinics, CRUD; writes for staff) and cost estimates."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Body, Router, Schema, Status
from ninja.security import SessionAuth

from ketnav.clinics.selectors import directory_entry, estimates_for, get_clinic, save_clinic, visible
from ketnav.web.api import ErrorOut


class StaffAuth(SessionAuth):
    """Signed-in staff (clinic editors) only; CSRF is checked as for any session-authenticated write."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = super().authenticate(request, key)
        return user if user is not None and user.is_staff else None


router = Router(tags=["clinics"])
costs_router = Router(tags=["costs"])
staff = StaffAuth()


class ClinicIn(Schema):
    profile: dict[str, Any]
    published: bool = False


def _is_staff(request: HttpRequest) -> bool:
    return bool(request.user.is_authenticated and request.user.is_staff)


@router.get("", response=list[dict[str, Any]], summary="Published clinics (staff also see unpublished ones)")
def list_clinics(request: HttpRequest) -> list[dict[str, Any]]:
    return [directory_entry(c) for c in visible(staff=_is_staff(request))]


@router.get("/{clinic_id}", response={200: dict[str, Any], 404: ErrorOut}, summary="One clinic with its checklist")
def read_clinic(request: HttpRequest, clinic_id: int) -> dict[str, Any]:
    return directory_entry(get_clinic(clinic_id, staff=_is_staff(request)))


@router.post("", auth=staff, response={201: dict[str, Any], 401: ErrorOut, 422: ErrorOut}, summary="Add a clinic")
def create_clinic(request: HttpRequest, payload: ClinicIn) -> Status[dict[str, Any]]:
    return Status(201, directory_entry(save_clinic(payload.profile, published=payload.published)))


@router.put("/{clinic_id}", auth=staff, response={200: dict[str, Any], 401: ErrorOut, 404: ErrorOut, 422: ErrorOut})
def update_clinic(request: HttpRequest, clinic_id: int, payload: ClinicIn) -> dict[str, Any]:
    clinic = get_clinic(clinic_id, staff=True)
    return directory_entry(save_clinic(payload.profile, published=payload.published, clinic=clinic))


@router.delete("/{clinic_id}", auth=staff, response={204: None, 401: ErrorOut, 404: ErrorOut})
def delete_clinic(request: HttpRequest, clinic_id: int) -> HttpResponse:
    get_clinic(clinic_id, staff=True).delete()
    return HttpResponse(status=204)


@costs_router.post(
    "/estimate",
    response={200: dict[str, Any], 422: ErrorOut},
    summary="Itemized total cost of a course at each clinic, with each clinic's checklist",
)
def estimate_costs(request: HttpRequest, payload: Body[dict[str, Any]]) -> dict[str, Any]:
    return estimates_for(payload)
