"""Database tables for the local copy of the registry.

One row per study with the columns that filters need, a small summary for result cards, and the raw
source record compressed. The full normalized record is re-derived from the raw record when a page
needs it (about a millisecond), which keeps loads fast and means a better normalizer applies everywhere
at once. Sites have their own table because distance and place filters query them. Writes go through
``ketnav.trials.ingest`` (bulk SQL); these models define the schema and serve reads.
"""

from __future__ import annotations

from django.db import models


class Study(models.Model):
    nct_id = models.CharField(max_length=11, primary_key=True)
    brief_title = models.TextField(blank=True)
    official_title = models.TextField(blank=True)
    acronym = models.CharField(max_length=200, blank=True)
    overall_status = models.CharField(max_length=32, blank=True, db_index=True)
    phases = models.CharField(max_length=64, blank=True, help_text="comma-separated API v2 phase codes")
    study_type = models.CharField(max_length=32, blank=True)
    intervention_types = models.CharField(max_length=255, blank=True, help_text="comma-separated codes")
    start_date = models.DateField(null=True)
    start_date_precision = models.CharField(max_length=5, blank=True)
    primary_completion_date = models.DateField(null=True)
    primary_completion_date_precision = models.CharField(max_length=5, blank=True)
    completion_date = models.DateField(null=True)
    completion_date_precision = models.CharField(max_length=5, blank=True)
    first_posted = models.DateField(null=True)
    first_posted_precision = models.CharField(max_length=5, blank=True)
    last_update = models.DateField(null=True, db_index=True)
    last_update_precision = models.CharField(max_length=5, blank=True)
    enrollment = models.IntegerField(null=True)
    lead_sponsor = models.TextField(blank=True)
    lead_sponsor_class = models.CharField(max_length=32, blank=True)
    minimum_age_years = models.FloatField(null=True)
    maximum_age_years = models.FloatField(null=True)
    sex = models.CharField(max_length=8, blank=True)
    healthy_volunteers = models.BooleanField(null=True)
    has_results = models.BooleanField(default=False)
    countries = models.TextField(blank=True, help_text='"|Canada|United States|": filters and facets without joins')
    condition_terms = models.TextField(blank=True, help_text='"|term|term|": condition MeSH terms, for facets')
    source_format = models.CharField(max_length=8)
    completeness = models.SmallIntegerField(default=0)
    normalizer_version = models.SmallIntegerField(default=1)
    summary = models.JSONField(default=dict, help_text="conditions and interventions, for result cards")
    warnings = models.JSONField(default=list)
    raw = models.BinaryField(help_text="the source record as received, zstd-compressed (ketnav.trials.rawcodec)")
    raw_sha256 = models.CharField(max_length=64)
    source = models.TextField(blank=True, help_text="where this version was loaded from")
    loaded_at = models.DateTimeField()
    load_run_id = models.BigIntegerField(null=True, help_text="the LoadRun that wrote this version")

    class Meta:
        verbose_name_plural = "studies"
        indexes = [models.Index(fields=["start_date"], name="trials_study_start_idx")]

    def __str__(self) -> str:
        return f"{self.nct_id}: {self.brief_title}"


class Site(models.Model):
    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="sites", db_constraint=True)
    position = models.IntegerField(help_text="order in the source record")
    facility = models.TextField(blank=True)
    city = models.CharField(max_length=255, blank=True)
    state = models.CharField(max_length=255, blank=True)
    zip = models.CharField(max_length=32, blank=True)
    country = models.CharField(max_length=128, blank=True)
    status = models.CharField(max_length=32, blank=True)
    latitude = models.FloatField(null=True)
    longitude = models.FloatField(null=True)

    class Meta:
        # One index, covering what the in-memory site points are read from (search/backends/base.py):
        # grouping 13.6 million sites by coordinates reads it in order instead of sorting the table
        # (0.23 vs 0.87 s at 540,000 sites). A first load builds it once at its end (ingest.py). A
        # separate (country, state, city) index as well tripled load times (27 vs 10 microseconds a row).
        indexes = [models.Index(fields=["latitude", "longitude", "status", "study"], name="trials_site_geo_idx")]

    def __str__(self) -> str:
        return f"{self.facility}, {self.city}, {self.country}"


