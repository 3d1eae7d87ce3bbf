"""Writes of journal data: entries, shares, the audit trail and saved results, always for one owner."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from pydantic import BaseModel, ValidationError

from ketnav.errors import InvalidInput, NotFound
from ketnav.journal import models as m
from ketnav.journal.kinds import Kind
from ketnav.journal.schemas import invalid_input
from ketnav.journal.selectors import owned


def parse(kind: Kind, raw: Mapping[str, Any], *, where: str = "") -> BaseModel:
    try:
        return kind.schema.model_validate(dict(raw))
    except ValidationError as exc:
        raise invalid_input(exc, kind.schema, where=where) from None


def _build(kind: Kind, instance: Any, data: BaseModel) -> Any:
    if not isinstance(data, kind.schema):
        raise InvalidInput(f"entry: expected a {kind.label.lower()}")
    kind.apply(instance, data)
    return instance


def create_entry(owner: User, kind: Kind, data: BaseModel) -> Any:
    instance = _build(kind, kind.model(owner=owner), data)
    instance.save()
    return instance


def update_entry(owner: User, kind: Kind, pk: int, data: BaseModel) -> Any:
    instance = _build(kind, owned(owner, kind, pk), data)
    instance.save()
    return instance


def delete_entry(owner: User, kind: Kind, pk: int) -> None:
    owned(owner, kind, pk).delete()


# --- audit trail -------------------------------------------------------------------------------------

ACTIONS = {
    "clinician_view": "viewed your journal",
    "clinician_summary": "opened your clinician summary",
    "export": "exported your journal",
    "share_added": "was given access to your journal",
    "share_revoked": "lost access to your journal",
    "import": "imported entries into your journal",
}


def record(owner: User, *, actor: User, action: str, detail: str = "") -> m.AuditEvent:
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    return m.AuditEvent.objects.create(
        owner=owner, actor=actor, actor_email=actor.email or actor.get_username(), action=action, detail=detail[:200]
    )


# --- sharing -----------------------------------------------------------------------------------------


def add_share(owner: User, clinician_email: str) -> m.Share:
    from ketnav.accounts.emails import normalize_email
    from ketnav.accounts.services import roles_of

    email = normalize_email(clinician_email)
    clinician = User.objects.filter(username=email).first()
    if clinician is None or not roles_of(clinician).clinician:
        raise InvalidInput(
            f"email: there is no clinician account for {email} on this site; ask your clinician which address they use"
        )
    if clinician.pk == owner.pk:
        raise InvalidInput("email: that is your own account")
    with transaction.atomic():
        existing = m.Share.objects.filter(owner=owner, clinician=clinician, revoked_at__isnull=True).first()
        if existing:
            return existing
        share = m.Share.objects.create(owner=owner, clinician=clinician)
        record(owner, actor=owner, action="share_added", detail=email)
    return share


def revoke_share(owner: User, share_id: int) -> m.Share:
    with transaction.atomic():
        share = (
            m.Share.objects.select_for_update()
            .filter(owner=owner, pk=share_id, revoked_at__isnull=True)
            .select_related("clinician")
            .first()
        )
        if share is None:
            raise NotFound(f"No active share with id {share_id}")
        share.revoked_at = timezone.now()
        share.save(update_fields=["revoked_at"])
        record(owner, actor=owner, action="share_revoked", detail=share.clinician.email)
    return share


# --- saved results (aftercare plans, safety-screen summaries) ---------------------------------------


def save_result(owner: User, *, kind: str, title: str, data: dict[str, Any]) -> m.SavedResult:
    if kind not in {"aftercare", "screen", "clinics"}:
        raise InvalidInput(f"kind: cannot save {kind!r}")
    return m.SavedResult.objects.create(owner=owner, kind=kind, title=title[:200], data=data)


def delete_saved(owner: User, pk: int) -> None:
    deleted, _ = m.SavedResult.objects.filter(owner=owner, pk=pk).delete()
    if not deleted:
        raise NotFound(f"No saved result with id {pk}")
