"""Browser hardening (issue 15): a strict Content-Security-Policy on every response, HSTS in production
mode, Referrer-Policy and X-Content-Type-Options kept, and no inline script or style left to break."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
from django.test import Client

from tests.cli.test_cli import running_server

pytestmark = pytest.mark.django_db

PAGES = [
    "/",
    "/guide/",
    "/guide/safety/",
    "/guide/references/",
    "/search/?q=ketamine",
    "/trials/",
    "/trials/?q=anxiety",
    "/trials/NCT04179266/",  # not loaded: the study's 404 page
    "/tools/",
    "/tools/safety-screen/",
    "/tools/side-effects/",
    "/tools/aftercare/",
    "/tools/aftercare/?end=2024-05-01T10:00&route=iv",
    "/tools/routes/",
    "/tools/routes/?mode=clinician&dose=0.5+mg%2Fkg&over=40+min",
    "/journal/",
    "/clinics/",
    "/admin/login/",
    "/api/docs",
    "/api/openapi.json",
    "/api/trials?q=pain",
    "/healthz",
    "/no-such-page",
    "/trials/?city=a%00",  # a refusal from the request limits
]


def policy(response: object) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]  # type: ignore[index]
    return {d.split()[0]: d.split()[1:] for d in (part.strip() for part in header.split(";")) if d}


@pytest.mark.parametrize("path", PAGES)
def test_every_response_carries_a_strict_content_security_policy(client: Client, path: str) -> None:
    response = client.get(path)
    directives = policy(response)
    assert directives["default-src"] == ["'self'"]
    assert directives["script-src"] == ["'self'"], "no inline script, no other host"
    assert directives["style-src"] == ["'self'"], "no inline style, no other host"
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["form-action"] == ["'self'"]
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "Strict-Transport-Security" not in response  # local mode: plain HTTP on this machine


@pytest.mark.parametrize("path", [p for p in PAGES if not p.startswith(("/api/openapi", "/api/trials", "/healthz"))])
def test_pages_have_no_inline_script_style_or_handlers(client: Client, path: str) -> None:
    html = client.get(path).content.decode()
    scripts = re.findall(r"<script\b([^>]*)>", html)
    assert all("src=" in attrs or 'type="application/json"' in attrs for attrs in scripts), scripts
    assert not re.search(r"<[^>]+\sstyle=", html), "style attributes are refused by the policy"
    assert "<style" not in html
    assert not re.search(r"\son[a-z]+=", html), "event-handler attributes are refused by the policy"
    assert "cdn." not in html and "unpkg.com" not in html


def test_api_docs_are_served_from_local_static_files(client: Client) -> None:
    html = client.get("/api/docs").content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert not re.search(r"(src|href)=\"https?://", html)
    bundle = client.get("/static/ninja/swagger-ui-bundle.js")
    assert bundle.status_code == 200
    bundle.close()  # a file response: let go of the file


def test_routes_chart_keeps_its_look_as_svg_attributes(client: Client) -> None:
    html = client.get("/tools/routes/").content.decode()
    plot = html[html.index('<figure class="plot"') :]  # the page has small icon SVGs before the chart
    svg = plot[plot.index("<svg") : plot.index("</svg>")]
    assert 'stroke="#0b4f8a"' in svg and 'stroke-dasharray="' in svg and 'fill="none"' in svg
    assert "style=" not in svg


def test_production_mode_sends_hsts_over_https_only(clean_env: dict[str, str], tmp_path: Path) -> None:
    """Behind the TLS-terminating proxy the README asks for: HSTS when the proxy says the request was
    HTTPS, never on plain HTTP (a browser would ignore it there, and it must not reach a local user)."""
    env = clean_env | {
        "KETNAV_MODE": "production",
        "KETNAV_SECRET_KEY": "s" * 50,
        "KETNAV_ALLOWED_HOSTS": "127.0.0.1",
    }
    migrate = subprocess.run([sys.executable, "-m", "ketnav", "migrate"], env=env, capture_output=True, check=False)
    assert migrate.returncode == 0, migrate.stderr
    with running_server(env, tmp_path / "serve.log") as base:
        https = urllib.request.Request(base + "/healthz", headers={"X-Forwarded-Proto": "https"})
        with urllib.request.urlopen(https, timeout=10) as response:
            assert response.headers["Strict-Transport-Security"] == "max-age=31536000"
            assert "default-src 'self'" in response.headers["Content-Security-Policy"]
        with urllib.request.urlopen(base + "/healthz", timeout=10) as response:
            assert response.headers["Strict-Transport-Security"] is None
        # The proxy's word also makes CSRF's origin check pass for a form posted over HTTPS.
        host = base.removeprefix("http://")
        form = urllib.request.Request(base + "/tools/side-effects/", headers={"X-Forwarded-Proto": "https"})
        with urllib.request.urlopen(form, timeout=10) as response:
            cookie = response.headers["Set-Cookie"].split(";")[0]
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.read().decode())
        assert cookie.startswith("csrftoken=") and token
        ended = (dt.datetime.now() - dt.timedelta(hours=2)).isoformat(timespec="minutes")
        posted = urllib.request.Request(
            base + "/tools/side-effects/",
            data=f"csrfmiddlewaretoken={token.group(1)}&session_end={ended}&effects=nausea".encode(),
            headers={"X-Forwarded-Proto": "https", "Origin": f"https://{host}", "Cookie": cookie},
        )
        with urllib.request.urlopen(posted, timeout=10) as response:
            assert response.status == 200
