"""Download my data: everything the account owns, as JSON or CSV (and scores and vitals as FHIR)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.http import HttpResponse

from ketnav import __version__
from ketnav.errors import ErrorDetail, InvalidInput
from ketnav.journal import models as m
from ketnav.journal.csvio import entry_row, natural_key, other_row, parse_csv, write_csv
from ketnav.journal.fhir import bundle
from ketnav.journal.kinds import KINDS, input_values
from ketnav.journal.selectors import entries
from ketnav.journal.serialize import entry_dict

FORMATS = ("json", "csv", "fhir")


def _account(owner: User) -> dict[str, Any]:
    from ketnav.accounts.services import roles_of

    return {"email": owner.email, "roles": roles_of(owner).names(), "created": owner.date_joined.isoformat()}


def everything(owner: User) -> dict[str, Any]:
    """The whole account as one JSON document (what "Download my data" gives)."""
    return {
        "exported_by": f"Ketamine Navigator {__version__}",
        "exported_at": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
        "account": _account(owner),
        **{kind.slug.replace("-", "_"): [entry_dict(kind, e) for e in entries(owner, kind)] for kind in KINDS.values()},
        "shares": [
            {
                "clinician": s.clinician.email,
                "created_at": s.created_at.isoformat(),
                "revoked_at": s.revoked_at.isoformat() if s.revoked_at else None,
            }
            for s in m.Share.objects.filter(owner=owner).select_related("clinician")
        ],
        "audit": [
            {"at": a.at.isoformat(), "who": a.actor_email, "action": a.action, "detail": a.detail}
            for a in m.AuditEvent.objects.filter(owner=owner)
        ],
        "saved_results": [
            {"kind": s.kind, "title": s.title, "saved_at": s.saved_at.isoformat(), "data": s.data}
            for s in m.SavedResult.objects.filter(owner=owner)
        ],
        "watched_searches": [
            {"label": w.label, "query": w.query, "created_at": w.created_at.isoformat(), "statuses": w.statuses}
            for w in m.WatchedSearch.objects.filter(owner=owner)
        ],
    }


def everything_csv(owner: User) -> str:
    rows = [other_row("account", when=owner.date_joined, detail=owner.email)]
    for kind in KINDS.values():
        rows.extend(entry_row(kind, e) for e in entries(owner, kind).order_by("id"))
    for s in m.Share.objects.filter(owner=owner).select_related("clinician"):
        rows.append(
            other_row(
                "share", when=s.created_at, detail=s.clinician.email, level="revoked" if s.revoked_at else "active"
            )
        )
    for a in m.AuditEvent.objects.filter(owner=owner):
        rows.append(other_row("audit", when=a.at, detail=f"{a.actor_email} {a.action} {a.detail}".strip()))
    for saved in m.SavedResult.objects.filter(owner=owner):
        rows.append(
            other_row("saved", when=saved.saved_at, detail=saved.title, level=saved.kind, notes=json.dumps(saved.data))
        )
    for w in m.WatchedSearch.objects.filter(owner=owner):
        rows.append(other_row("watch", when=w.created_at, detail=w.label, notes=w.query))
    return write_csv(rows)


def fhir_bundle(owner: User) -> dict[str, Any]:
    return bundle(
        owner_key=str(owner.pk),
        results=list(m.ScaleResult.objects.filter(owner=owner)),
        vitals=list(m.VitalSigns.objects.filter(owner=owner)),
        now=dt.datetime.now(dt.UTC).replace(microsecond=0),
    )


def export(owner: User, fmt: str) -> tuple[str, str, str]:
    """(body, content type, file name) for one export format."""
    stamp = dt.date.today().isoformat()
    if fmt == "json":
        return json.dumps(everything(owner), indent=2), "application/json", f"ketnav-journal-{stamp}.json"
    if fmt == "csv":
        return everything_csv(owner), "text/csv; charset=utf-8", f"ketnav-journal-{stamp}.csv"
    if fmt == "fhir":
        return json.dumps(fhir_bundle(owner), indent=2), "application/fhir+json", f"ketnav-journal-{stamp}.fhir.json"
    raise InvalidInput(f"format: use one of {', '.join(FORMATS)}")


def export_response(owner: User, fmt: str, *, actor: User) -> HttpResponse:
    """The export as a download for the page and the API alike; each one is written to the owner's
    audit trail, and no browser or proxy keeps a copy."""
    from ketnav.journal.services import record

    body, content_type, filename = export(owner, fmt)
    record(owner, actor=actor, action="export", detail=fmt.upper())
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


def import_csv(owner: User, text: str) -> dict[str, int]:
    """Add the entries of a CSV export to this journal; all or nothing; duplicates skipped."""
    parsed, account_rows, problems = parse_csv(text)
    built: list[tuple[Any, str, str]] = []  # (unsaved instance, kind slug, natural key)
    for row in parsed:
        instance = row.kind.model(owner=owner)
        try:
            row.kind.apply(instance, row.data)
        except InvalidInput as exc:
            problems.append(ErrorDetail(f"row {row.line}", exc.message))
            continue
        built.append((instance, row.kind.slug, natural_key(row.kind, input_values(row.kind, instance))))
    if problems:
        raise InvalidInput(
            f"{problems[0].location}: {problems[0].message} (nothing was imported)", details=problems[:100]
        )
    added = duplicates = 0
    with transaction.atomic():
        seen = {
            kind.slug: {natural_key(kind, input_values(kind, e)) for e in entries(owner, kind)}
            for kind in KINDS.values()
        }
        for instance, slug, key in built:
            if key in seen[slug]:
                duplicates += 1
                continue
            instance.save()
            seen[slug].add(key)
            added += 1
    return {"added": added, "duplicates": duplicates, "account_rows_skipped": account_rows}
