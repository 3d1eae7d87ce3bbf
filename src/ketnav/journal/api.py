"""The journal's JSON API (session-authenticated; CSRF on every write, as the forms).

Every route acts on the signed-in person's own journal, or on a journal shared with them (read-only,
under /shared/); any other id is 404. Anonymous requests are 401 (403 when a write lacks CSRF).
"""

from typing import Any, Literal

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema, Status
from ninja.security import django_auth
from pydantic import BaseModel

from ketnav.errors import InvalidInput
from ketnav.journal import models as m
from ketnav.journal import services
from ketnav.journal.export import export_response, import_csv
from ketnav.journal.kinds import KINDS, Kind
from ketnav.journal.responses import (
    AuditOut,
    FhirBundleOut,
    ImportOut,
    JournalExportOut,
    NoteOut,
    OverviewOut,
    ScaleOut,
    SessionOut,
    SharedJournalOut,
    SharedJournalSummaryOut,
    ShareOut,
    SideEffectOut,
    VitalsOut,
)
from ketnav.journal.schemas import ScaleIn
from ketnav.journal.selectors import entries, overview, owned, shared_owner, shares_with_me
from ketnav.journal.serialize import entry_dict, series_dict
from ketnav.schemas import ErrorOut

router = Router(tags=["journal"], auth=django_auth)
MAX_IMPORT_BYTES = 5 * 1024 * 1024


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


class ShareIn(Schema):
    email: str = Field(min_length=3, max_length=254, description="the clinician's account email on this site")


def _error(code: str, message: str) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "details": []}}


def _share_dict(s: m.Share) -> dict[str, Any]:
    return {
        "id": s.pk,
        "clinician": s.clinician.email,
        "created_at": s.created_at.isoformat(),
        "revoked_at": s.revoked_at.isoformat() if s.revoked_at else None,
    }


@router.get("", response={200: OverviewOut, 401: ErrorOut}, summary="Your journal: counts, response and remission")
def journal_overview(request: HttpRequest) -> dict[str, Any]:
    view = overview(_user(request))
    from ketnav.safety.crisis import crisis_payload

    return {
        "counts": {kind.slug: entries(view.owner, kind).count() for kind in KINDS.values()},
        "outcomes": [series_dict(s) for s in view.series],
        "crisis": crisis_payload() if view.crisis else None,
    }


# --- scales: the exact routes the issue names, with a typed response ---------------------------------


@router.post("/scales", response={201: ScaleOut, 401: ErrorOut, 403: ErrorOut, 422: ErrorOut}, summary="Record a scale")
def create_scale(request: HttpRequest, payload: ScaleIn) -> Status[dict[str, Any]]:
    kind = KINDS["scales"]
    return Status(201, entry_dict(kind, services.create_entry(_user(request), kind, payload)))


@router.get("/scales/{entry_id}", response={200: ScaleOut, 401: ErrorOut, 404: ErrorOut}, summary="One scale result")
def get_scale(request: HttpRequest, entry_id: int) -> dict[str, Any]:
    kind = KINDS["scales"]
    return entry_dict(kind, owned(_user(request), kind, entry_id))


# --- the generic routes for every kind (list, create, read, replace, delete) --------------------------


# Each kind's response schema, by kind slug (a tuple: module-level state stays immutable).
ENTRY_OUT: tuple[tuple[str, type[BaseModel]], ...] = (
    ("sessions", SessionOut),
    ("scales", ScaleOut),
    ("side-effects", SideEffectOut),
    ("vitals", VitalsOut),
    ("notes", NoteOut),
)
assert [slug for slug, _ in ENTRY_OUT] == list(KINDS), "ENTRY_OUT must give every journal kind its schema"


