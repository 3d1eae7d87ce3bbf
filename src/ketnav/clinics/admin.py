from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from ketnav.clinics.models import Clinic


@admin.register(Clinic)
class ClinicAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("name", "location", "published", "updated_at")
    list_filter = ("published",)
    search_fields = ("name", "location")
    readonly_fields = ("name", "location", "created_at", "updated_at")
    fields = ("profile", "published", "name", "location", "created_at", "updated_at")
    actions = ("publish", "unpublish")

    @admin.action(description="Publish the selected clinics in the directory")
    def publish(self, request: HttpRequest, queryset: QuerySet[Clinic]) -> None:
        for clinic in queryset:
            clinic.published = True
            clinic.save()

    @admin.action(description="Withdraw the selected clinics from the directory")
    def unpublish(self, request: HttpRequest, queryset: QuerySet[Clinic]) -> None:
        queryset.update(published=False)
