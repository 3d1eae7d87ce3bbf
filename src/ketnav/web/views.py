"""Site-wide pages: home, health check and error pages."""

from __future__ import annotations

import json

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from ketnav import __version__
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
