from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import axe_violations, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _no_horizontal_scroll(page: Any) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"))


@pytest.mark.parametrize("width", [1280, 390])
def test_routes_page_fits_the_screen_with_cards_plot_and_peaks(page: Any, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    page.goto("/tools/routes/")
    assert page.locator(".route-card").count() == 7
    assert page.locator("figure.plot svg").count() == 2  # wide and narrow layouts
    assert page.locator("figure.plot svg:visible").count() == 1
    assert page.get_by_role("table").count() == 1  # the peaks beside the plot
    assert page.get_by_text("Educational.", exact=True).is_visible()
    assert page.get_by_text("Share of the dose that reaches the blood").first.is_visible()
    assert _no_horizontal_scroll(page)
    assert axe_violations(page) == []
    screenshot(page, f"routes-{width}")


@pytest.mark.parametrize("width", [1280, 390])
def test_clinician_mode_needs_the_acknowledgement_then_simulates(page: Any, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    page.goto("/tools/routes/?mode=clinician")
    assert page.get_by_label("Weight (kg)").count() == 0
    page.get_by_label("I am a clinician").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Open clinician mode").click()
    page.get_by_label("Weight (kg)").fill("80")
    with page.expect_navigation():
        page.get_by_role("button", name="Simulate").click()
    assert page.locator(".sim-result figure.plot svg:visible").count() == 1
    assert "Highest level" in page.locator(".sim-result").inner_text()
    assert "AUC 0–24 h" in page.locator(".sim-result").inner_text()
    assert _no_horizontal_scroll(page)
    assert axe_violations(page) == []
    screenshot(page, f"routes-clinician-{width}")
