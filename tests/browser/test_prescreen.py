"""The study page's "Could I take part?" pre-screen, as a person uses it (issue 18 §4)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import axe_violations, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def test_answer_the_study_form_and_see_the_criterion_table(page: Any, registry: None) -> None:
    page.set_viewport_size(PHONE)
    page.goto("/trials/NCT04179266/")
    form = page.get_by_role("form").filter(has=page.get_by_role("button", name="Check my answers against the criteria"))
    page.get_by_role("heading", name="Could I take part?").scroll_into_view_if_needed()
    page.get_by_label("Age in years").fill("45")
    page.get_by_label("Sex").select_option("M")
    page.get_by_role("group", name="Do you have cluster headache?").get_by_label("Yes").check()
    page.get_by_role("group", name="Do you have glaucoma or raised pressure in the eye?").get_by_label("Yes").check()
    page.get_by_label("Body mass index (BMI)").fill("25")
    assert form.count() == 1
    page.get_by_role("button", name="Check my answers against the criteria").click()
    page.wait_for_selector("table.prescreen-table")
    assert page.get_by_role("heading", name="Pre-screen: likely not eligible").is_visible()
    table = page.get_by_role("table", name="Each criterion against your answers")
    glaucoma_row = table.get_by_role("row").filter(has_text="intraocular pressure")
    assert "Met" in glaucoma_row.inner_text() and "glaucoma" in glaucoma_row.inner_text()
    assert page.get_by_text("only the study team can say", exact=False).first.is_visible()
    # the answers stay in the form, so the person can change one and check again
    assert page.get_by_label("Age in years").input_value() == "45"
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert axe_violations(page) == []
    screenshot(page, "trials-prescreen-390")


def test_describe_yourself_see_badges_and_the_crisis_contacts(browser: Any, live_server: Any, registry: None) -> None:
    """The trials page's describe box and questionnaire (issue 18 §3), at both widths, axe clean."""
    from tests.browser.pages import PAGES
    from tests.browser.test_every_page import check_pages

    cases = [c for c in PAGES if c.name.startswith("trials-describe")]
    assert len(cases) == 2
    for width in (1280, 390):
        assert check_pages(browser, live_server.url, cases, width) == []


def test_describe_yourself_then_open_a_study(page: Any, registry: None) -> None:
    page.set_viewport_size(PHONE)
    page.goto("/trials/")
    page.get_by_text("Describe your situation", exact=True).first.click()
    page.get_by_label("Your situation in your own words").fill(
        "45-year-old man with chronic cluster headache and glaucoma, no history of psychosis"
    )
    page.get_by_label("Include studies that are closed or finished").check()
    page.get_by_role("button", name="Find studies for me").click()
    page.wait_for_selector("#describe-results")
    assert "?" not in page.url  # the description never goes into the address
    result = page.locator("article").filter(has_text="NCT04179266")
    assert "Likely excluded" in result.inner_text() and "intraocular" in result.inner_text()
    result.get_by_role("link").first.click()
    page.wait_for_selector("#prescreen-title")
    assert page.get_by_role("heading", name="Could I take part?").is_visible()
