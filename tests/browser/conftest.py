"""Headless Chromium (Debian's package) driven by Playwright, against pytest-django's live server.

No browser is ever downloaded: we point Playwright at the system chromium. Without it the browser
tests skip with a reason, except when KETNAV_REQUIRE_BROWSER=1 (CI), where they fail.
"""

from __future__ import annotations

import gzip
import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO_ROOT

# Playwright's sync API runs an event loop in this thread; the ORM calls made by fixtures here are
# still synchronous, so tell Django not to refuse them.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ARTIFACTS = REPO_ROOT / "test-artifacts"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def chromium_path() -> str | None:
    for candidate in (os.environ.get("KETNAV_CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium")):
        if candidate and Path(candidate).exists():
            return candidate
    return None


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    path = chromium_path()
    if path is None:
        if os.environ.get("KETNAV_REQUIRE_BROWSER") == "1":
            pytest.fail("KETNAV_REQUIRE_BROWSER=1 but Debian's chromium is not installed (apt-get install chromium)")
        pytest.skip("Debian's chromium is not installed (apt-get install chromium); browser tests skipped")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        instance = pw.chromium.launch(executable_path=path, headless=True, args=CHROMIUM_FLAGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser: Any, live_server: Any) -> Iterator[Any]:
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    yield pg
    context.close()


@pytest.fixture(scope="session")
def v2_studies(shared_data: Path) -> dict[str, dict[str, Any]]:
    out = {}
    with gzip.open(shared_data / "ctgov" / "ctgov_v2_studies.jsonl.gz", "rt", encoding="utf-8") as handle:
        for line in handle:
            study = json.loads(line)
            out[study["protocolSection"]["identificationModule"]["nctId"]] = study
    return out


@pytest.fixture
def registry(tmp_path: Path, v2_studies: dict[str, dict[str, Any]]) -> None:
    """A small real registry: 300 complete records plus the two ketamine studies the pages show."""
    from ketnav.trials.loading import load_paths

    chosen = [s for s in v2_studies.values() if "statusModule" in s["protocolSection"]][:300]
    chosen += [v2_studies[n] for n in ("NCT04179266", "NCT04814381")]
    path = tmp_path / "some.jsonl"
    path.write_text("".join(json.dumps(s) + "\n" for s in chosen))
    load_paths([path], workers=1)


def screenshot(page: Any, name: str, *, full_page: bool = True) -> Path:
    """Save a screenshot under test-artifacts/ (kept out of git) for a person to look at."""
    target = ARTIFACTS / f"{name}.png"
    target.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(target), full_page=full_page)
    return target


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """Run axe-core (WCAG 2 A/AA rules) in the page and return serious or critical violations."""
    from axe_playwright_python.sync_playwright import Axe

    options = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21aa"]}, "resultTypes": ["violations"]}
    results = Axe().run(page, options=options)
    violations: list[dict[str, Any]] = results.response["violations"]
    return [v for v in violations if v.get("impact") in {"serious", "critical", "moderate"}]
