"""The typed JSON API at /api/ (OpenAPI at /api/openapi.json) and its single error shape.

Every failure, whatever raised it, leaves as ``{"error": {"code", "message", "details"}}`` so that
clients need exactly one parser for problems.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import SuspiciousOperation
from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI, Schema, Swagger
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.openapi.schema import OpenAPISchema

from ketnav import __version__
from ketnav.errors import ErrorDetail, KetnavError
from ketnav.web.limits import refusal_for

__all__ = ["api", "error_response"]

logger = logging.getLogger(__name__)


class VersionOut(Schema):
    name: str
    version: str


# Failures any request can meet before or outside its own operation: the request-limit middleware
# (web/limits.py) and the body parser refuse a request as a whole, whatever operation it was for.
_ANY_REQUEST = {"400": "The request could not be read (malformed body or too many parameters).",
                "422": "A value is not valid (the details name each one)."}  # fmt: skip
_ANY_BODY = {"413": "The body is larger than the server accepts."}
_SIGNED_IN = {"401": "Sign in first.", "403": "Not allowed for this account, or the CSRF token is missing or wrong."}


class KetnavAPI(NinjaAPI):
    """NinjaAPI whose OpenAPI schema also states the error answers every operation can give, so clients
    and the schemathesis run in the test suite know every status the API really sends."""

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        error = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}}
        for operations in schema["paths"].values():
            for operation in operations.values():
                common = (
                    _ANY_REQUEST
                    | (_ANY_BODY if "requestBody" in operation else {})
                    | (_SIGNED_IN if operation.get("security") else {})
                )
                # ninja keys its own responses by int; JSON would turn a str twin into a duplicate key
                responses = {str(k): v for k, v in operation["responses"].items()}
                for status, description in common.items():
                    responses.setdefault(status, {"description": description, "content": error})
                operation["responses"] = responses
        return schema


api = KetnavAPI(
    title="Ketamine Navigator API",
    version=__version__,
    description=(
        "Educational information only, not medical advice. The same data the pages show, as JSON. "
        'Errors always have the shape {"error": {"code", "message", "details"}}.'
    ),
    urls_namespace="api",
    docs_url="/docs",
    # Swagger UI from ninja's bundled static files (ninja is in INSTALLED_APPS), and no validator badge:
    # by default the page would send the schema's address to validator.swagger.io.
    docs=Swagger(settings={"validatorUrl": None}),
)


def error_response(
    request: HttpRequest, *, status: int, code: str, message: str, details: list[ErrorDetail] | None = None
) -> HttpResponse:
    body = {
        "error": {
            "code": code,
            "message": message,
            "details": [{"location": d.location, "message": d.message} for d in (details or [])],
        }
    }
    return api.create_response(request, body, status=status)


@api.exception_handler(KetnavError)
def _on_ketnav_error(request: HttpRequest, exc: KetnavError) -> HttpResponse:
    return error_response(
        request, status=exc.http_status, code=exc.code, message=exc.message, details=list(exc.details)
    )


# The names our endpoints give a parameter that is a whole schema (Query[...] params, a body payload,
# Path[...] path); pydantic puts the name in an error's location, but a client never sent it.
_SCHEMA_PARAMETERS = frozenset({"params", "payload", "path"})


def _location(loc: Sequence[object]) -> str:
    """Where a client put the value, in its own terms: "phase", "weight_kg", "clinics[0].name" rather than
    pydantic's ("query", "phase", 0) or ("body", "payload", "weight_kg")."""
    parts = list(loc)
    source = parts.pop(0) if parts and parts[0] in {"query", "path", "body", "form", "header", "cookie"} else ""
    if source and len(parts) > 1 and parts[0] in _SCHEMA_PARAMETERS:
        parts.pop(0)
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += "" if source == "query" else f"[{part}]"  # a repeated query parameter has no visible index
        else:
            out += f".{part}" if out else str(part)
    return out or "request"


@api.exception_handler(NinjaValidationError)
def _on_validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    details = [
        ErrorDetail(location=_location(err.get("loc", ())), message=str(err.get("msg", "invalid value")))
        for err in exc.errors
    ]
    return error_response(
        request, status=422, code="invalid_input", message="The request is not valid.", details=details
    )


@api.exception_handler(AuthenticationError)
def _on_auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return error_response(request, status=401, code="unauthorized", message="Sign in to use this endpoint.")


@api.exception_handler(HttpError)
def _on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    code = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found"}.get(exc.status_code, "error")
    return error_response(request, status=exc.status_code, code=code, message=str(exc.message))


@api.exception_handler(SuspiciousOperation)
def _on_suspicious(request: HttpRequest, exc: SuspiciousOperation) -> HttpResponse:
    refusal = refusal_for(exc)
    return error_response(request, status=refusal.status, code=refusal.code, message=refusal.message)


@api.exception_handler(Exception)
def _on_unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.exception("unhandled error in API", exc_info=exc)
    return error_response(
        request, status=500, code="internal_error", message="Something went wrong on our side; nothing was changed."
    )


@api.get("/version", response=VersionOut, summary="Application name and version")
def version(request: HttpRequest) -> dict[str, str]:
    return {"name": "ketnav", "version": __version__}


def _register_routers() -> None:
    from ketnav.safety.api import router as safety_router
    from ketnav.trials.api import router as trials_router

    api.add_router("/trials", trials_router)
    from ketnav.trials.match_api import router as match_router

    api.add_router("/match", match_router)
    api.add_router("/safety", safety_router)
    from ketnav.pharmacology.api import router as pk_router

    api.add_router("/pk", pk_router)
    from ketnav.guide.api import router as guide_router

    api.add_router("/guide", guide_router)
    from ketnav.clinics.api import costs_router
    from ketnav.clinics.api import router as clinics_router

    api.add_router("/clinics", clinics_router)
    api.add_router("/costs", costs_router)
    from ketnav.accounts.api import account_router, auth_router
    from ketnav.journal.api import router as journal_router

    api.add_router("/auth", auth_router)
    api.add_router("/account", account_router)
    api.add_router("/journal", journal_router)


_register_routers()
