from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from django.apps import AppConfig, apps

if TYPE_CHECKING:
    from ketnav.trials.background import SyncLauncher
    from ketnav.trials.eligibility import CriteriaCache


class TrialsConfig(AppConfig):
    """Owns this process's background syncs and parsed-criteria cache, each made on first use: every
    `ketnav` command starts Django, and importing the sync machinery and the eligibility rules at start-up
    cost a `ketnav search` about a tenth of a second it never needed."""

    name = "ketnav.trials"
    label = "trials"
    verbose_name = "Clinical trials registry"

    def ready(self) -> None:
        self._lock = threading.Lock()
        self._sync_launcher: SyncLauncher | None = None
        self._criteria_cache: CriteriaCache | None = None

    @property
    def sync_launcher(self) -> SyncLauncher:
        """The one owner of this process's background syncs (and their threads)."""
        with self._lock:
            if self._sync_launcher is None:
                from ketnav.trials.background import SyncLauncher

                self._sync_launcher = SyncLauncher()
            return self._sync_launcher

    @property
    def criteria_cache(self) -> CriteriaCache:
        """Parsed eligibility criteria per study, shared by the study pages, the pre-screen API and search."""
        with self._lock:
            if self._criteria_cache is None:
                from ketnav.trials.eligibility import CriteriaCache

                self._criteria_cache = CriteriaCache()
            return self._criteria_cache


def sync_launcher() -> SyncLauncher:
    config = apps.get_app_config("trials")
    assert isinstance(config, TrialsConfig)
    return config.sync_launcher


def criteria_cache() -> CriteriaCache:
    config = apps.get_app_config("trials")
    assert isinstance(config, TrialsConfig)
    return config.criteria_cache
