"""A clinic comparison belongs to the account when its owner asks (issue 19): saved from the worksheet
in this browser, listed in the journal, opened again in another browser, and never someone else's."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.test import Client

from ketnav.journal.models import SavedResult

pytestmark = pytest.mark.django_db
EXAMPLE_QUOTES = Path(__file__).parents[1] / "clinics" / "example_quotes.json"


def _with_worksheet(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    with EXAMPLE_QUOTES.open("rb") as handle:
        assert client.post("/clinics/import/", {"file": handle}).status_code == 302
    return client


def _worksheet_json(client: Client) -> bytes:
    return client.get("/clinics/export.json").content


def test_a_signed_in_person_saves_the_comparison_and_opens_it_in_another_browser(alice: User) -> None:
    first = _with_worksheet(alice)
    page = first.get("/clinics/").content.decode()
    assert "Save this comparison to my account" in page
    response = first.post("/journal/save/clinics/")
    assert response.status_code == 302 and response["Location"].endswith("#saved")
    saved = SavedResult.objects.get(owner=alice, kind="clinics")
    names = [c["name"] for c in saved.data["clinics"]]
    assert names and all(name in saved.title for name in names)
    assert "Open in the worksheet" in first.get("/journal/").content.decode()

    second = Client()  # another browser: its own, empty session
    second.force_login(alice)
    assert "Side by side" in second.get("/clinics/").content.decode()
    assert _worksheet_json(second) != _worksheet_json(first)
    opened = second.post(f"/journal/saved/{saved.pk}/open/")
    assert opened.status_code == 302 and opened["Location"].startswith("/clinics/")
    assert _worksheet_json(second) == _worksheet_json(first)


def test_an_empty_worksheet_is_not_saved(alice: User) -> None:
    client = Client()
    client.force_login(alice)
    response = client.post("/journal/save/clinics/", follow=True)
    assert "the clinic worksheet is empty" in response.content.decode()
    assert not SavedResult.objects.filter(owner=alice).exists()


def test_nothing_is_stored_for_anonymous_use_and_another_person_cannot_open_it(alice: User, bob: User) -> None:
    anonymous = _with_worksheet(None)
    assert "to keep this comparison with your account" in anonymous.get("/clinics/").content.decode()
    response = anonymous.post("/journal/save/clinics/")
    assert response.status_code == 302 and response["Location"].startswith("/account/login/")
    assert not SavedResult.objects.exists()

    _with_worksheet(alice).post("/journal/save/clinics/")
    saved = SavedResult.objects.get(owner=alice)
    as_bob = Client()
    as_bob.force_login(bob)
    assert as_bob.post(f"/journal/saved/{saved.pk}/open/").status_code == 404
    aftercare = SavedResult.objects.create(owner=alice, kind="aftercare", title="plan", data={})
    client = Client()
    client.force_login(alice)
    assert client.post(f"/journal/saved/{aftercare.pk}/open/").status_code == 404  # only comparisons open
