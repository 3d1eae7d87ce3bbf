from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import axe_violations, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_home_landmarks_and_screenshot(page: Any) -> None:
    page.goto("/")
    assert page.get_by_role("banner").count() == 1
    assert page.get_by_role("navigation", name="Main").count() == 1
    assert page.get_by_role("main").count() == 1
    assert page.get_by_role("contentinfo").count() == 1
    assert page.get_by_role("heading", level=1).inner_text() == "Understanding ketamine for anxiety"
    shot = screenshot(page, "home")
    assert shot.stat().st_size > 10_000


def test_skip_link_is_first_and_moves_focus_to_main(page: Any) -> None:
    page.goto("/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Skip to main content"
    assert page.get_by_role("link", name="Skip to main content").is_visible()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def test_focus_is_visible_on_links(page: Any) -> None:
    page.goto("/")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"


def test_home_has_no_accessibility_violations(page: Any) -> None:
    page.goto("/")
    assert axe_violations(page) == []


def test_navigation_reaches_every_area_on_a_phone(page: Any) -> None:
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto("/")
    nav = page.get_by_role("navigation", name="Main")
    for name in ["Guide", "Find trials", "Treatment tools", "Clinics & costs"]:
        nav.get_by_role("link", name=name).click()
        assert page.locator('a[aria-current="page"]').inner_text() == name
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        assert scroll_width <= 375, f"{name} page scrolls sideways on a phone"
    screenshot(page, "clinics-phone")
