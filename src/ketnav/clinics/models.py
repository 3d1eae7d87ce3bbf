"""Published clinic profiles for a self-hosted directory (edited and published through the admin)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models

from ketnav.clinics.fields import check, known_only
from ketnav.clinics.profile import Clinic as ClinicProfile
from ketnav.errors import InvalidInput


class Clinic(models.Model):
    name = models.CharField(max_length=200)
    location = models.CharField(max_length=200, blank=True)
    profile = models.JSONField(
        help_text="The clinic's profile and dated price list, in the same JSON shape as an import file."
    )
    published = models.BooleanField(default=False, help_text="Shown in the public directory and the API.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.clean()  # fills the name and location from the profile before the field checks
        self.full_clean()
        super().save(*args, **kwargs)

    def clean(self) -> None:
        """The profile is checked by the same schema as imports; the name and location follow it."""
        try:
            profile = check(ClinicProfile, self.profile, prefix="profile.")
        except InvalidInput as exc:
            problems = [f"{d.location}: {d.message}" for d in exc.details] or [exc.message]
            raise ValidationError({"profile": problems}) from None
        self.name, self.location = profile.name, profile.location

    def as_profile(self) -> ClinicProfile:
        """The stored profile; keys older versions ignored (and so stored) are passed over."""
        return check(ClinicProfile, known_only(ClinicProfile, self.profile), prefix=f"{self.name or 'clinic'}: ")
