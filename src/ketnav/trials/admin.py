"""The admin's registry page: staff start a ClinicalTrials.gov sync with one button and watch it run.

The sync runs in a background thread of the web server (``ketnav.trials.background``); the progress
page shows the job row and, with JavaScript, refreshes itself from a small JSON view every 1.5 s.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse

from ketnav.errors import InvalidInput
from ketnav.trials.apps import sync_launcher
from ketnav.trials.background import active_job, job_dict, mark_stale_jobs
from ketnav.trials.models import Study, SyncJob
from ketnav.trials.sync import DEFAULT_SCOPES

SCOPE_LABELS = {
    "ketamine": "Ketamine and esketamine studies (any condition)",
    "anxiety-disorders": "Anxiety disorders",
    "ptsd": "Post-traumatic stress disorder",
    "depression": "Depression",
    "chronic-pain": "Chronic pain",
}


@admin.register(SyncJob)
class SyncJobAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("created_at", "status", "scope_list", "fetched", "inserted", "updated", "requested_by")
    list_filter = ("status",)
    change_list_template = "trials/admin/sync_change_list.html"

    @admin.display(description="scopes")
    def scope_list(self, job: SyncJob) -> str:
        return ", ".join(job.scopes)

    def get_urls(self) -> list[URLPattern]:
        own = [
            path(
                "<int:job_id>/status.json",
                self.admin_site.admin_view(self.status_view),
                name="trials_syncjob_status",
            )
        ]
        return own + super().get_urls()

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # a run is a record: it is watched, never edited

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        mark_stale_jobs()
        return super().changelist_view(request, {**(extra_context or {}), "running": active_job()})

    def add_view(
        self, request: HttpRequest, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        """The "start a sync" form (GET) and starting it (POST)."""
        if not self.has_add_permission(request):
            return HttpResponseRedirect(reverse("admin:index"))
        chosen = request.POST.getlist("scope") if request.method == "POST" else [s.name for s in DEFAULT_SCOPES]
        if request.method == "POST":
            try:
                job = sync_launcher().start(scope_names=chosen, requested_by=request.user.get_username())
            except InvalidInput as exc:
                messages.error(request, exc.message)
            else:
                return HttpResponseRedirect(reverse("admin:trials_syncjob_change", args=[job.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Sync the registry from ClinicalTrials.gov",
            "scopes": [(s.name, SCOPE_LABELS.get(s.name, s.name), s.name in chosen) for s in DEFAULT_SCOPES],
            "running": active_job(),
            "registry_size": Study.objects.count(),
        }
        return TemplateResponse(request, "trials/admin/sync_start.html", context)

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        """A run's progress page."""
        if not self.has_view_permission(request):
            return HttpResponseRedirect(reverse("admin:index"))
        mark_stale_jobs()
        job = get_object_or_404(SyncJob, pk=object_id)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"Registry sync {job.pk}",
            "job": job,
            "run": job_dict(job),
            "scope_labels": [SCOPE_LABELS.get(n, n) for n in job.scopes],
            "status_url": reverse("admin:trials_syncjob_status", args=[job.pk]),
        }
        return TemplateResponse(request, "trials/admin/sync_progress.html", context)

    def status_view(self, request: HttpRequest, job_id: int) -> JsonResponse:
        if not self.has_view_permission(request):
            return JsonResponse({"error": {"code": "forbidden", "message": "staff only", "details": []}}, status=403)
        mark_stale_jobs()
        return JsonResponse(job_dict(get_object_or_404(SyncJob, pk=job_id)))
