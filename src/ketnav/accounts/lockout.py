"""django-axes hooks: which name an attempt counts against, and what a locked-out person sees.

The site form, the JSON API and the Django admin all sign in through ``authenticate``; axes counts
failures per account (``AXES_LOCKOUT_PARAMETERS = ["username"]``) and, once locked, this module's
response replaces whatever the view returned: the API's one JSON error shape under /api/, a page
elsewhere. Both answer 429 Too Many Requests with a Retry-After header.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from ketnav.accounts.emails import lookup_key


def username_from_request(request: HttpRequest, credentials: dict[str, Any] | None = None) -> str:
    """Count "Ann@X.org" and "ann@x.org" as the same account, from a form post or the JSON API."""
    raw = (credentials or {}).get("username")
    if raw is None:
        raw = request.POST.get("username", "")
    return lookup_key(str(raw))


def _minutes() -> int:
    return round(float(settings.AXES_COOLOFF_TIME) * 60)


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: dict[str, Any] | None = None
) -> HttpResponse:
    minutes = _minutes()
    message = (
        f"Too many wrong passwords: this account is locked for {minutes} minutes. "
        "Try again later, or reset your password by email."
    )
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse(
            {"error": {"code": "locked_out", "message": message, "details": []}}, status=429
        )
    else:
        context = {"title": "Account locked", "minutes": minutes, "message": message}
        response = render(request, "accounts/locked.html", context, status=429)
    response["Retry-After"] = str(minutes * 60)
    return response
