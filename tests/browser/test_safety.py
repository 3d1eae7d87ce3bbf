from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import axe_violations, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_questionnaire_to_printable_summary(page: Any) -> None:
    page.goto("/tools/safety-screen/")
    assert axe_violations(page) == []
    page.get_by_label("Age (years)").fill("45")
    page.get_by_label("Upper").fill("165")
    page.get_by_label("Lower").fill("102")
    page.get_by_label("Medicines you take").fill("Nardil\nXanax")
    page.get_by_label("Heart disease").check()
    page.get_by_role("button", name="See my summary").click()
    page.wait_for_selector("text=Your safety screen summary")
    assert page.get_by_role("heading", name="MAO inhibitor (for example phenelzine, tranylcypromine)").is_visible()
    assert page.get_by_role("heading", name="Needs a specialist's review (1)").is_visible()
    assert axe_violations(page) == []
    page.emulate_media(media="print")
    assert not page.get_by_role("banner").is_visible()
    assert not page.get_by_role("button", name="Print this summary").is_visible()
    assert page.get_by_text("For your clinician:").first.is_visible()
    screenshot(page, "safety-summary-print")
    pdf = page.pdf()
    assert pdf[:4] == b"%PDF"


def test_aftercare_plan_and_calendar_download(page: Any) -> None:
    page.goto("/tools/aftercare/")
    page.get_by_label("When did (or will) the session end?").fill("2026-11-26T15:30")
    page.get_by_label("How was it given?").select_option("iv")
    page.get_by_role("button", name="Make my plan").click()
    page.wait_for_selector("text=Do not drive or operate machinery until at least")
    assert "Friday 27 November 2026, 15:30" in page.content()
    assert axe_violations(page) == []
    with page.expect_download() as info:
        page.get_by_role("link", name="Add to calendar (.ics)").click()
    download = info.value
    assert download.suggested_filename == "ketamine-aftercare.ics"
    text = Path(download.path()).read_text(encoding="utf-8")
    assert "BEGIN:VEVENT" in text and "DTEND:20261127T153000" in text


def test_side_effect_check(page: Any) -> None:
    page.goto("/tools/side-effects/")
    an_hour_ago = (dt.datetime.now() - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    page.get_by_label("When did the session end?").fill(an_hour_ago)
    page.get_by_label("Chest pain or pressure").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Check").click()
    assert page.get_by_role("heading", name="Seek urgent care now", exact=True).is_visible()


@pytest.mark.parametrize("width", [1280, 390])
def test_passive_thoughts_show_crisis_contacts_first(page: Any, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    page.goto("/tools/safety-screen/")
    page.get_by_label("Sometimes I wish I were not here").check()
    page.get_by_role("button", name="See my summary").click()
    page.wait_for_selector("text=Your safety screen summary")
    crisis = page.locator("section.crisis")
    assert crisis.is_visible() and "988" in crisis.inner_text()
    first = page.locator("main section").first
    assert "crisis" in (first.get_attribute("class") or "")
    assert page.get_by_role("heading", name="Sometimes wishing you were not here").is_visible()
    assert bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"))
    assert axe_violations(page) == []
    screenshot(page, f"safety-passive-{width}")
