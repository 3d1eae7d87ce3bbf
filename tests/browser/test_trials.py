from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ketnav.trials.loading import load_paths
from tests.browser.conftest import axe_violations, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def registry(tmp_path: Path, v2_studies: dict[str, dict[str, Any]]) -> None:
    chosen = [s for s in v2_studies.values() if "statusModule" in s["protocolSection"]][:300]
    chosen += [v2_studies[n] for n in ("NCT04179266", "NCT04814381")]
    path = tmp_path / "some.jsonl"
    path.write_text("".join(json.dumps(s) + "\n" for s in chosen))
    load_paths([path], workers=1)


@pytest.fixture(scope="session")
def v2_studies(shared_data: Path) -> dict[str, dict[str, Any]]:
    import gzip

    out = {}
    with gzip.open(shared_data / "ctgov" / "ctgov_v2_studies.jsonl.gz", "rt") as handle:
        for line in handle:
            study = json.loads(line)
            out[study["protocolSection"]["identificationModule"]["nctId"]] = study
    return out


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


def test_search_and_study_pages_are_accessible(page: Any, registry: None) -> None:
    page.goto("/trials/?q=ketamine&status=any")
    assert axe_violations(page) == []
    page.goto("/trials/NCT04179266/")
    assert axe_violations(page) == []


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
