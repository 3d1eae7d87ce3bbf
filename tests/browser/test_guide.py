from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import axe_violations, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_reading_through_the_guide(page: Any) -> None:
    page.goto("/guide/")
    page.get_by_role("link", name="What ketamine is and how it works").click()
    page.wait_for_selector("h1:has-text('What ketamine is and how it works')")
    page.get_by_role("navigation", name="On this page").get_by_role("link", name="How it seems to work").click()
    assert page.evaluate("location.hash") == "#how-it-seems-to-work"
    page.get_by_role("link", name="Next: Ketamine compared with SSRIs and SNRIs →").click()
    page.wait_for_selector("table.data caption:has-text('compared with SSRIs and SNRIs')")
    page.locator("a.cite", has_text="Rush 2006").first.click()
    page.wait_for_url("**/guide/references/#ref-rush-2006")
    assert page.locator("#ref-rush-2006").is_visible()


def test_guide_page_prints_without_navigation(page: Any) -> None:
    page.goto("/guide/safety/")
    page.emulate_media(media="print")
    assert not page.get_by_role("navigation", name="Guide topics").is_visible()
    assert not page.get_by_role("button", name="Print this page").is_visible()
    assert page.get_by_role("heading", name="Four steps to safer treatment").is_visible()
    screenshot(page, "guide-safety-print")
    assert page.pdf()[:4] == b"%PDF"


def test_header_search_box_finds_guide_sections(page: Any) -> None:
    page.goto("/")
    page.get_by_label("Search the guide and trials").fill("driving")
    page.get_by_label("Search the guide and trials").press("Enter")
    page.wait_for_selector("#guide-results")
    assert page.get_by_role("link", name="Four steps to safer treatment").is_visible()
    assert axe_violations(page) == []
