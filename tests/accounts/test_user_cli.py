"""`ketnav user` as an operator runs it, and the real (not test) settings: argon2, cookies, mail."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.hashers import Argon2PasswordHasher
from django.contrib.auth.models import User

from ketnav.accounts.models import Profile
from ketnav.config import load_settings
from ketnav.errors import ConfigurationError
from tests.conftest import current_database_url, ketnav_cmd

PASSWORD = "a long enough passphrase 9"


@pytest.fixture
def env(clean_env: dict[str, str]) -> dict[str, str]:
    clean_env["KETNAV_DATABASE_URL"] = current_database_url()
    return clean_env


def ketnav(env: dict[str, str], *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(ketnav_cmd(*args), env=env, input=stdin, capture_output=True, text=True, timeout=120)


@pytest.mark.django_db(transaction=True)
def test_user_create_reads_the_password_from_stdin_and_hashes_it_with_argon2(env: dict[str, str]) -> None:
    result = ketnav(env, "user", "create", "Dr.Who@Clinic.example", "--clinician", "--password-stdin", "--json",
                    stdin=PASSWORD + "\n")  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"email": "dr.who@clinic.example", "roles": ["owner", "clinician"]}
    user = User.objects.get(username="dr.who@clinic.example")
    # the subprocess ran the real settings: argon2id first (the test settings use MD5 for speed)
    assert user.password.startswith("argon2$argon2id$")
    assert Argon2PasswordHasher().verify(PASSWORD, user.password)
    assert not Argon2PasswordHasher().verify(PASSWORD + "x", user.password)
    assert Profile.objects.get(user=user).is_clinician and not user.is_staff


@pytest.mark.django_db(transaction=True)
def test_user_create_staff_may_edit_the_clinic_directory(env: dict[str, str]) -> None:
    result = ketnav(env, "user", "create", "editor@clinic.example", "--staff", "--password-stdin", stdin=PASSWORD)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "created editor@clinic.example (owner, staff)"
    user = User.objects.get(username="editor@clinic.example")
    assert user.is_staff and user.has_perm("clinics.change_clinic") and not user.has_perm("auth.change_user")


@pytest.mark.django_db(transaction=True)
def test_user_create_rejects_a_duplicate_a_weak_password_and_empty_stdin(env: dict[str, str]) -> None:
    assert ketnav(env, "user", "create", "a@example.org", "--password-stdin", stdin=PASSWORD).returncode == 0
    dup = ketnav(env, "user", "create", "A@example.org", "--password-stdin", stdin=PASSWORD)
    assert (dup.returncode, dup.stderr.strip()) == (
        2,
        "ketnav: error: email: an account for a@example.org already exists",
    )
    weak = ketnav(env, "user", "create", "b@example.org", "--password-stdin", stdin="12345")
    assert weak.returncode == 2 and weak.stderr.startswith("ketnav: error: password: This password is too short.")
    empty = ketnav(env, "user", "create", "c@example.org", "--password-stdin", stdin="")
    assert empty.returncode == 2 and "standard input is empty" in empty.stderr
    bad = ketnav(env, "user", "create", "not an address", "--password-stdin", stdin=PASSWORD)
    assert bad.returncode == 2 and "is not an email address" in bad.stderr
    assert User.objects.count() == 1


def test_user_create_never_takes_the_password_as_an_argument(clean_env: dict[str, str]) -> None:
    result = ketnav(clean_env, "user", "create", "a@example.org")
    assert result.returncode == 2
    assert "the following arguments are required: --password-stdin" in result.stderr


@pytest.mark.django_db(transaction=True)
def test_user_unlock_ends_a_lockout(env: dict[str, str]) -> None:
    from axes.models import AccessAttempt

    AccessAttempt.objects.create(username="a@example.org", failures_since_start=10, ip_address="127.0.0.1")
    result = ketnav(env, "user", "unlock", "A@example.org")
    assert (result.returncode, result.stdout.strip()) == (0, "unlocked a@example.org")
    assert not AccessAttempt.objects.exists()
    again = ketnav(env, "user", "unlock", "a@example.org")
    assert again.stdout.strip() == "a@example.org was not locked"


def _real_settings(env: dict[str, str], *names: str) -> dict[str, object]:
    code = (
        f"import json, ketnav.web.settings as s; print(json.dumps({{n: getattr(s, n, None) for n in {list(names)!r}}}))"
    )
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    result: dict[str, object] = json.loads(out.stdout)
    return result


def test_real_settings_hash_with_argon2_first(clean_env: dict[str, str]) -> None:
    values = _real_settings(clean_env, "PASSWORD_HASHERS", "AUTHENTICATION_BACKENDS", "AXES_FAILURE_LIMIT")
    assert values["PASSWORD_HASHERS"][0] == "django.contrib.auth.hashers.Argon2PasswordHasher"  # type: ignore[index]
    assert values["AUTHENTICATION_BACKENDS"][0] == "axes.backends.AxesStandaloneBackend"  # type: ignore[index]
    assert values["AXES_FAILURE_LIMIT"] == 10


def test_production_mode_makes_session_and_csrf_cookies_secure_and_httponly(clean_env: dict[str, str]) -> None:
    clean_env |= {"KETNAV_MODE": "production", "KETNAV_SECRET_KEY": "x" * 50, "KETNAV_ALLOWED_HOSTS": "example.org"}
    values = _real_settings(clean_env, "SESSION_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY", "CSRF_COOKIE_SECURE")
    assert values == {"SESSION_COOKIE_SECURE": True, "SESSION_COOKIE_HTTPONLY": True, "CSRF_COOKIE_SECURE": True}
    local = _real_settings({k: v for k, v in clean_env.items() if k != "KETNAV_MODE"}, "SESSION_COOKIE_HTTPONLY")
    assert local == {"SESSION_COOKIE_HTTPONLY": True}


def test_mail_goes_to_the_console_by_default_and_to_smtp_when_set(clean_env: dict[str, str]) -> None:
    names = ("EMAIL_BACKEND", "EMAIL_HOST", "EMAIL_PORT", "EMAIL_USE_TLS", "EMAIL_USE_SSL", "EMAIL_HOST_USER")
    assert (
        _real_settings(clean_env, "EMAIL_BACKEND")["EMAIL_BACKEND"] == "django.core.mail.backends.console.EmailBackend"
    )
    clean_env["KETNAV_EMAIL_URL"] = "smtp://mailer:s%40cret@mail.example.org:2525"
    smtp = _real_settings(clean_env, *names)
    assert smtp == {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "mail.example.org",
        "EMAIL_PORT": 2525,
        "EMAIL_USE_TLS": True,
        "EMAIL_USE_SSL": False,
        "EMAIL_HOST_USER": "mailer",
    }
    clean_env["KETNAV_EMAIL_URL"] = "smtps://mail.example.org"
    assert _real_settings(clean_env, "EMAIL_PORT", "EMAIL_USE_SSL") == {"EMAIL_PORT": 465, "EMAIL_USE_SSL": True}


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("KETNAV_EMAIL_URL", "imap://mail.example.org", "KETNAV_EMAIL_URL: use console, smtp://"),
        ("KETNAV_EMAIL_URL", "smtp://", "KETNAV_EMAIL_URL: an SMTP URL needs a host"),
        ("KETNAV_EMAIL_URL", "smtp://mail.example.org:99999", "KETNAV_EMAIL_URL: invalid port"),
        ("KETNAV_EMAIL_FROM", "nobody", "KETNAV_EMAIL_FROM: give one address"),
        ("KETNAV_LOGIN_FAILURES", "2", "KETNAV_LOGIN_FAILURES: 2 is outside 3-100"),
        ("KETNAV_LOGIN_FAILURES", "ten", "KETNAV_LOGIN_FAILURES: expected a whole number"),
        ("KETNAV_LOCKOUT_MINUTES", "0", "KETNAV_LOCKOUT_MINUTES: 0 is outside 1-1440"),
        ("KETNAV_SIGNUP", "maybe", "KETNAV_SIGNUP: expected on/off"),
    ],
)
def test_bad_account_and_mail_settings_name_the_variable(tmp_path: Path, name: str, value: str, message: str) -> None:
    with pytest.raises(ConfigurationError, match=message.replace("/", "/").replace("?", r"\?")):
        load_settings({"KETNAV_DATA_DIR": str(tmp_path), name: value})


def test_settings_command_redacts_the_mail_password(clean_env: dict[str, str]) -> None:
    clean_env["KETNAV_EMAIL_URL"] = "smtp://mailer:hunter22@mail.example.org:587"
    result = ketnav(clean_env, "settings")
    assert "hunter22" not in result.stdout and "mailer:***@mail.example.org" in result.stdout


@pytest.mark.django_db(transaction=True)
def test_user_create_on_a_terminal_asks_without_echoing(env: dict[str, str]) -> None:
    import pty
    import select

    controller, terminal = pty.openpty()
    proc = subprocess.Popen(ketnav_cmd("user", "create", "tty@example.org", "--password-stdin"), env=env,
                            stdin=terminal, stdout=terminal, stderr=terminal)  # fmt: skip
    os.close(terminal)
    seen = b""
    try:
        while b"Password for the new account: " not in seen:
            ready, _, _ = select.select([controller], [], [], 60)
            assert ready, seen
            seen += os.read(controller, 1024)
        os.write(controller, PASSWORD.encode() + b"\n")
        assert proc.wait(timeout=120) == 0
        while select.select([controller], [], [], 0.5)[0]:
            try:
                chunk = os.read(controller, 1024)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
    finally:
        os.close(controller)
    assert PASSWORD.encode() not in seen
    assert b"created tty@example.org (owner)" in seen
    assert User.objects.filter(username="tty@example.org").exists()
