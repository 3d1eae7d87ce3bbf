"""Saved trial searches as a watch-list: `ketnav sync` flags studies whose status changed, for the
people watching them, on the journal page and by email when mail is configured."""

from __future__ import annotations

import copy
import datetime as dt
import re
import subprocess
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.test import Client, override_settings

from ketnav.errors import InvalidInput
from ketnav.journal.models import WatchedSearch, WatchFlag
from ketnav.journal.watch import after_sync, save_search
from ketnav.trials.ctgov_client import CtgovClient
from ketnav.trials.models import Study
from ketnav.trials.sync import custom_scope, sync
from tests.conftest import current_database_url, ketnav_cmd
from tests.trials.ctgov_server import FakeCtgov, serve

pytestmark = pytest.mark.django_db(transaction=True)
WATCHED = ("NCT04179266", "NCT04814381", "NCT05477459")


def _status(study: dict[str, Any]) -> dict[str, Any]:
    module: dict[str, Any] = study["protocolSection"]["statusModule"]
    return module


@pytest.fixture
def api(v2_studies: dict[str, dict[str, Any]]) -> Iterator[FakeCtgov]:
    studies = [copy.deepcopy(v2_studies[n]) for n in WATCHED]
    with serve(studies) as server:
        with httpx.Client() as http:
            client = CtgovClient(http, api_url=server.url, min_interval=0.0, backoff_base=0.0, sleep=lambda s: None)
            sync(client, [custom_scope(term="ketamine", condition="", intervention="", statuses=None)])
        yield server


def _now_recruiting(api: FakeCtgov, nct_id: str) -> str:
    """The registry updates one study: it is recruiting now (and its last update is today)."""
    study = next(s for s in api.studies if s["protocolSection"]["identificationModule"]["nctId"] == nct_id)
    old: str = _status(study)["overallStatus"]
    _status(study)["overallStatus"] = "RECRUITING" if old != "RECRUITING" else "COMPLETED"
    _status(study)["lastUpdatePostDateStruct"] = {"date": dt.date.today().isoformat(), "type": "ACTUAL"}
    return old


def test_sync_flags_a_changed_status_for_its_watcher(api: FakeCtgov, alice: User, clean_env: dict[str, str]) -> None:
    assert Study.objects.filter(nct_id__in=WATCHED).count() == 3
    watch = save_search(alice, query="q=ketamine&status=any", label="Ketamine studies", nct_ids=list(WATCHED))
    assert set(watch.statuses) == set(WATCHED)
    old = _now_recruiting(api, WATCHED[1])
    clean_env["KETNAV_DATABASE_URL"] = current_database_url()
    result = subprocess.run(ketnav_cmd("sync", "--term", "ketamine", "--api-url", api.url, "--tries", "2"),
                            env=clean_env, capture_output=True, text=True, timeout=180)  # fmt: skip
    assert result.returncode == 0, result.stderr
    flag = WatchFlag.objects.get()
    assert (flag.nct_id, flag.old_status, flag.watch_id, flag.emailed) == (WATCHED[1], old, watch.pk, False)
    assert flag.new_status == Study.objects.get(nct_id=WATCHED[1]).overall_status
    page = Client()
    page.force_login(alice)
    body = page.get("/journal/").content.decode()
    assert "Trial updates" in body and WATCHED[1] in body and f"is now\n      <strong>{flag.new_status_label}" in body
    page.post("/journal/watch/seen/")
    assert "Trial updates" not in page.get("/journal/").content.decode()
    # a second sync with no change flags nothing new
    assert after_sync().flagged == 0


@override_settings(KETNAV_EMAIL_CONFIGURED=True)
def test_watchers_are_emailed_when_mail_is_configured(api: FakeCtgov, alice: User, bob: User) -> None:
    save_search(alice, query="q=ketamine", label="Mine", nct_ids=list(WATCHED))
    save_search(bob, query="q=other", label="Bob's", nct_ids=[WATCHED[0]])
    Study.objects.filter(nct_id=WATCHED[2]).update(overall_status="ACTIVE_NOT_RECRUITING")
    report = after_sync()
    assert (report.searches, report.flagged, report.emailed, report.mail_failures) == (2, 1, 1, 0)
    [message] = mail.outbox
    assert message.to == ["alice@example.org"] and WATCHED[2] in message.body
    assert "now active not recruiting" in message.body
    assert WatchFlag.objects.get().emailed


def test_no_email_without_mail_settings(api: FakeCtgov, alice: User) -> None:
    save_search(alice, query="q=ketamine", label="Mine", nct_ids=list(WATCHED))
    Study.objects.filter(nct_id=WATCHED[0]).update(overall_status="WITHDRAWN")
    assert after_sync().flagged == 1
    assert mail.outbox == []


def test_saving_a_search_by_form_and_removing_it(api: FakeCtgov, alice: User, bob: User) -> None:
    page = Client()
    page.force_login(alice)
    response = page.post("/journal/watch/", {"query": "?q=ketamine", "label": "  Ketamine  ", "nct": list(WATCHED)})
    assert response.status_code == 302
    watch = WatchedSearch.objects.get(owner=alice)
    assert (watch.label, watch.query, len(watch.statuses)) == ("Ketamine", "q=ketamine", 3)
    other = Client()
    other.force_login(bob)
    assert other.post(f"/journal/watch/{watch.pk}/delete/").status_code == 404
    assert page.post(f"/journal/watch/{watch.pk}/delete/").status_code == 302
    assert not WatchedSearch.objects.exists()


def test_it_rejects_a_malformed_nct_number(alice: User) -> None:
    with pytest.raises(InvalidInput, match="'NCT123' is not an NCT number"):
        save_search(alice, query="q=x", label="x", nct_ids=["NCT123"])
    with pytest.raises(InvalidInput, match="'NCT٠١٢٣٤٥٦٧' is not an NCT number"):
        save_search(alice, query="q=x", label="x", nct_ids=["NCT٠١٢٣٤٥٦٧"])
    assert not WatchedSearch.objects.exists()


def test_the_trial_search_page_offers_to_watch_the_studies_shown(api: FakeCtgov, alice: User) -> None:
    page = Client()
    page.force_login(alice)
    body = page.get("/trials/", {"q": "ketamine", "status": "any"}).content.decode()
    assert "Watch these studies in my journal" in body
    shown = set(re.findall(r'name="nct" value="(NCT\d{8})"', body))
    assert shown == set(WATCHED)
    assert "be told when these studies change status" in Client().get("/trials/", {"q": "ketamine"}).content.decode()
