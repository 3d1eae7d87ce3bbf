"""Writes for accounts: creating one (site sign-up and ``ketnav user create``) and deleting one."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth import password_validation
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, Group, Permission, User
from django.core.exceptions import ValidationError
from django.db import transaction

from ketnav.accounts.emails import lookup_key, normalize_email
from ketnav.accounts.models import Profile
from ketnav.errors import ErrorDetail, InvalidInput

CLINIC_EDITORS = "Clinic directory editors"


@dataclass(frozen=True)
class Roles:
    owner: bool
    clinician: bool
    staff: bool

    def names(self) -> list[str]:
        return [
            name for name, on in (("owner", self.owner), ("clinician", self.clinician), ("staff", self.staff)) if on
        ]


def profile_of(user: User) -> Profile:
    """Every account has a profile; accounts made elsewhere (createsuperuser, the admin) get one on first use."""
    profile, _ = Profile.objects.get_or_create(user=user)
    return profile


def roles_of(user: AbstractBaseUser | AnonymousUser) -> Roles:
    if not isinstance(user, User) or not user.is_authenticated:
        return Roles(owner=False, clinician=False, staff=False)
    return Roles(owner=True, clinician=profile_of(user).is_clinician, staff=user.is_staff)


def account_dict(user: User) -> dict[str, Any]:
    """The account as the API and ``ketnav user create --json`` show it."""
    return {"email": user.email or user.get_username(), "roles": roles_of(user).names()}


def check_password_strength(password: str, *, email: str) -> None:
    """Django's validators (length 10, not common, not all digits, not like the email), as InvalidInput."""
    try:
        password_validation.validate_password(password, user=User(username=email, email=email))
    except ValidationError as exc:
        details = [ErrorDetail("password", str(m)) for m in exc.messages]
        raise InvalidInput(f"password: {exc.messages[0]}", details=details) from None


def create_user(email: str, password: str, *, clinician: bool = False, staff: bool = False) -> User:
    """Create an account; the email must be new and the password must pass the validators."""
    address = normalize_email(email)
    check_password_strength(password, email=address)
    with transaction.atomic():
        if User.objects.filter(username=address).exists():
            raise InvalidInput(f"email: an account for {address} already exists")
        user = User.objects.create_user(username=address, email=address, password=password, is_staff=staff)
        Profile.objects.create(user=user, is_clinician=clinician)
        if staff:
            user.groups.add(clinic_editors())
    return user


def clinic_editors() -> Group:
    """The group that may edit the clinic directory in the admin (staff, in the issue's words)."""
    group, created = Group.objects.get_or_create(name=CLINIC_EDITORS)
    if created:
        group.permissions.set(Permission.objects.filter(content_type__app_label="clinics"))
    return group


def delete_account(user: User) -> None:
    """Delete the account and everything it owns.

    Journal rows, shares, audit events, saved results and watch-lists all reference the user with
    ON DELETE CASCADE; rows where this account was only the *viewer* of someone else's journal keep
    the viewer's email (the owner's audit trail) but lose the link. Failed sign-in records kept by
    django-axes are removed by username.
    """
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    with transaction.atomic():
        key = lookup_key(user.get_username())
        AccessAttempt.objects.filter(username=key).delete()
        AccessFailureLog.objects.filter(username=key).delete()
        AccessLog.objects.filter(username=key).delete()
        user.delete()
