from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import axe_violations, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_routes_page_table_plot_and_clinician_mode(page: Any) -> None:
    page.goto("/tools/routes/")
    assert page.get_by_role("table").count() == 1
    assert page.locator("figure.plot svg").count() == 1
    assert page.get_by_text("Educational.", exact=True).is_visible()
    assert axe_violations(page) == []
    screenshot(page, "routes")
    page.get_by_role("link", name="Open clinician mode").click()
    page.get_by_label("Weight (kg)").fill("80")
    with page.expect_navigation():
        page.get_by_role("button", name="Simulate").click()
    assert page.locator(".sim-result figure.plot svg").count() == 1
    assert "Cmax" in page.locator(".sim-result").inner_text()
