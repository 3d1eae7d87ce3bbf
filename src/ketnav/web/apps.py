from __future__ import annotations

from typing import TYPE_CHECKING

from django.apps import AppConfig

if TYPE_CHECKING:
    from ketnav.web.activity import RequestActivity


class WebConfig(AppConfig):
    name = "ketnav.web"
    label = "web"
    verbose_name = "Ketamine Navigator"
    activity: RequestActivity

    def ready(self) -> None:
        from ketnav.web.activity import RequestActivity

        # This process's requests in flight: background warm-ups wait for a quiet moment (see activity.py).
        self.activity = RequestActivity()
