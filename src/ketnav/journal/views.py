"""Journal pages. Views parse the request, call one selector or service, and render.

Owner pages act on ``request.user``'s own rows only; clinician pages go through ``shared_owner``,
which answers NotFound unless an active share exists. Either way another person's ids are 404.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from ketnav.citations.bibliography import resolve
from ketnav.errors import InvalidInput, NotFound
from ketnav.journal import charts, services
from ketnav.journal import models as m
from ketnav.journal.describe import describe, effect_label
from ketnav.journal.export import FORMATS, export_response, import_csv
from ketnav.journal.forms import initial_values, raw_from_post, values_from_post
from ketnav.journal.kinds import KINDS, Kind
from ketnav.journal.schemas import ROUTE_CHOICES
from ketnav.journal.selectors import Overview, overview, owned, shared_owner, shares_with_me
from ketnav.journal.serialize import definitions_dict
from ketnav.journal.vitals import BP_CITATIONS, bp_category
from ketnav.safety.crisis import crisis_payload
from ketnav.safety.side_effects import CLASS_LABELS, effects
from ketnav.scales.definitions import Scale, get_scale, scales
from ketnav.scales.scoring import cluster_totals, touches_self_harm

MAX_IMPORT_BYTES = 5 * 1024 * 1024

View = Callable[..., HttpResponse]


def _owner(request: HttpRequest) -> User:
    assert isinstance(request.user, User)  # every view here is behind login_required
    return request.user


def owner_view(view: View) -> View:
    """Signed in, and NotFound (someone else's id, an unknown kind) answered as a plain 404."""

    @login_required
    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except NotFound as exc:
            raise Http404(exc.message) from None

    return wrapper


def _kind(slug: str) -> Kind:
    kind = KINDS.get(slug)
    if kind is None:
        raise NotFound(f"No kind of journal entry called {slug!r}")
    return kind


# --- the journal page ---------------------------------------------------------------------------------


def _page_context(view: Overview, *, chart_url: Callable[[str], str], read_only: bool) -> dict[str, Any]:
    session_days = [s.started_at.date() for s in view.sessions]
    series = []
    for s in view.series:
        if not s.results:
            continue
        base = s.outcome.baseline.total if s.outcome else 0
        rows = [
            {
                "entry": r,
                "change": r.total - base if s.outcome else None,
                "crisis": touches_self_harm(s.scale, r.answers),
            }
            for r in s.results
        ]
        series.append(
            {
                "scale": s.scale,
                "outcome": s.outcome,
                "latest": s.results[-1],
                "rows": rows,
                "chart": chart_url(s.scale.id),
                "definitions": definitions_dict(s.scale),
                "sources": resolve(s.scale.bands_citations),
            }
        )
    timeline = [{"slug": slug, "entry": e, "kind": KINDS[slug], "text": describe(slug, e)} for slug, e in view.timeline]
    return {
        "view": view,
        "series": series,
        "scales": list(scales().values()),
        "timeline": timeline,
        "bp_chart": chart_url("bp") if view.vitals else None,
        "bp_rows": [(v, bp_category(systolic=v.systolic, diastolic=v.diastolic)) for v in view.vitals],
        "bp_sources": resolve(BP_CITATIONS),
        "crisis": crisis_payload() if view.crisis else None,
        "read_only": read_only,
        "session_days": session_days,
        "routes": ROUTE_CHOICES,
        "class_labels": CLASS_LABELS,
    }


def home(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return render(request, "journal/welcome.html", {"title": "Journal"})
    owner = _owner(request)
    context = _page_context(
        overview(owner), chart_url=lambda name: reverse("journal:chart", args=[name]), read_only=False
    )
    context.update(
        {
            "title": "Your journal",
            "saved": m.SavedResult.objects.filter(owner=owner),
            "watches": m.WatchedSearch.objects.filter(owner=owner),
            "unseen_flags": m.WatchFlag.objects.filter(watch__owner=owner, seen=False).select_related("watch"),
            "email_configured": settings.KETNAV_EMAIL_CONFIGURED,
            "shared_with_me": shares_with_me(owner).exists(),
        }
    )
    return render(request, "journal/home.html", context)


# --- entries ------------------------------------------------------------------------------------------


def _form_context(
    kind: Kind, *, scale: Scale | None, values: dict[str, Any], error: InvalidInput | None
) -> dict[str, Any]:
    field_errors: dict[str, str] = {}
    if error is not None:
        for d in error.details or []:
            field_errors.setdefault(d.location, d.message)
        if not error.details:
            field_errors.setdefault("entry", error.message)
    return {
        "kind": kind,
        "scale": scale,
        "values": values,
        "error": error,
        "field_errors": field_errors,
        "routes": ROUTE_CHOICES.items(),
        "effects": effects().values(),
        "class_labels": CLASS_LABELS,
    }


@owner_view
@require_http_methods(["GET", "POST"])
def entry_form(request: HttpRequest, slug: str, pk: int | None = None) -> HttpResponse:
    """Add (pk None) or edit one entry; on an error the form comes back with everything typed kept."""
    owner, kind = _owner(request), _kind(slug)
    instance = owned(owner, kind, pk) if pk is not None else None
    scale_id = instance.scale if instance is not None and slug == "scales" else request.GET.get("scale", "")
    scale_id = request.POST.get("scale", scale_id)
    if slug == "scales" and scale_id not in scales():
        return render(request, "journal/choose_scale.html", {"title": "Add a scale score", "scales": scales().values()})
    scale = get_scale(scale_id) if slug == "scales" else None
    error = None
    if request.method == "POST":
        try:
            data = services.parse(kind, raw_from_post(kind, request.POST, scale_id=scale_id))
            if instance is None:
                instance = services.create_entry(owner, kind, data)
                messages.success(request, f"{kind.label} added.")
            else:
                instance = services.update_entry(owner, kind, instance.pk, data)
                messages.success(request, f"{kind.label} saved.")
            if slug in {"scales", "side-effects"}:
                return redirect("journal:entry", slug=slug, pk=instance.pk)
            return redirect(reverse("journal:home") + "#timeline")
        except InvalidInput as exc:
            error = exc
        values = values_from_post(request.POST)
    else:
        values = initial_values(kind, instance)
    verb = "Edit" if pk is not None else "Add"
    context = _form_context(kind, scale=scale, values=values, error=error)
    context.update(
        {
            "title": f"{verb} {scale.name if scale else kind.label.lower()}",
            "instance": instance,
            "prefill_now": instance is None and error is None,  # journal.js puts the device's local time in
        }
    )
    return render(request, "journal/entry_form.html", context, status=422 if error else 200)


@owner_view
def entry_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """The result of a scale or a side-effect check, with crisis resources first when they apply."""
    owner, kind = _owner(request), _kind(slug)
    entry = owned(owner, kind, pk)
    context: dict[str, Any] = {"kind": kind, "entry": entry, "title": kind.label}
    if slug == "scales":
        scale = get_scale(entry.scale)
        crisis = touches_self_harm(scale, entry.answers)
        context.update(
            {
                "title": f"Your {scale.name} score",
                "scale": scale,
                "answered": [(text, scale.options[v], v) for text, v in zip(scale.items, entry.answers, strict=True)],
                "clusters": cluster_totals(scale, entry.answers),
                "sources": resolve(scale.bands_citations),
                "crisis": crisis_payload() if crisis else None,
            }
        )
    elif slug == "side-effects":
        context.update(
            {
                "title": "Your side-effect check",
                "labels": [effect_label(e) for e in entry.effects],
                "crisis": crisis_payload() if "self-harm" in entry.effects else None,
                "class_labels": CLASS_LABELS,
            }
        )
    else:
        return redirect("journal:edit", slug=slug, pk=pk)
    return render(request, "journal/entry_detail.html", context)


@owner_view
@require_http_methods(["GET", "POST"])
def entry_delete(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    owner, kind = _owner(request), _kind(slug)
    entry = owned(owner, kind, pk)
    if request.method == "POST":
        services.delete_entry(owner, kind, pk)
        messages.success(request, f"{kind.label} deleted.")
        return redirect(reverse("journal:home") + "#timeline")
    context = {
        "title": f"Delete this {kind.label.lower()}?",
        "kind": kind,
        "entry": entry,
        "text": describe(slug, entry),
    }
    return render(request, "journal/confirm_delete.html", context)


# --- charts and the clinician summary ------------------------------------------------------------------


def _chart(view: Overview, name: str) -> HttpResponse:
    sessions = sorted({s.started_at.date() for s in view.sessions})
    if name == "bp":
        points = [(v.measured_at, v.systolic, v.diastolic) for v in sorted(view.vitals, key=lambda v: v.measured_at)]
        svg = charts.bp_chart(points=points, sessions=sorted(s.started_at for s in view.sessions))
    else:
        series = next((s for s in view.series if s.scale.id == name), None)
        if series is None:
            raise NotFound(f"No chart called {name!r}")
        svg = charts.scale_chart(
            scale=series.scale,
            points=[(r.taken_on, r.total) for r in series.results],
            sessions=sessions,
            baseline_total=series.outcome.baseline.total if series.outcome else None,
        )
    response = HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")
    response["Cache-Control"] = "private, no-store"
    return response


@owner_view
def chart(request: HttpRequest, name: str) -> HttpResponse:
    return _chart(overview(_owner(request)), name)


def _summary(request: HttpRequest, view: Overview, *, chart_url: Callable[[str], str], read_only: bool) -> HttpResponse:
    context = _page_context(view, chart_url=chart_url, read_only=read_only)
    reports = sorted(view.side_effects, key=lambda e: e.noticed_at)
    context.update(
        {
            "title": "Clinician summary",
            "side_effect_counts": _effect_counts(reports),
            "sessions_oldest_first": sorted(view.sessions, key=lambda s: s.started_at),
            "bp_max": max(view.vitals, key=lambda v: (v.systolic, v.diastolic), default=None),
            "summary_sources": resolve(_summary_citations()),
        }
    )
    return render(request, "journal/summary.html", context)


def _summary_citations() -> list[str]:
    ids = [c for s in scales().values() for c in (*s.response_citations, *s.remission.citations)]
    return list(dict.fromkeys([*ids, *BP_CITATIONS]))


def _effect_counts(reports: list[m.SideEffectReport]) -> list[tuple[str, int, str]]:
    counts: dict[str, tuple[int, str]] = {}
    for report in reports:
        for effect_id in report.effects:
            n, _ = counts.get(effect_id, (0, ""))
            level = next((a["level"] for a in report.triage.get("effects", []) if a.get("id") == effect_id), "")
            counts[effect_id] = (n + 1, level)
    return sorted(((effect_label(k), n, lvl) for k, (n, lvl) in counts.items()), key=lambda t: -t[1])


@owner_view
def summary(request: HttpRequest) -> HttpResponse:
    return _summary(
        request, overview(_owner(request)), chart_url=lambda n: reverse("journal:chart", args=[n]), read_only=False
    )


# --- sharing, audit, export and import -----------------------------------------------------------------


@owner_view
@require_http_methods(["GET", "POST"])
def share(request: HttpRequest) -> HttpResponse:
    owner = _owner(request)
    error = None
    if request.method == "POST":
        try:
            share = services.add_share(owner, request.POST.get("email", ""))
            messages.success(request, f"{share.clinician.email} can now read your journal, until you revoke it.")
            return redirect("journal:share")
        except InvalidInput as exc:
            error = exc
    context = {
        "title": "Share your journal",
        "shares": m.Share.objects.filter(owner=owner).select_related("clinician"),
        "error": error,
        "email": request.POST.get("email", ""),
    }
    return render(request, "journal/share.html", context, status=422 if error else 200)


@owner_view
@require_POST
def revoke(request: HttpRequest, pk: int) -> HttpResponse:
    share = services.revoke_share(_owner(request), pk)
    messages.success(request, f"{share.clinician.email} can no longer see your journal.")
    return redirect("journal:share")


@owner_view
def audit(request: HttpRequest) -> HttpResponse:
    events = m.AuditEvent.objects.filter(owner=_owner(request))[:500]
    return render(
        request,
        "journal/audit.html",
        {"title": "Who viewed your journal", "events": events, "actions": services.ACTIONS},
    )


def _download(owner: User, fmt: str, *, actor: User) -> HttpResponse:
    if fmt not in FORMATS:
        raise InvalidInput(f"format: use one of {', '.join(FORMATS)}")
    return export_response(owner, fmt, actor=actor)


@owner_view
def export_page(request: HttpRequest) -> HttpResponse:
    owner = _owner(request)
    fmt = request.GET.get("format", "")
    if not fmt:
        return render(request, "journal/export.html", {"title": "Export or import your journal"})
    try:
        return _download(owner, fmt, actor=owner)
    except InvalidInput as exc:
        return render(request, "journal/export.html", {"title": "Export or import", "error": exc}, status=422)


@owner_view
@require_POST
def import_page(request: HttpRequest) -> HttpResponse:
    owner = _owner(request)
    upload = request.FILES.get("file")
    context: dict[str, Any] = {"title": "Export or import your journal"}
    try:
        if upload is None:
            raise InvalidInput("file: choose the CSV file to import")
        if upload.size is not None and upload.size > MAX_IMPORT_BYTES:
            raise InvalidInput(f"file: larger than {MAX_IMPORT_BYTES // 1024 // 1024} MB")
        try:
            text = upload.read().decode("utf-8")
        except UnicodeDecodeError:
            raise InvalidInput("file: not UTF-8 text; export the CSV again from Ketamine Navigator") from None
        report = import_csv(owner, text)
        services.record(owner, actor=owner, action="import", detail=f"{report['added']} entries from CSV")
        messages.success(
            request, f"Imported {report['added']} entries; {report['duplicates']} were already in your journal."
        )
        return redirect("journal:home")
    except InvalidInput as exc:
        context["error"] = exc
        return render(request, "journal/export.html", context, status=422)


# --- what clinicians see ------------------------------------------------------------------------------


@owner_view
def shared_list(request: HttpRequest) -> HttpResponse:
    shares = shares_with_me(_owner(request))
    return render(request, "journal/shared_list.html", {"title": "Journals shared with you", "shares": shares})


def _shared(request: HttpRequest, owner_id: int) -> User:
    return shared_owner(_owner(request), owner_id)


@owner_view
def shared_view(request: HttpRequest, owner_id: int) -> HttpResponse:
    owner = _shared(request, owner_id)
    services.record(owner, actor=_owner(request), action="clinician_view")
    context = _page_context(
        overview(owner), chart_url=lambda n: reverse("journal:shared_chart", args=[owner_id, n]), read_only=True
    )
    context.update({"title": f"Journal of {owner.email}", "patient": owner})
    return render(request, "journal/shared_view.html", context)


@owner_view
def shared_summary(request: HttpRequest, owner_id: int) -> HttpResponse:
    owner = _shared(request, owner_id)
    services.record(owner, actor=_owner(request), action="clinician_summary")
    return _summary(
        request,
        overview(owner),
        chart_url=lambda n: reverse("journal:shared_chart", args=[owner_id, n]),
        read_only=True,
    )


@owner_view
def shared_chart(request: HttpRequest, owner_id: int, name: str) -> HttpResponse:
    return _chart(overview(_shared(request, owner_id)), name)


@owner_view
def shared_export(request: HttpRequest, owner_id: int) -> HttpResponse:
    owner = _shared(request, owner_id)
    try:
        return _download(owner, request.GET.get("format", "fhir"), actor=_owner(request))
    except InvalidInput as exc:
        raise Http404(exc.message) from None


# --- results saved from the treatment tools, and the trial watch-list --------------------------------


def _saved_title(kind: str, data: dict[str, Any]) -> str:
    if kind == "clinics":
        names = [str(c.get("name", "")) for c in data.get("clinics", [])]
        return f"Clinic comparison ({len(names)}): " + ", ".join(names)
    if kind == "aftercare":
        return f"Aftercare plan: {data['route']}, session ending {data['session_end'][:16].replace('T', ' ')}"
    return "Safety screen summary" + (" (urgent findings)" if data.get("urgent") else "")


@owner_view
@require_POST
def save_result(request: HttpRequest, kind: str) -> HttpResponse:
    """Keep an aftercare plan or a safety-screen summary in the journal (only when the person asks)."""
    owner = _owner(request)
    try:
        data = _tool_result(kind, request)
    except InvalidInput as exc:
        messages.error(request, f"Nothing was saved: {exc.message}")
        return redirect("journal:home")
    services.save_result(owner, kind=kind, title=_saved_title(kind, data), data=data)
    messages.success(request, "Saved to your journal.")
    return redirect(reverse("journal:home") + "#saved")


def _tool_result(kind: str, request: HttpRequest) -> dict[str, Any]:
    """Recompute the result from the same inputs with the tools' own public functions (the clinic
    worksheet is taken from this browser's session, where the comparison page keeps it)."""
    import datetime as dt
    import json

    if kind == "clinics":
        from ketnav.clinics import worksheet

        quotes = worksheet.load(request)
        if not quotes.clinics:
            raise InvalidInput("the clinic worksheet is empty; add a clinic first")
        return quotes.export()

    if kind == "aftercare":
        from ketnav.safety.aftercare import plan
        from ketnav.safety.serialize import aftercare_dict

        try:
            end = dt.datetime.fromisoformat(request.POST.get("end", ""))
        except ValueError:
            raise InvalidInput("end: give the date and time the session ended") from None
        return aftercare_dict(plan(session_end=end, route=request.POST.get("route", "")))
    if kind == "screen":
        from ketnav.safety.screening import parse_answers, screen
        from ketnav.safety.serialize import screening_dict

        try:
            answers = json.loads(request.POST.get("answers_json", ""))
        except ValueError:
            raise InvalidInput("answers: the screen's answers were not sent") from None
        result = screening_dict(screen(parse_answers(answers)))
        return {"answers": answers, **result}
    raise NotFound(f"Cannot save {kind!r}")


@owner_view
@require_POST
def open_saved(request: HttpRequest, pk: int) -> HttpResponse:
    """Put a saved clinic comparison back into this browser's worksheet (it replaces the one there)."""
    from ketnav.clinics import worksheet
    from ketnav.clinics.fields import check
    from ketnav.clinics.quotes import Quotes

    saved = m.SavedResult.objects.filter(owner=_owner(request), pk=pk, kind="clinics").first()
    if saved is None:
        raise NotFound(f"No saved clinic comparison with id {pk}")
    try:
        worksheet.save(request, check(Quotes, saved.data))
    except InvalidInput as exc:  # saved by an older version whose fields no longer validate
        messages.error(request, f"That comparison could not be opened: {exc.message}")
        return redirect(reverse("journal:home") + "#saved")
    return redirect(reverse("clinics:compare") + "#comparison")


@owner_view
@require_POST
def save_search(request: HttpRequest) -> HttpResponse:
    from ketnav.journal.watch import save_search as save

    try:
        watch = save(
            _owner(request),
            query=request.POST.get("query", ""),
            label=request.POST.get("label", ""),
            nct_ids=request.POST.getlist("nct"),
        )
    except InvalidInput as exc:
        messages.error(request, f"Nothing was saved: {exc.message}")
        return redirect("journal:home")
    messages.success(request, f"Saved “{watch.label}”: {len(watch.statuses)} studies are watched for status changes.")
    return redirect(reverse("journal:home") + "#watches")


@owner_view
@require_POST
def delete_watch(request: HttpRequest, pk: int) -> HttpResponse:
    deleted, _ = m.WatchedSearch.objects.filter(owner=_owner(request), pk=pk).delete()
    if not deleted:
        raise NotFound(f"No saved search with id {pk}")
    messages.success(request, "Saved search removed.")
    return redirect(reverse("journal:home") + "#watches")


@owner_view
@require_POST
def flags_seen(request: HttpRequest) -> HttpResponse:
    m.WatchFlag.objects.filter(watch__owner=_owner(request), seen=False).update(seen=True)
    return redirect("journal:home")


@owner_view
@require_POST
def delete_saved(request: HttpRequest, pk: int) -> HttpResponse:
    services.delete_saved(_owner(request), pk)
    messages.success(request, "Saved result deleted.")
    return redirect(reverse("journal:home") + "#saved")
