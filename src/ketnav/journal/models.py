"""Journal tables. Every row has an ``owner``; every read and write goes through
``ketnav.journal.selectors``/``services``, which filter by owner, so another person's ids are 404.

All owner keys are ON DELETE CASCADE: deleting an account deletes every row here that it owns.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

OWNER = settings.AUTH_USER_MODEL


class TreatmentSession(models.Model):
    owner = models.ForeignKey(OWNER, on_delete=models.CASCADE, related_name="journal_sessions")
    started_at = models.DateTimeField()
    route = models.CharField(max_length=16)
    dose = models.CharField(max_length=200, blank=True, help_text="as the clinic wrote it, e.g. 0.5 mg/kg over 40 min")
    clinic = models.CharField(max_length=200, blank=True)
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["owner", "started_at"], name="journal_session_owner_idx")]

    def __str__(self) -> str:
        return f"session {self.started_at:%Y-%m-%d %H:%M} ({self.route})"


class ScaleResult(models.Model):
    owner = models.ForeignKey(OWNER, on_delete=models.CASCADE, related_name="journal_scales")
    scale = models.CharField(max_length=8)
    answers = models.JSONField(help_text="item scores in item order, as answered")
    total = models.SmallIntegerField()
    severity = models.CharField(max_length=64)
    taken_on = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-taken_on", "-id"]
        indexes = [models.Index(fields=["owner", "scale", "taken_on"], name="journal_scale_owner_idx")]

    def __str__(self) -> str:
        return f"{self.scale} {self.total} on {self.taken_on}"


class SideEffectReport(models.Model):
    owner = models.ForeignKey(OWNER, on_delete=models.CASCADE, related_name="journal_side_effects")
    session_end = models.DateTimeField()
    noticed_at = models.DateTimeField()
    effects = models.JSONField(help_text="effect ids from the safety vocabulary (ketnav.safety.side_effects)")
    level = models.CharField(max_length=16, help_text="the most serious triage level: urgent, report or expected")
    triage = models.JSONField(help_text="the triage result as shown when it was recorded")
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-noticed_at", "-id"]

    def __str__(self) -> str:
        return f"side effects {self.noticed_at:%Y-%m-%d} ({self.level})"


class VitalSigns(models.Model):
    owner = models.ForeignKey(OWNER, on_delete=models.CASCADE, related_name="journal_vitals")
    measured_at = models.DateTimeField()
    systolic = models.SmallIntegerField(help_text="mmHg")
    diastolic = models.SmallIntegerField(help_text="mmHg")
    heart_rate = models.SmallIntegerField(null=True, blank=True, help_text="beats per minute")
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-measured_at", "-id"]
        verbose_name_plural = "vital signs"

    def __str__(self) -> str:
        return f"{self.systolic}/{self.diastolic} at {self.measured_at:%Y-%m-%d %H:%M}"


class Note(models.Model):
    owner = models.ForeignKey(OWNER, on_delete=models.CASCADE, related_name="journal_notes")
    written_at = models.DateTimeField()
    text = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-written_at", "-id"]

    def __str__(self) -> str:
        return f"note {self.written_at:%Y-%m-%d}"


class Share(models.Model):
    """Read-only access to the owner's journal for one clinician, until the owner revokes it."""

    owner = models.ForeignKey(OWNER, on_delete=models.CASCADE, related_name="journal_shares")
    clinician = models.ForeignKey(OWNER, on_delete=models.CASCADE, related_name="journals_shared_with_me")
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "clinician"],
                condition=models.Q(revoked_at__isnull=True),
                name="journal_one_active_share",
            )
        ]

    def __str__(self) -> str:
        return f"share #{self.pk}"


class AuditEvent(models.Model):
    """Something the owner should be able to see: who viewed or exported their journal, and when."""

    owner = models.ForeignKey(OWNER, on_delete=models.CASCADE, related_name="journal_audit")
    actor = models.ForeignKey(OWNER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    actor_email = models.CharField(max_length=254, help_text="kept if the actor's account is later deleted")
    action = models.CharField(max_length=32)
    detail = models.CharField(max_length=200, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["owner", "at"], name="journal_audit_owner_idx")]

    def __str__(self) -> str:
        return f"{self.action} by {self.actor_email} at {self.at}"


class SavedResult(models.Model):
    """An aftercare plan or a safety-screen summary the owner chose to keep (never stored otherwise)."""

    owner = models.ForeignKey(OWNER, on_delete=models.CASCADE, related_name="journal_saved")
    kind = models.CharField(max_length=16)
    title = models.CharField(max_length=200)
    data = models.JSONField()
    saved_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-saved_at", "-id"]

    def __str__(self) -> str:
        return self.title


class WatchedSearch(models.Model):
    """A saved trial search: after each sync, studies in it whose status changed are flagged."""

    owner = models.ForeignKey(OWNER, on_delete=models.CASCADE, related_name="journal_watches")
    label = models.CharField(max_length=200)
    query = models.CharField(max_length=2000, help_text="the trial search page's query string")
    statuses = models.JSONField(default=dict, help_text="NCT id -> overall status when last checked")
    created_at = models.DateTimeField(auto_now_add=True)
    checked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.label


class WatchFlag(models.Model):
    watch = models.ForeignKey(WatchedSearch, on_delete=models.CASCADE, related_name="flags")
    nct_id = models.CharField(max_length=11)
    title = models.TextField(blank=True)
    old_status = models.CharField(max_length=32, blank=True)
    new_status = models.CharField(max_length=32)
    flagged_at = models.DateTimeField(auto_now_add=True)
    seen = models.BooleanField(default=False)
    emailed = models.BooleanField(default=False)

    class Meta:
        ordering = ["-flagged_at", "-id"]

    def __str__(self) -> str:
        return f"{self.nct_id}: {self.old_status} -> {self.new_status}"

    @property
    def new_status_label(self) -> str:
        return status_label(self.new_status)

    @property
    def old_status_label(self) -> str:
        return status_label(self.old_status)


def status_label(code: str) -> str:
    """RECRUITING -> "recruiting", NOT_YET_RECRUITING -> "not yet recruiting"."""
    return code.replace("_", " ").lower() if code else "unknown"
