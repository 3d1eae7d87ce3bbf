"""Email addresses as account names: one normal form, checked once, so "Ann@X.org" and "ann@x.org"
are one account (and one lockout counter)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator

from ketnav.errors import InvalidInput

MAX_EMAIL_LENGTH = 150  # Django's username column; the email is the username


def normalize_email(raw: str) -> str:
    """Lower-case and trim; raise InvalidInput naming the problem when it is not a usable address."""
    email = (raw or "").strip().lower()
    if not email:
        raise InvalidInput("email: give your email address")
    if len(email) > MAX_EMAIL_LENGTH:
        raise InvalidInput(f"email: at most {MAX_EMAIL_LENGTH} characters")
    try:
        EmailValidator()(email)
    except ValidationError:
        raise InvalidInput(f"email: {raw.strip()!r} is not an email address") from None
    return email


def lookup_key(raw: str) -> str:
    """The form a sign-in attempt is counted and looked up under, even when it is not a valid address."""
    return (raw or "").strip().lower()[: MAX_EMAIL_LENGTH + 1]
