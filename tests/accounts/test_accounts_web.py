"""Sign-up, sign-in and out, lockout (site, API and admin), password reset and account deletion."""

from __future__ import annotations

import re

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.models import User
from django.core import mail
from django.test import Client, override_settings

from ketnav.accounts.models import Profile
from tests.accounts.conftest import PASSWORD, csrf_token

pytestmark = pytest.mark.django_db


def signup(client: Client, email: str, password: str = PASSWORD, again: str | None = None, *, understood: bool = True):
    data = {"email": email, "password1": password, "password2": again or password}
    if understood:
        data["understood"] = "on"
    return client.post("/account/signup/", data)


def test_signup_creates_an_account_signs_in_and_opens_the_journal(client: Client) -> None:
    response = signup(client, "  New.Person@Example.ORG ")
    assert response.status_code == 302 and response["Location"] == "/journal/"
    user = User.objects.get()
    assert (user.username, user.email) == ("new.person@example.org", "new.person@example.org")
    assert Profile.objects.get(user=user).is_clinician is False
    page = client.get("/journal/")
    assert "Your journal" in page.content.decode() and "new.person@example.org" in page.content.decode()


@pytest.mark.parametrize(
    ("email", "password", "again", "message"),
    [
        ("a@example.org", "short", None, "too short"),
        ("a@example.org", "password123", None, "too common"),
        ("a@example.org", "83749203847162", None, "entirely numeric"),
        ("a@example.org", PASSWORD, PASSWORD + "x", "not the same"),
        ("not-an-address", PASSWORD, None, "Enter a valid email address"),
    ],
)
def test_signup_rejects_weak_or_mismatched_passwords_and_bad_addresses(
    client: Client, email: str, password: str, again: str | None, message: str
) -> None:
    response = signup(client, email, password, again)
    assert response.status_code == 422
    assert message in response.content.decode()
    assert not User.objects.exists()


def test_signup_requires_the_storage_notice_to_be_ticked(client: Client) -> None:
    response = signup(client, "a@example.org", understood=False)
    assert response.status_code == 422 and not User.objects.exists()


def test_signup_rejects_an_existing_address_in_any_case(client: Client, alice: User) -> None:
    response = signup(client, "ALICE@example.org")
    assert response.status_code == 422
    assert User.objects.count() == 1


@override_settings(KETNAV_SIGNUP=False)
def test_signup_closed_when_the_operator_turns_it_off(client: Client) -> None:
    assert client.get("/account/signup/").status_code == 403
    assert signup(client, "a@example.org").status_code == 403
    assert not User.objects.exists()


