"""Every page (tests/browser/pages.py) at a desktop and a phone width: it loads with the expected
status, nothing scrolls sideways, axe finds no WCAG 2.1 A/AA violation, and a full-page screenshot is
saved in test-artifacts/pages/ to be looked at. Problems are collected across all pages and reported
together, so one run shows everything that needs fixing."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, resolve

from tests.browser.conftest import axe_violations, screenshot
from tests.browser.pages import NOT_PAGES, PAGES, PASSWORD, PageCase, signed_in_journals

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = (1280, 390)


def check_pages(
    browser: Any,
    base_url: str,
    cases: list[PageCase],
    width: int,
    *,
    sign_in_as: str = "",
    ids: dict[str, int] | None = None,
) -> list[str]:
    problems: list[str] = []
    context = browser.new_context(base_url=base_url, viewport={"width": width, "height": 900})
    try:
        if sign_in_as:
            _sign_in(context, sign_in_as)
        for case in cases:
            page = context.new_page()
            path = case.path.format(**(ids or {}))
            response = page.goto(path)
            where = f"{case.name} ({path}) at {width} px"
            if response is None or response.status != case.status:
                problems.append(f"{where}: status {response.status if response else None}, expected {case.status}")
            if case.steps:
                case.steps(page)
            page.wait_for_load_state("load")
            overflow = page.evaluate(
                "Math.max(document.documentElement.scrollWidth, document.body.scrollWidth) - window.innerWidth"
            )
            if overflow > 0:
                wide = page.evaluate(_WIDEST)
                problems.append(f"{where}: scrolls sideways by {overflow} px (widest: {wide})")
            for violation in axe_violations(page):
                targets = [n["target"] for n in violation["nodes"]][:3]
                problems.append(f"{where}: axe {violation['id']} ({violation['impact']}): {targets}")
            screenshot(page, f"pages/{case.name}-{width}")
            page.close()
    finally:
        context.close()
    return problems


def _sign_in(context: Any, email: str) -> None:
    """Sign in through the form, as a person does; the context keeps the session cookie."""
    page = context.new_page()
    page.goto("/account/login/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/journal/")
    page.close()


# The elements that stick out furthest past the right edge: names the culprit in a failure.
_WIDEST = """
() => Array.from(document.querySelectorAll('body *'))
  .map(el => [el, el.getBoundingClientRect().right])
  .filter(([el, right]) => right > window.innerWidth + 1)
  .sort((a, b) => b[1] - a[1]).slice(0, 3)
  .map(([el, right]) => el.tagName.toLowerCase() + (el.className ? '.' + String(el.className).split(' ')[0] : '')
       + ' ' + Math.round(right) + 'px')
"""


@pytest.mark.parametrize("width", WIDTHS)
def test_every_page_without_a_registry(browser: Any, live_server: Any, width: int) -> None:
    problems = check_pages(browser, live_server.url, [c for c in PAGES if not c.registry and not c.signed_in], width)
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize("width", WIDTHS)
def test_every_signed_in_page(browser: Any, live_server: Any, width: int) -> None:
    email, ids = signed_in_journals()
    cases = [c for c in PAGES if c.signed_in]
    problems = check_pages(browser, live_server.url, cases, width, sign_in_as=email, ids=ids)
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize("width", WIDTHS)
def test_every_page_with_a_registry(browser: Any, live_server: Any, registry: None, width: int) -> None:
    problems = check_pages(browser, live_server.url, [c for c in PAGES if c.registry], width)
    assert problems == [], "\n".join(problems)


def _url_names(patterns: list[Any], namespace: str = "") -> set[str]:
    names: set[str] = set()
    for p in patterns:
        if isinstance(p, URLResolver):
            if str(p.pattern).startswith(("admin/", "api/")):
                continue
            names |= _url_names(p.url_patterns, namespace + (f"{p.namespace}:" if p.namespace else ""))
        elif isinstance(p, URLPattern):
            names.add(namespace + (p.name or str(p.pattern)))
    return names


class _AnyId(dict[str, int]):
    """Fills a signed-in page's `{id}` placeholders with 1, enough for URL resolution."""

    def __missing__(self, key: str) -> int:
        return 1


def test_the_catalogue_covers_every_url() -> None:
    """A new page must be added to PAGES (or to NOT_PAGES with a reason) to be checked."""
    covered = {resolve(c.path.split("?")[0].format_map(_AnyId())).view_name for c in PAGES if c.status != 404}
    missing = _url_names(get_resolver().url_patterns) - covered - set(NOT_PAGES)
    assert missing == set(), f"add these to tests/browser/pages.py: {sorted(missing)}"
    assert not covered & set(NOT_PAGES)
