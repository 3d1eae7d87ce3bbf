from __future__ import annotations

from typing import TYPE_CHECKING

from django.apps import AppConfig, apps

if TYPE_CHECKING:
    from ketnav.trials.background import SyncLauncher
    from ketnav.trials.eligibility import CriteriaCache


class TrialsConfig(AppConfig):
    name = "ketnav.trials"
    label = "trials"
    verbose_name = "Clinical trials registry"
    sync_launcher: SyncLauncher
    criteria_cache: CriteriaCache

    def ready(self) -> None:
        from ketnav.trials.background import SyncLauncher

        # The one owner of this process's background syncs (and their threads).
        self.sync_launcher = SyncLauncher()
        from ketnav.trials.eligibility import CriteriaCache

        # Parsed eligibility criteria per study, shared by the study pages and the pre-screen API.
        self.criteria_cache = CriteriaCache()


def sync_launcher() -> SyncLauncher:
    config = apps.get_app_config("trials")
    assert isinstance(config, TrialsConfig)
    return config.sync_launcher


def criteria_cache() -> CriteriaCache:
    config = apps.get_app_config("trials")
    assert isinstance(config, TrialsConfig)
    return config.criteria_cache
