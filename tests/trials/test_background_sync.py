"""A registry sync started by staff from the admin, run in a background thread of the server, against
the local stand-in for ClinicalTrials.gov serving real records (tests/trials/ctgov_server.py)."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone
from pytest_django.fixtures import Settings as SettingsWrapper

from ketnav.errors import InvalidInput
from ketnav.trials.apps import sync_launcher
from ketnav.trials.background import STALE_AFTER, active_job, interrupted_by_restart
from ketnav.trials.models import Study, SyncJob
from ketnav.trials.sync import DEFAULT_SCOPES
from tests.trials.ctgov_server import FakeCtgov, serve

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def api(v2_studies: dict[str, dict[str, Any]], settings: SettingsWrapper) -> Iterator[FakeCtgov]:
    complete = [s for s in v2_studies.values() if "statusModule" in s["protocolSection"]]
    with serve(complete) as server:
        # The admin's sync client, pointed at the stand-in and without the 1.3 s pause between pages.
        settings.KETNAV_SYNC_CLIENT = {"api_url": server.url, "min_interval": 0.0, "backoff_base": 0.0}
        yield server


@pytest.fixture
def staff(client: Client) -> Client:
    # force_login: django-axes (issue 19) refuses Client.login, which authenticates without a request
    client.force_login(User.objects.create_superuser("admin", "admin@example.org", "a long enough password"))
    return client


def wait_for(job_id: int) -> SyncJob:
    assert sync_launcher().join(job_id, timeout=120), "the background sync did not finish"
    return SyncJob.objects.get(pk=job_id)


def expected_ids(api: FakeCtgov, names: list[str]) -> set[str]:
    return {
        s["protocolSection"]["identificationModule"]["nctId"]
        for scope in DEFAULT_SCOPES
        if scope.name in names
        for s in api.matching(scope.params)
    }


def test_staff_start_a_sync_from_the_admin_and_watch_it_finish(staff: Client, api: FakeCtgov) -> None:
    listing = staff.get("/admin/trials/syncjob/").content.decode()
    assert "Sync from ClinicalTrials.gov" in listing
    form = staff.get("/admin/trials/syncjob/add/").content.decode()
    assert "Start the sync" in form and 'value="ketamine" checked' in form
    response = staff.post("/admin/trials/syncjob/add/", {"scope": ["ketamine", "ptsd"]})
    assert response.status_code == 302
    job = SyncJob.objects.get()
    assert response["Location"] == f"/admin/trials/syncjob/{job.pk}/change/"
    job = wait_for(job.pk)
    stored = set(Study.objects.values_list("nct_id", flat=True))
    assert stored == expected_ids(api, ["ketamine", "ptsd"]) and "NCT04179266" in stored
    assert (job.status, job.scopes, job.requested_by) == ("completed", ["ketamine", "ptsd"], "admin")
    assert job.inserted == len(stored) and job.scopes_done == 2 and job.fetched >= len(stored)
    status = staff.get(f"/admin/trials/syncjob/{job.pk}/status.json").json()
    assert status["status"] == "completed" and status["inserted"] == len(stored) and status["rate"] > 0
    page = staff.get(f"/admin/trials/syncjob/{job.pk}/change/").content.decode()
    assert f'data-sync-status="/admin/trials/syncjob/{job.pk}/status.json"' in page
    assert "<progress" in page and "completed" in page


def test_progress_is_written_after_every_page(
    api: FakeCtgov, settings: SettingsWrapper, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ketnav.trials import ctgov_client

    monkeypatch.setattr(ctgov_client, "PAGE_SIZE", 5)  # several pages, so progress is seen mid-run
    settings.KETNAV_SYNC_CLIENT = {**settings.KETNAV_SYNC_CLIENT, "min_interval": 0.2}
    depression = next(s for s in DEFAULT_SCOPES if s.name == "depression")
    total = len(api.matching(depression.params))
    assert total > 10
    job = sync_launcher().start(scope_names=["depression"], requested_by="tester")
    seen: list[tuple[str, int]] = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        row = SyncJob.objects.get(pk=job.pk)
        seen.append((row.status, row.scope_fetched))
        if row.status not in {"queued", "running"}:
            break
        time.sleep(0.02)
    final = wait_for(job.pk)
    assert final.status == "completed"
    assert final.pages == -(-total // 5) and final.scope_total == total == final.scope_fetched
    assert any(status == "running" and 0 < fetched < total for status, fetched in seen), seen


def test_background_sync_records_why_it_failed(api: FakeCtgov, settings: SettingsWrapper) -> None:
    settings.KETNAV_SYNC_CLIENT = {**settings.KETNAV_SYNC_CLIENT, "max_attempts": 2}
    api.fail_next(503, count=2)
    job = wait_for(sync_launcher().start(scope_names=["ketamine"], requested_by="tester").pk)
    assert job.status == "failed"
    assert "ClinicalTrials.gov is unavailable" in job.message and "503" in job.message
    assert job.finished_at is not None


def test_it_refuses_a_second_sync_while_one_runs(staff: Client, api: FakeCtgov) -> None:
    SyncJob.objects.create(scopes=["ketamine"], status="running", heartbeat_at=timezone.now(), requested_by="other")
    with pytest.raises(InvalidInput, match="already running"):
        sync_launcher().start(scope_names=["ketamine"], requested_by="tester")
    response = staff.post("/admin/trials/syncjob/add/", {"scope": ["ketamine"]}, follow=True)
    assert "already running" in response.content.decode()
    assert SyncJob.objects.count() == 1


def test_it_rejects_an_unknown_or_empty_scope(api: FakeCtgov) -> None:
    with pytest.raises(InvalidInput, match="unknown scope cancer"):
        sync_launcher().start(scope_names=["cancer"], requested_by="tester")
    with pytest.raises(InvalidInput, match="choose at least one scope"):
        sync_launcher().start(scope_names=[], requested_by="tester")
    assert not SyncJob.objects.exists()


def test_a_run_whose_server_stopped_is_shown_as_interrupted(api: FakeCtgov) -> None:
    old = timezone.now() - STALE_AFTER - dt.timedelta(minutes=1)
    stale = SyncJob.objects.create(scopes=["ketamine"], status="running", heartbeat_at=old)
    assert active_job() is None
    stale.refresh_from_db()
    assert stale.status == "interrupted"
    job = wait_for(sync_launcher().start(scope_names=["ketamine"], requested_by="tester").pk)
    assert job.status == "completed"


def test_a_server_restart_marks_its_unfinished_runs_interrupted(api: FakeCtgov) -> None:
    running = SyncJob.objects.create(scopes=["ketamine"], status="running", heartbeat_at=timezone.now())
    done = SyncJob.objects.create(scopes=["ketamine"], status="completed", heartbeat_at=timezone.now())
    assert interrupted_by_restart() == 1
    running.refresh_from_db()
    done.refresh_from_db()
    assert (running.status, done.status) == ("interrupted", "completed")
    assert "restarted" in running.message and active_job() is None


def test_only_staff_reach_the_sync_pages(client: Client, api: FakeCtgov) -> None:
    for url in ("/admin/trials/syncjob/add/", "/admin/trials/syncjob/1/status.json"):
        response = client.get(url)
        assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert client.post("/admin/trials/syncjob/add/", {"scope": ["ketamine"]}).status_code == 302
    assert not SyncJob.objects.exists()


def test_empty_trials_page_offers_staff_the_button_and_others_the_commands(staff: Client, api: FakeCtgov) -> None:
    html = staff.get("/trials/").content.decode()
    assert "The local registry is empty" in html
    assert 'href="/admin/trials/syncjob/add/">Start a sync now' in html
    assert "sh scripts/ketnav sync" in html  # the self-hoster's instructions stay
    staff.logout()
    html = staff.get("/trials/").content.decode()
    assert "Start a sync now" not in html and "sh scripts/ketnav sync" in html
    assert "ask them to load the registry" in html


def test_trials_page_says_a_sync_is_running(client: Client, api: FakeCtgov) -> None:
    SyncJob.objects.create(
        scopes=["ketamine"], status="running", heartbeat_at=timezone.now(), fetched=1234, current_scope="ketamine"
    )
    html = client.get("/trials/").content.decode()
    assert "The registry is being updated from ClinicalTrials.gov" in html and "1,234 studies received" in html