def _register(kind: Kind, out: type[BaseModel]) -> None:
    base = f"/{kind.slug}"
    op = kind.slug.replace("-", "_")

    def list_entries(request: HttpRequest) -> list[dict[str, Any]]:
        return [entry_dict(kind, e) for e in entries(_user(request), kind)]

    def create(request: HttpRequest, payload: Any) -> Status[dict[str, Any]]:
        return Status(201, entry_dict(kind, services.create_entry(_user(request), kind, payload)))

    def read(request: HttpRequest, entry_id: int) -> dict[str, Any]:
        return entry_dict(kind, owned(_user(request), kind, entry_id))

    def replace(request: HttpRequest, entry_id: int, payload: Any) -> dict[str, Any]:
        return entry_dict(kind, services.update_entry(_user(request), kind, entry_id, payload))

    def delete(request: HttpRequest, entry_id: int) -> Status[None]:
        services.delete_entry(_user(request), kind, entry_id)
        return Status(204, None)

    create.__annotations__["payload"] = kind.schema
    replace.__annotations__["payload"] = kind.schema
    label = kind.label.lower()
    # exclude_unset: these answers were the serializer's dicts before their schemas were declared, and a
    # scale without clusters had no "clusters" key; the two /scales routes above always wrote it as null.
    router.add_api_operation(
        base, ["GET"], list_entries, response={200: list[out], 401: ErrorOut},  # type: ignore[valid-type]
        summary=f"List your {label} entries", operation_id=f"journal_list_{op}", exclude_unset=True,
    )  # fmt: skip
    if kind.slug != "scales":
        router.add_api_operation(
            base, ["POST"], create, response={201: out, 401: ErrorOut, 403: ErrorOut, 422: ErrorOut},
            summary=f"Add a {label} entry", operation_id=f"journal_create_{op}", exclude_unset=True,
        )  # fmt: skip
        router.add_api_operation(
            f"{base}/{{entry_id}}", ["GET"], read, response={200: out, 401: ErrorOut, 404: ErrorOut},
            summary=f"One {label} entry", operation_id=f"journal_read_{op}", exclude_unset=True,
        )  # fmt: skip
    router.add_api_operation(
        f"{base}/{{entry_id}}", ["PUT"], replace,
        response={200: out, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
        summary=f"Replace a {label} entry", operation_id=f"journal_replace_{op}", exclude_unset=True,
    )  # fmt: skip
    router.add_api_operation(
        f"{base}/{{entry_id}}", ["DELETE"], delete, response={204: None, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
        summary=f"Delete a {label} entry", operation_id=f"journal_delete_{op}",
    )  # fmt: skip


for _slug, _out in ENTRY_OUT:
    _register(KINDS[_slug], _out)


# --- export and import ---------------------------------------------------------------------------------


class ExportParams(Schema):
    format: Literal["fhir", "json", "csv"] = Field(
        "json", description="fhir: a FHIR R4 Bundle; json or csv: everything"
    )


def _inline(model: type[BaseModel]) -> dict[str, Any]:
    """``model``'s JSON schema with its nested models written out in place, for a content type that no
    ninja response declares (so ninja does not list its models among the schema's components)."""
    schema = model.model_json_schema()
    defs = schema.pop("$defs", {})

    def expand(node: Any) -> Any:
        if isinstance(node, dict):
            if "$ref" in node:
                return expand(defs[node["$ref"].rsplit("/", 1)[-1]])
            return {key: expand(value) for key, value in node.items()}
        if isinstance(node, list):
            return [expand(item) for item in node]
        return node

    return dict(expand(schema))


# A download's body depends on ``format``: ninja declares the JSON export (application/json), and each
# other content type states its own schema here. The handler returns the file itself, unchanged.
_DOWNLOAD = {
    200: {
        "description": "The file, as an attachment, in the format asked for: json, fhir or csv",
        "content": {
            "application/fhir+json": {"schema": _inline(FhirBundleOut)},
            "text/csv": {"schema": {"type": "string", "description": "one row per entry, with a header row"}},
        },
    }
}


@router.get(
    "/export",
    response={200: JournalExportOut, 401: ErrorOut, 422: ErrorOut},
    summary="Download your journal (FHIR R4 Bundle, or everything as JSON or CSV)",
    openapi_extra={"responses": _DOWNLOAD},
)
def export_journal(request: HttpRequest, params: Query[ExportParams]) -> HttpResponse:
    return export_response(_user(request), params.format, actor=_user(request))


@router.post(
    "/import",
    response={200: ImportOut, 401: ErrorOut, 403: ErrorOut, 413: ErrorOut, 422: ErrorOut},
    summary="Import a CSV export (text/csv body); all or nothing, duplicates skipped",
)
def import_journal(request: HttpRequest) -> Any:
    limit = min(MAX_IMPORT_BYTES, settings.DATA_UPLOAD_MAX_MEMORY_SIZE or MAX_IMPORT_BYTES)
    too_large = Status(413, _error("too_large", f"The CSV is larger than {limit / 1024 / 1024:.1f} MB; split it."))
    try:
        if int(request.META.get("CONTENT_LENGTH") or 0) > limit or len(request.body) > limit:
            return too_large
    except RequestDataTooBig:
        return too_large
    try:
        text = request.body.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidInput("body: not UTF-8 text") from None
    owner = _user(request)
    report = import_csv(owner, text)
    services.record(owner, actor=owner, action="import", detail=f"{report['added']} entries from CSV")
    return Status(200, report)


# --- sharing and the audit trail -----------------------------------------------------------------------


@router.get("/shares", response={200: list[ShareOut], 401: ErrorOut}, summary="Who you share your journal with")
def list_shares(request: HttpRequest) -> list[dict[str, Any]]:
    return [_share_dict(s) for s in m.Share.objects.filter(owner=_user(request)).select_related("clinician")]


@router.post(
    "/shares", response={201: ShareOut, 401: ErrorOut, 403: ErrorOut, 422: ErrorOut}, summary="Share read-only"
)
def add_share(request: HttpRequest, payload: ShareIn) -> Status[dict[str, Any]]:
    return Status(201, _share_dict(services.add_share(_user(request), payload.email)))


@router.delete(
    "/shares/{share_id}", response={204: None, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut}, summary="Revoke"
)
def revoke_share(request: HttpRequest, share_id: int) -> Status[None]:
    services.revoke_share(_user(request), share_id)
    return Status(204, None)


@router.get("/audit", response={200: list[AuditOut], 401: ErrorOut}, summary="Who viewed or exported your journal")
def audit_trail(request: HttpRequest) -> list[dict[str, Any]]:
    return [
        {"at": e.at.isoformat(), "who": e.actor_email, "action": e.action, "detail": e.detail}
        for e in m.AuditEvent.objects.filter(owner=_user(request))[:1000]
    ]


# --- journals shared with me (clinicians) ----------------------------------------------------------------


@router.get("/shared", response={200: list[SharedJournalSummaryOut], 401: ErrorOut}, summary="Journals shared with you")
def shared_journals(request: HttpRequest) -> list[dict[str, Any]]:
    return [
        {"owner_id": s.owner_id, "email": s.owner.email, "since": s.created_at.isoformat()}
        for s in shares_with_me(_user(request))
    ]


@router.get(
    "/shared/{owner_id}",
    response={200: SharedJournalOut, 401: ErrorOut, 404: ErrorOut},
    summary="A shared journal",
    by_alias=True,  # the kinds' URL slugs as keys ("side-effects")
    exclude_unset=True,  # as the entry routes: a scale without clusters has no "clusters" key
)
def shared_journal(request: HttpRequest, owner_id: int) -> dict[str, Any]:
    owner = shared_owner(_user(request), owner_id)
    services.record(owner, actor=_user(request), action="clinician_view", detail="API")
    view = overview(owner)
    return {
        "owner": owner.email,
        "outcomes": [series_dict(s) for s in view.series],
        **{kind.slug: [entry_dict(kind, e) for e in entries(owner, kind)] for kind in KINDS.values()},
    }


@router.get(
    "/shared/{owner_id}/export",
    response={200: JournalExportOut, 401: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Export a shared journal",
    openapi_extra={"responses": _DOWNLOAD},
)
def shared_journal_export(request: HttpRequest, owner_id: int, params: Query[ExportParams]) -> HttpResponse:
    return export_response(shared_owner(_user(request), owner_id), params.format, actor=_user(request))