class Place(models.Model):
    """The gazetteer: every (city, state, country) seen among sites with coordinates, and its centre."""

    key = models.CharField(max_length=400, unique=True, help_text="casefolded 'city|state|country'")
    city = models.CharField(max_length=255)
    state = models.CharField(max_length=255, blank=True)
    country = models.CharField(max_length=128)
    latitude_sum = models.FloatField(default=0)
    longitude_sum = models.FloatField(default=0)
    sites = models.IntegerField(default=0)

    def __str__(self) -> str:
        return ", ".join(p for p in (self.city, self.state, self.country) if p)

    @property
    def latitude(self) -> float:
        return self.latitude_sum / self.sites

    @property
    def longitude(self) -> float:
        return self.longitude_sum / self.sites


class Synonym(models.Model):
    """An intervention name and another name for it, as studies declare them (learned synonyms)."""

    name = models.CharField(max_length=255)
    other = models.CharField(max_length=255)
    studies = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["name", "other"], name="trials_synonym_pair")]

    def __str__(self) -> str:
        return f"{self.name} = {self.other}"


class LoadRun(models.Model):
    """One `ketnav load` or `ketnav sync`: lets a rerun see that an earlier one was interrupted."""

    kind = models.CharField(max_length=8)  # load | sync
    sources = models.JSONField(default=list)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True)
    status = models.CharField(max_length=16, default="running")  # running | completed | failed
    summary = models.JSONField(default=dict)

    def __str__(self) -> str:
        return f"{self.kind} {self.started_at:%Y-%m-%d %H:%M} {self.status}"


class SyncCursor(models.Model):
    """Where a sync of one scope stands: resumes from the saved page token after an interruption."""

    scope = models.CharField(max_length=255, unique=True)
    params = models.JSONField(default=dict)
    page_token = models.TextField(blank=True)
    since = models.DateField(null=True, help_text="only studies updated on or after this date")
    high_water = models.DateField(null=True, help_text="newest last-update date seen in the current pass")
    pages_done = models.IntegerField(default=0)
    studies_seen = models.IntegerField(default=0)
    status = models.CharField(max_length=16, default="idle")  # idle | running | interrupted
    updated_at = models.DateTimeField(auto_now=True)
    last_completed_at = models.DateTimeField(null=True)

    def __str__(self) -> str:
        return self.scope


class SyncJob(models.Model):
    """A registry sync that staff started from the admin, run in the background by the web server.

    The row is the progress display's source: the background thread writes it after every page, the
    admin's progress page (and the trials page) read it. ``heartbeat_at`` tells a live run from one
    whose server stopped: a run silent for longer than ``ketnav.trials.background.STALE_AFTER`` is
    shown as interrupted (its sync cursors let the next run resume where it stopped)."""

    STATUSES = ("queued", "running", "completed", "failed", "interrupted")

    scopes = models.JSONField(default=list, help_text="names of the scopes to sync, in order")
    status = models.CharField(max_length=16, default="queued")
    requested_by = models.CharField(max_length=150, blank=True, help_text="the staff user who started it")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True)
    finished_at = models.DateTimeField(null=True)
    heartbeat_at = models.DateTimeField(null=True)
    current_scope = models.CharField(max_length=255, blank=True)
    scopes_done = models.IntegerField(default=0)
    pages = models.IntegerField(default=0)
    fetched = models.IntegerField(default=0, help_text="studies received, all scopes")
    scope_fetched = models.IntegerField(default=0, help_text="studies received in the current scope")
    scope_total = models.IntegerField(null=True, help_text="studies the registry has for the current scope")
    inserted = models.IntegerField(default=0)
    updated = models.IntegerField(default=0)
    unchanged = models.IntegerField(default=0)
    rejected = models.IntegerField(default=0)
    message = models.TextField(blank=True, help_text="why a failed run stopped")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "registry sync"

    def __str__(self) -> str:
        return f"sync {self.created_at:%Y-%m-%d %H:%M} {self.status}"