def test_sign_in_by_email_in_any_case_and_sign_out(client: Client, alice: User) -> None:
    response = client.post("/account/login/", {"username": "ALICE@example.org", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/journal/"
    assert client.get("/account/").status_code == 200
    assert client.post("/account/logout/").status_code == 302
    assert client.get("/account/")["Location"].startswith("/account/login/")


def test_wrong_password_is_401_with_the_lockout_rule(client: Client, alice: User) -> None:
    response = client.post("/account/login/", {"username": "alice@example.org", "password": "nope"})
    assert response.status_code == 401
    assert "After 10 wrong passwords in a row the account is locked" in response.content.decode()


def test_ten_wrong_passwords_lock_the_account_on_the_site(client: Client, alice: User) -> None:
    statuses = [
        client.post("/account/login/", {"username": "alice@example.org", "password": f"wrong {i}"}).status_code
        for i in range(10)
    ]
    assert statuses == [401] * 9 + [429]
    locked = client.post("/account/login/", {"username": "Alice@Example.org", "password": PASSWORD})
    assert locked.status_code == 429
    assert locked["Retry-After"] == "900"
    assert "locked for 15 minutes" in locked.content.decode()
    assert "_auth_user_id" not in client.session


def test_ten_wrong_passwords_lock_the_django_admin_login_too(client: Client) -> None:
    from ketnav.accounts.services import create_user

    create_user("admin@example.org", PASSWORD, staff=True)
    for i in range(9):
        assert client.post("/admin/login/", {"username": "admin@example.org", "password": f"x{i}"}).status_code == 200
    assert client.post("/admin/login/", {"username": "admin@example.org", "password": "x9"}).status_code == 429
    response = client.post("/admin/login/?next=/admin/", {"username": "admin@example.org", "password": PASSWORD})
    assert response.status_code == 429
    # the attempt made while locked counts as well, and restarts the 15 minutes
    assert AccessAttempt.objects.get(username="admin@example.org").failures_since_start == 11


def test_a_success_resets_the_failure_count(client: Client, alice: User) -> None:
    for i in range(9):
        client.post("/account/login/", {"username": "alice@example.org", "password": f"wrong {i}"})
    assert client.post("/account/login/", {"username": "alice@example.org", "password": PASSWORD}).status_code == 302
    client.post("/account/logout/")
    assert client.post("/account/login/", {"username": "alice@example.org", "password": "wrong"}).status_code == 401


def test_password_reset_by_email_sets_a_new_password_and_unlocks(client: Client, alice: User) -> None:
    for i in range(10):
        client.post("/account/login/", {"username": "alice@example.org", "password": f"wrong {i}"})
    response = client.post("/account/password-reset/", {"email": "alice@example.org"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["alice@example.org"]
    link = re.search(r"http://testserver(/account/password-reset/\S+/)", str(mail.outbox[0].body))
    assert link, mail.outbox[0].body
    form = client.get(link.group(1), follow=True)
    assert form.status_code == 200 and "Choose a new password" in form.content.decode()
    new = "a brand new passphrase 7"
    done = client.post(form.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})
    assert done.status_code == 302
    assert not AccessAttempt.objects.filter(username="alice@example.org").exists()
    assert client.post("/account/login/", {"username": "alice@example.org", "password": new}).status_code == 302


def test_password_reset_for_an_unknown_address_sends_nothing_and_says_the_same(client: Client) -> None:
    response = client.post("/account/password-reset/", {"email": "nobody@example.org"}, follow=True)
    assert "If an account uses that address" in response.content.decode()
    assert mail.outbox == []


def test_delete_account_needs_the_password_then_removes_everything(client: Client, alice: User) -> None:
    client.force_login(alice)
    wrong = client.post("/account/delete/", {"password": "not it"})
    assert wrong.status_code == 422 and User.objects.filter(pk=alice.pk).exists()
    done = client.post("/account/delete/", {"password": PASSWORD})
    assert done.status_code == 200 and "has been deleted" in done.content.decode()
    assert not User.objects.filter(pk=alice.pk).exists()
    assert not Profile.objects.filter(user_id=alice.pk).exists()
    assert client.post("/account/login/", {"username": "alice@example.org", "password": PASSWORD}).status_code == 401


# --- the JSON API -------------------------------------------------------------------------------------


def test_api_csrf_sets_the_cookie_and_returns_the_token(csrf_client: Client) -> None:
    response = csrf_client.get("/api/auth/csrf")
    assert response.status_code == 200
    assert response.cookies["csrftoken"].value
    assert len(response.json()["csrf_token"]) == 64


def test_api_login_requires_csrf(csrf_client: Client, alice: User) -> None:
    body = {"email": "alice@example.org", "password": PASSWORD}
    response = csrf_client.post("/api/auth/login", body, content_type="application/json")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"


def test_api_login_200_401_and_429_while_locked(csrf_client: Client, alice: User) -> None:
    token = csrf_token(csrf_client)

    def login(password: str):
        return csrf_client.post(
            "/api/auth/login",
            {"email": "alice@example.org", "password": password},
            content_type="application/json",
            headers={"X-CSRFToken": token},
        )

    ok = login(PASSWORD)
    assert ok.status_code == 200 and ok.json() == {"email": "alice@example.org", "roles": ["owner"]}
    token = csrf_token(csrf_client)  # the token rotates on sign-in
    assert csrf_client.post("/api/auth/logout", headers={"X-CSRFToken": token}).status_code == 204
    assert csrf_client.get("/api/auth/me").status_code == 401
    token = csrf_token(csrf_client)
    codes = [login(f"wrong {i}").status_code for i in range(10)]
    assert codes == [401] * 9 + [429]
    locked = login(PASSWORD)
    assert locked.status_code == 429
    assert locked.json()["error"]["code"] == "locked_out"


def test_api_delete_account_is_204_and_the_account_is_gone(csrf_client: Client, alice: User) -> None:
    csrf_client.force_login(alice)
    token = csrf_token(csrf_client)
    assert csrf_client.delete("/api/account").status_code == 403  # no CSRF token
    response = csrf_client.delete("/api/account", headers={"X-CSRFToken": token})
    assert response.status_code == 204
    assert not User.objects.filter(pk=alice.pk).exists()
    assert csrf_client.get("/api/auth/me").status_code == 401


def test_api_delete_account_needs_a_session() -> None:
    assert Client().delete("/api/account").status_code in {401, 403}
