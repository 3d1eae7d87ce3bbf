from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import axe_violations, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_search_filter_open_study_and_back(page: Any, registry: None) -> None:
    page.goto("/trials/")
    page.get_by_label("Condition, treatment or keywords").fill("ketamine")
    page.get_by_role("main").get_by_role("button", name="Search").click()
    page.wait_for_url("**q=ketamine**")
    page.get_by_text("Filters", exact=True).click()
    page.get_by_label("Recruitment").select_option("any")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url("**status=any**")
    assert "ketamine" in page.url and "status=any" in page.url
    results = page.locator("article.result")
    assert results.count() >= 2
    screenshot(page, "trials-search")
    page.get_by_role(
        "link", name="Effect of Ketamine Intranasal Spray in Treatment of Chronic Cluster Headache"
    ).click()
    assert page.get_by_role("heading", level=1).inner_text().startswith("Effect of Ketamine Intranasal Spray")
    assert page.get_by_role("heading", name="You may be able to join if").is_visible()
    screenshot(page, "trials-study")
    page.go_back()
    assert page.locator("article.result").count() == results.count()


def test_search_works_without_javascript(browser: Any, live_server: Any, registry: None) -> None:
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    page.goto("/trials/")
    page.fill("#q", "cluster headache")
    page.click("summary")  # <details> opens natively, without scripts
    page.select_option("#status", "any")
    page.get_by_role("main").get_by_role("button", name="Search", exact=True).click()
    page.wait_for_url("**q=cluster**")
    assert page.locator("article.result").count() >= 1
    context.close()


def test_studies_matching_only_part_of_a_search_are_offered_apart(page: Any, registry: None) -> None:
    """ "ketamine anxiety": no open study is about both, so none is listed as a result; the studies that
    mention only one word are counted apart, with a link to that search."""
    page.goto("/trials/?q=ketamine+anxiety&status=any")
    heading = page.locator("#results-title").inner_text()
    listed = page.locator("article.result").count()
    assert heading.startswith(f"{listed} stud")
    offer = page.get_by_role("note", name="Studies that match only part of your search")
    assert offer.is_visible()
    link = offer.get_by_role("link", name="mention only ketamine")
    count = int(link.inner_text().split()[0])
    link.click()
    page.wait_for_url("**q=ketamine&**")
    total = int(page.locator("#results-title").inner_text().split()[0])
    assert total == count + listed  # the studies mentioning ketamine: those listed before and the others
    assert not axe_violations(page)
