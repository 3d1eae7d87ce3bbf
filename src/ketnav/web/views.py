"""Site-wide pages: home, the search over guide and trials, the tools hub, health check and error pages."""

from __future__ import annotations

import json

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from ketnav import __version__
from ketnav.errors import InvalidInput
from ketnav.web.context import AREAS


def home(request: HttpRequest) -> HttpResponse:
    """The front page, with live counts of what this installation holds (none of them hard-coded)."""
    from ketnav.citations.bibliography import bibliography
    from ketnav.guide.knowledge import knowledge
    from ketnav.trials.models import Study
    from ketnav.trials.record import OPEN_STATUSES

    context = {
        "areas": AREAS,
        "topic_count": len(knowledge().topics),
        "reference_count": len(bibliography()),
        "registry_size": Study.objects.count(),
        "open_count": Study.objects.filter(overall_status__in=OPEN_STATUSES).count(),
    }
    return render(request, "ketnav/home.html", context)


def site_search(request: HttpRequest) -> HttpResponse:
    """One search box for the whole site: guide sections first, then open trials. It lives in ``web``
    because it spans two domains (guide and trials) and neither should own the other's results."""
    from ketnav.guide.selectors import search_guide
    from ketnav.trials.models import Study
    from ketnav.trials.search.engine import SearchRequest, search

    q = request.GET.get("q", "")
    context: dict[str, object] = {"title": "Search", "q": q, "registry_size": Study.objects.count()}
    if q.strip():
        context["guide_hits"] = search_guide(q)
        if context["registry_size"]:
            try:
                context["trials"] = search(SearchRequest(text=q, page_size=10, facets=False))
            except InvalidInput as exc:
                context["trials_error"] = exc.message
    return render(request, "ketnav/search.html", context)


def tools_hub(request: HttpRequest) -> HttpResponse:
    """The /tools/ hub: the safety tools and the pharmacology routes page (see web/tools_urls.py)."""
    return render(request, "ketnav/tools.html", {"title": "Treatment tools"})


def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness plus a real database round trip, so a load balancer sees a broken database."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        db_ok = True
    except Exception:
        db_ok = False
    status = 200 if db_ok else 503
    body = {
        "status": "ok" if db_ok else "error",
        "database": connection.vendor if db_ok else "unavailable",
        "version": __version__,
    }
    return JsonResponse(body, status=status)


def _json_error(status: int, code: str, message: str) -> HttpResponse:
    payload = {"error": {"code": code, "message": message, "details": []}}
    return HttpResponse(json.dumps(payload), status=status, content_type="application/json")


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """Django's refusals (a form with thousands of fields, a disallowed host) in our shapes."""
    from django.core.exceptions import SuspiciousOperation

    from ketnav.web.limits import Refusal, refusal_for, refusal_response

    if isinstance(exception, SuspiciousOperation):
        return refusal_response(request, refusal_for(exception))
    return refusal_response(request, Refusal(400, "bad_request", "the request could not be understood"))


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if request.path.startswith("/api/"):
        return _json_error(404, "not_found", f"No API endpoint at {request.path}")
    return render(request, "ketnav/404.html", {"title": "Page not found"}, status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    if request.path.startswith("/api/"):
        return _json_error(500, "internal_error", "Something went wrong on our side; nothing was changed.")
    return render(request, "ketnav/500.html", {"title": "Something went wrong"}, status=500)
