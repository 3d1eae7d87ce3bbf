"""Site-wide pages: home, the area landing pages, health check and error pages."""

from __future__ import annotations

import json

from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from ketnav import __version__
from ketnav.web.context import AREAS


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "ketnav/home.html", {"areas": AREAS})


def area(request: HttpRequest, slug: str) -> HttpResponse:
    """Landing page for an area whose own pages are not built yet: says what it will do."""
    match = next((a for a in AREAS if a.slug == slug), None)
    if match is None:
        raise Http404("No such area")
    return render(request, "ketnav/area.html", {"area": match, "title": match.title})


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
