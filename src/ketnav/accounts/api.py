"""The session-authenticated API for accounts: CSRF token, sign in and out, the current account,
and account deletion. Every write checks CSRF exactly as the forms do."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import authenticate, login, logout
from django.contrib.auth.models import User
from django.http import HttpRequest
from django.middleware.csrf import get_token
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError
from ninja.security import django_auth
from ninja.utils import check_csrf

from ketnav.accounts.emails import lookup_key
from ketnav.accounts.services import account_dict, delete_account
from ketnav.schemas import ErrorOut

auth_router = Router(tags=["accounts"])
account_router = Router(tags=["accounts"])


class CsrfOut(Schema):
    csrf_token: str = Field(description="Send it back in the X-CSRFToken header with every POST, PUT and DELETE.")


class LoginIn(Schema):
    email: str = Field(min_length=1, max_length=254)
    password: str = Field(min_length=1, max_length=4096)


class AccountOut(Schema):
    email: str
    roles: list[str] = Field(description="owner (everyone), clinician, staff")


def _require_csrf(request: HttpRequest) -> None:
    if check_csrf(request) is not None:
        raise HttpError(403, "CSRF check failed: get a token from GET /api/auth/csrf and send it as X-CSRFToken")


@auth_router.get("/csrf", response=CsrfOut, summary="Set the CSRF cookie and return its token")
def csrf(request: HttpRequest) -> dict[str, str]:
    return {"csrf_token": get_token(request)}


@auth_router.post(
    "/login",
    response={200: AccountOut, 401: ErrorOut, 403: ErrorOut, 429: ErrorOut},
    summary="Sign in with email and password (a session cookie)",
    description="401 for a wrong email or password; 429 while the account is locked after repeated failures.",
)
def api_login(request: HttpRequest, body: LoginIn) -> Any:
    _require_csrf(request)
    user = authenticate(request, username=lookup_key(body.email), password=body.password)
    if getattr(request, "axes_locked_out", False):
        return Status(429, _error("locked_out", "Too many wrong passwords: this account is locked for a while."))
    if not isinstance(user, User):
        return Status(401, _error("unauthorized", "That email address and password do not match an account."))
    login(request, user)
    return Status(200, account_dict(user))


@auth_router.post("/logout", response={204: None, 403: ErrorOut}, summary="Sign out (ends the session)")
def api_logout(request: HttpRequest) -> Status[None]:
    _require_csrf(request)
    logout(request)
    return Status(204, None)


@auth_router.get("/me", auth=django_auth, response={200: AccountOut, 401: ErrorOut}, summary="The signed-in account")
def me(request: HttpRequest) -> dict[str, Any]:
    assert isinstance(request.user, User)
    return account_dict(request.user)


@account_router.delete(
    "",
    auth=django_auth,
    response={204: None, 401: ErrorOut, 403: ErrorOut},
    summary="Delete the signed-in account and everything it owns",
)
def api_delete_account(request: HttpRequest) -> Status[None]:
    user = request.user
    assert isinstance(user, User)
    logout(request)
    delete_account(user)
    return Status(204, None)


def _error(code: str, message: str) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "details": []}}
