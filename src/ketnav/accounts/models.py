"""What an account is beyond Django's User: its roles.

People sign in with Django's own ``User``: the username is the lower-cased email address, so the
standard backend, admin, password reset and django-axes all work unchanged, and existing databases
need no user-model swap. A person is always the owner of their own journal; ``is_clinician`` lets
others share their journal with this account (read-only); Django's ``is_staff`` marks the people
who manage the clinic directory.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Profile(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="ketnav_profile")
    is_clinician = models.BooleanField(
        default=False, help_text="Patients can share their journal with this account, read-only, until they revoke it."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"profile of {self.user}"
