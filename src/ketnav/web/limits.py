"""Limits on what a request may carry, checked once before any view runs (issue 15).

Every page and API endpoint would otherwise need its own defence against the same hostile inputs, and
the ones that lacked it answered 500: bodies of any size, thousands of query parameters, NUL bytes
(PostgreSQL refuses them in text), JSON that is not UTF-8, nested thousands deep, or holds numbers with
thousands of digits. Each gets a specific 4xx here, in the API's single JSON error shape under /api/
and as a short page elsewhere. ``ketnav serve`` gives waitress the same body limit, so a larger body is
refused (413) before it is read at all.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

MAX_REQUEST_BODY_BYTES = 4 * 1024 * 1024  # a clinic file upload (at most 2 MB) plus its form fits
MAX_QUERY_PARAMETERS = 100  # the busiest search form sends about 40
MAX_JSON_DEPTH = 32  # the deepest body any endpoint takes is 4 levels
MAX_JSON_NUMBER_CHARS = 50  # a double needs at most 24; an integer of 50 digits is already absurd


@dataclass(frozen=True)
class Refusal:
    status: int
    code: str
    message: str
    location: str = ""  # where in the request, in the client's terms ("course.months", "q"); "" for the whole


class _Refused(Exception):
    def __init__(self, refusal: Refusal) -> None:
        super().__init__(refusal.message)
        self.refusal = refusal


def _invalid(message: str, location: str = "") -> _Refused:
    return _Refused(Refusal(422, "invalid_input", message, location))


def _child_path(parent: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{parent}[{key}]"
    return f"{parent}.{key}" if parent else key


def _number(kind: type[int] | type[float]) -> Callable[[str], Any]:
    def parse(text: str) -> Any:
        if len(text) > MAX_JSON_NUMBER_CHARS:
            raise _invalid(f"body: a number of {len(text):,} characters; at most {MAX_JSON_NUMBER_CHARS} are accepted")
        return kind(text)

    return parse


def _constant(name: str) -> Any:
    raise _invalid(f"body: {name} is not a number JSON allows")


def _check_json_value(value: object) -> None:
    """Depth and NUL bytes, without recursion (the value may be nested as deeply as the parser allowed).
    A NUL is reported at its path in the body ("course.months"), as a validation error would be."""
    stack: list[tuple[object, int, str]] = [(value, 1, "")]
    while stack:
        item, depth, path = stack.pop()
        if depth > MAX_JSON_DEPTH:
            raise _invalid(f"body: nested more than {MAX_JSON_DEPTH} levels deep", path)
        if isinstance(item, str) and "\x00" in item:
            where = path or "body"
            raise _invalid(f"{where}: text contains a NUL character (\\u0000)", where)
        if isinstance(item, dict):
            for key, child in item.items():
                if "\x00" in key:
                    raise _invalid("body: a field name contains a NUL character (\\u0000)", path or "body")
                stack.append((child, depth + 1, _child_path(path, key)))
        elif isinstance(item, list):
            stack.extend((child, depth + 1, _child_path(path, i)) for i, child in enumerate(item))


def check_json_body(body: bytes) -> None:
    """Refuse a JSON body that is not UTF-8, too deep, holds NUL characters, NaN/Infinity or overlong
    numbers. Malformed JSON is left to the endpoint, which says where it breaks."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _Refused(
            Refusal(400, "bad_request", f"body: not UTF-8 (byte 0x{body[exc.start]:02x} at position {exc.start})")
        ) from None
    try:
        value = json.loads(text, parse_int=_number(int), parse_float=_number(float), parse_constant=_constant)
    except RecursionError:
        raise _invalid(f"body: nested more than {MAX_JSON_DEPTH} levels deep") from None
    except ValueError:
        return  # not JSON at all: the endpoint reports it with its line and column
    _check_json_value(value)


def _check_query(request: HttpRequest) -> None:
    raw = request.META.get("QUERY_STRING", "")
    count = sum(1 for part in raw.split("&") if part)
    if count > MAX_QUERY_PARAMETERS:
        raise _Refused(
            Refusal(400, "bad_request", f"{count:,} query parameters; at most {MAX_QUERY_PARAMETERS} are accepted")
        )
    if "\x00" in request.path:
        raise _invalid("the address contains a NUL character (%00)")
    for name, values in request.GET.lists():
        if "\x00" in name or any("\x00" in v for v in values):
            clean = name.replace(chr(0), "")
            raise _invalid(f"{clean}: contains a NUL character (%00)", clean)


def _check_body(request: HttpRequest) -> None:
    length = request.META.get("CONTENT_LENGTH") or "0"
    size = int(length) if length.isdigit() else 0
    if size > MAX_REQUEST_BODY_BYTES:
        raise _Refused(too_large(size))
    if request.method not in {"POST", "PUT", "PATCH"}:
        return
    content_type = request.content_type or ""
    if content_type == "application/json" or content_type.endswith("+json"):
        check_json_body(request.body)
    elif content_type in {"application/x-www-form-urlencoded", "multipart/form-data"}:
        for name, values in request.POST.lists():
            if "\x00" in name or any("\x00" in v for v in values):
                clean = name.replace(chr(0), "")
                raise _invalid(f"{clean}: contains a NUL character", clean)


def too_large(size: int | None = None) -> Refusal:
    shown = f"{size:,} bytes" if size is not None else "too large"
    return Refusal(
        413,
        "payload_too_large",
        f"the request body is {shown}; at most {MAX_REQUEST_BODY_BYTES // 2**20} MiB "
        f"({MAX_REQUEST_BODY_BYTES:,} bytes) are accepted",
    )


def refusal_response(request: HttpRequest, refusal: Refusal) -> HttpResponse:
    """The API's JSON error shape under /api/, a short page elsewhere."""
    if request.path.startswith("/api/"):
        details = [{"location": refusal.location, "message": refusal.message}] if refusal.location else []
        body = {"error": {"code": refusal.code, "message": refusal.message, "details": details}}
        return JsonResponse(body, status=refusal.status)
    titles = {413: "Too much data", 400: "Bad request", 422: "Cannot use this input"}
    context = {"title": titles.get(refusal.status, "Bad request"), "message": refusal.message}
    return render(request, "ketnav/bad_request.html", context, status=refusal.status)


def refusal_for(exc: SuspiciousOperation) -> Refusal:
    """Django's own refusals (too many form fields, an oversized form) as ours."""
    if isinstance(exc, RequestDataTooBig):
        return too_large()
    return Refusal(400, "bad_request", str(exc) or "the request could not be understood")


class RequestLimitsMiddleware:
    """Checks the limits above on every request before the view (and CSRF) see it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            _check_query(request)
            _check_body(request)
        except _Refused as refused:
            return refusal_response(request, refused.refusal)
        except SuspiciousOperation as exc:
            return refusal_response(request, refusal_for(exc))
        return self.get_response(request)
