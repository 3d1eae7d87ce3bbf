from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User

from ketnav.accounts.models import Profile


class ProfileInline(admin.StackedInline):  # type: ignore[type-arg]
    model = Profile
    can_delete = False
    fields = ("is_clinician",)


admin.site.unregister(User)


@admin.register(User)
class KetnavUserAdmin(UserAdmin):  # type: ignore[type-arg]
    """Django's user admin, plus the clinician role."""

    inlines = (ProfileInline,)
