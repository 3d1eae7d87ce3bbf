"""The Content-Security-Policy as Chromium enforces it (issue 15): no page breaks it, the API docs load
nothing from another host, and the print buttons and charts still work without inline code."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.browser.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Each securitypolicyviolation event is kept on the window (an init script runs before the page's own).
RECORD_VIOLATIONS = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " " + (e.sourceFile || ""));
});
"""

PAGES = [
    "/",
    "/guide/safety/",
    "/guide/references/",
    "/search/?q=ketamine",
    "/trials/",
    "/tools/safety-screen/",
    "/tools/side-effects/",
    "/tools/aftercare/?end=2024-05-01T10:00&route=nasal",
    "/tools/routes/",
    "/tools/routes/?mode=clinician&dose=0.5+mg%2Fkg&over=40+min&weight=80&hours=6",
    "/clinics/",
    "/admin/login/",
]


def watch(page: Any) -> tuple[list[str], list[str]]:
    """Every request the page makes, and every message the console gets about the policy."""
    requests: list[str] = []
    console: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.on("console", lambda message: console.append(message.text) if "Content Security" in message.text else None)
    page.add_init_script(RECORD_VIOLATIONS)
    return requests, console


def test_no_page_violates_the_content_security_policy(page: Any, live_server: Any) -> None:
    requests, console = watch(page)
    for path in PAGES:
        response = page.goto(path)
        assert response.status == 200, path
        assert "script-src 'self'" in response.headers["content-security-policy"]
        page.wait_for_load_state("networkidle")
        assert page.evaluate("window.__csp") == [], path
    assert console == []
    own = urlsplit(live_server.url).netloc
    assert {urlsplit(url).netloc for url in requests if not url.startswith("data:")} == {own}


def test_api_docs_load_nothing_from_another_host(page: Any, live_server: Any) -> None:
    requests, console = watch(page)
    page.goto("/api/docs")
    page.get_by_text("Search the local registry").first.wait_for(timeout=20_000)
    page.get_by_text("Search the local registry").first.click()  # open one operation: more of the UI loads
    page.get_by_role("button", name="Try it out").first.wait_for(timeout=10_000)
    page.wait_for_load_state("networkidle")
    screenshot(page, "api-docs")
    own = urlsplit(live_server.url).netloc
    hosts = {urlsplit(url).netloc for url in requests if not url.startswith("data:")}
    assert hosts == {own}, sorted(url for url in requests if urlsplit(url).netloc != own)
    assert any(url.endswith("/static/ninja/swagger-ui-bundle.js") for url in requests)
    assert any(url.endswith("/api/openapi.json") for url in requests)
    assert page.evaluate("window.__csp") == [] and console == []


def test_print_buttons_work_without_inline_handlers(page: Any) -> None:
    page.goto("/guide/safety/")
    button = page.get_by_role("button", name="Print this page")
    assert button.is_visible()  # hidden until site.js wires it
    page.evaluate("() => { window.__printed = 0; window.print = () => { window.__printed += 1; }; }")
    button.click()
    assert page.evaluate("window.__printed") == 1


def test_print_button_stays_hidden_without_javascript(browser: Any, live_server: Any) -> None:
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    try:
        no_js = context.new_page()
        no_js.goto("/guide/safety/")
        assert no_js.get_by_role("button", name="Print this page").count() == 0  # hidden: not offered
    finally:
        context.close()


def test_routes_chart_draws_its_curves_under_the_policy(page: Any) -> None:
    _requests, console = watch(page)
    page.goto("/tools/routes/")
    strokes = page.evaluate(
        "[...document.querySelectorAll('figure.plot svg path')].map(p => getComputedStyle(p).stroke)"
    )
    assert "rgb(11, 79, 138)" in strokes  # the first curve's colour survives as an attribute
    assert page.evaluate("window.__csp") == [] and console == []
    screenshot(page, "routes-under-csp")
