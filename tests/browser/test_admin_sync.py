"""Staff fill an empty registry from the browser: the trials page's button, the admin's form, and a
progress page that updates itself until the background sync (against the local stand-in for
ClinicalTrials.gov, serving real records) has finished."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth.models import User
from pytest_django.fixtures import Settings

from ketnav.trials.models import Study, SyncJob
from tests.browser.conftest import screenshot
from tests.trials.ctgov_server import FakeCtgov, serve

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def api(v2_studies: dict[str, dict[str, Any]], settings: Settings) -> Iterator[FakeCtgov]:
    complete = [s for s in v2_studies.values() if "statusModule" in s["protocolSection"]]
    with serve(complete) as server:
        # a pause between pages, as the real client has, so the progress page is seen mid-run
        settings.KETNAV_SYNC_CLIENT = {"api_url": server.url, "min_interval": 0.3, "backoff_base": 0.0}
        yield server


def test_staff_fill_an_empty_registry_and_watch_the_progress(page: Any, api: FakeCtgov) -> None:
    User.objects.create_superuser("admin", "admin@example.org", "a long enough password")
    page.goto("/admin/login/?next=/trials/")
    page.get_by_label("Username").fill("admin")
    page.get_by_label("Password").fill("a long enough password")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/trials/")
    assert page.get_by_role("heading", name="The local registry is empty").is_visible()
    page.get_by_role("link", name="Start a sync now").click()
    page.get_by_label("Chronic pain").uncheck()
    page.get_by_label("Depression").uncheck()
    page.get_by_role("button", name="Start the sync").click()
    page.wait_for_url("**/admin/trials/syncjob/*/change/")
    box = page.locator("[data-sync-status]")
    page.wait_for_selector("[data-sync-status][data-state=completed]", timeout=60_000)
    assert box.locator("[data-field=status]").inner_text() == "completed"
    job = SyncJob.objects.get()
    assert job.scopes == ["ketamine", "anxiety-disorders", "ptsd"]
    assert box.locator("[data-field=inserted]").inner_text() == f"{Study.objects.count():,}"
    assert box.locator("progress").get_attribute("value") == str(job.scope_total)
    assert not box.locator("[data-field=message]").is_visible()  # no error to show
    screenshot(page, "admin-sync-progress")
    page.goto("/trials/?q=ketamine&status=any")
    assert page.locator("article.result").count() >= 1
