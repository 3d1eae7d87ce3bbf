"""The journal in a real Chromium: sign-up, entries, the chart, sharing with a clinician and revoking,
export and account deletion; axe-clean at 1280 px and 390 px, with screenshots to look at."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User

from ketnav.accounts.services import create_user
from ketnav.journal.models import ScaleResult
from tests.browser.conftest import axe_violations, screenshot
from tests.browser.pages import PASSWORD, journal_course

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
WIDTHS = (1280, 390)


def check(page: Any, name: str) -> None:
    """No axe violation, no sideways scrolling at the current width, and a screenshot to look at."""
    width = page.viewport_size["width"]
    screenshot(page, f"journal-{name}-{width}")
    violations = axe_violations(page)
    assert violations == [], [(v["id"], [n["html"][:160] for n in v["nodes"]][:4]) for v in violations]
    assert page.evaluate("document.documentElement.scrollWidth") <= width, f"{name} scrolls sideways at {width}px"


def sign_in(page: Any, email: str) -> None:
    page.goto("/account/login/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/journal/")


def answer(page: Any, values: list[int]) -> None:
    for number, value in enumerate(values, start=1):
        page.locator(f'input[name="item{number}"][value="{value}"]').check()


@pytest.mark.parametrize("width", WIDTHS)
def test_sign_up_record_entries_and_see_the_chart(page: Any, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    page.goto("/journal/")
    check(page, "welcome")
    page.get_by_role("link", name="Create an account").click()
    page.get_by_label("Email address").fill("new.person@example.org")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password again").fill(PASSWORD)
    page.get_by_label("I understand that my journal is stored").check()
    check(page, "signup")
    page.get_by_role("button", name="Create my account").click()
    page.wait_for_url("**/journal/")
    assert page.get_by_role("heading", name="Your journal", level=1).is_visible()

    page.get_by_role("link", name="Treatment session").click()
    page.get_by_label("Date and time of the session").fill("2026-11-03T09:30")
    page.get_by_label("How it was given").select_option("iv")
    page.get_by_label("Dose, as the clinic wrote it").fill("0.5 mg/kg over 40 minutes")
    check(page, "session-form")
    page.get_by_role("button", name="Save").click()

    for day, values in (("2026-11-01", [3, 3, 3, 2, 2, 2, 1]), ("2026-11-20", [1, 1, 1, 1, 0, 0, 0])):
        page.goto("/journal/scales/new/?scale=gad7")
        answer(page, values)
        page.get_by_label("Date you answered").fill(day)
        page.get_by_role("button", name="Save").click()
        page.wait_for_url("**/journal/scales/*/")
    assert page.get_by_text("out of 21").is_visible()
    check(page, "gad7-result")

    page.goto("/journal/scales/new/?scale=phq9")
    check(page, "phq9-form")
    answer(page, [1, 1, 0, 0, 0, 0, 0, 0, 1])
    page.get_by_role("button", name="Save").click()
    alert = page.get_by_role("alert")
    assert "988" in alert.inner_text()
    check(page, "phq9-crisis")

    page.goto("/journal/vitals/new/")
    page.get_by_label("Upper number (systolic, mmHg)").fill("16")
    page.get_by_label("Lower number (diastolic, mmHg)").fill("10")
    page.get_by_role("button", name="Save").click()
    assert page.get_by_role("link", name="Upper number (systolic, mmHg): must be at least 50").is_visible()
    check(page, "vitals-error")
    page.get_by_label("Upper number (systolic, mmHg)").fill("138")
    page.get_by_label("Lower number (diastolic, mmHg)").fill("86")
    page.get_by_role("button", name="Save").click()

    page.goto("/journal/")
    chart = page.get_by_role("img", name="Chart of GAD-7 totals over time")
    assert chart.evaluate("img => img.complete && img.naturalWidth > 0")
    assert page.get_by_role("table", name="GAD-7 scores").get_by_role("row").count() == 3
    assert page.get_by_text("at least half below your baseline").is_visible()
    assert "988" in page.get_by_role("alert").inner_text()  # the latest PHQ-9 item 9 was above 0
    check(page, "home")
    page.goto("/journal/summary/")
    check(page, "summary")


def test_the_clinician_summary_prints_on_one_page(page: Any) -> None:
    journal_course(create_user("alice@example.org", PASSWORD))
    sign_in(page, "alice@example.org")
    page.goto("/journal/summary/")
    assert page.get_by_role("button", name="Print this summary").is_visible()  # shown by the script
    check(page, "summary-full")
    page.emulate_media(media="print")
    assert not page.get_by_role("navigation", name="Journal and account").is_visible()
    screenshot(page, "journal-summary-print")
    pdf = page.pdf(format="A4")
    assert pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages") == 1


@pytest.mark.parametrize("width", WIDTHS)
def test_share_with_a_clinician_then_revoke(browser: Any, live_server: Any, width: int) -> None:
    alice = create_user("alice@example.org", PASSWORD)
    create_user("dr.lee@clinic.example", PASSWORD, clinician=True)
    ScaleResult.objects.create(owner=alice, scale="gad7", answers=[3, 3, 3, 2, 2, 2, 1], total=16,
                               severity="severe", taken_on="2026-11-02")  # fmt: skip
    contexts = [browser.new_context(base_url=live_server.url, viewport={"width": width, "height": 900}) for _ in "ab"]
    try:
        patient, clinician = (c.new_page() for c in contexts)
        sign_in(patient, "alice@example.org")
        patient.get_by_role("link", name="Share", exact=True).click()
        patient.get_by_label("Your clinician's email address on this site").fill("dr.lee@clinic.example")
        patient.get_by_role("button", name="Share read-only").click()
        assert patient.get_by_text("dr.lee@clinic.example can now read your journal").is_visible()
        check(patient, "share")

        sign_in(clinician, "dr.lee@clinic.example")
        clinician.goto("/journal/shared/")
        clinician.get_by_role("link", name="alice@example.org", exact=True).click()
        assert clinician.get_by_role("heading", name="Journal of alice@example.org").is_visible()
        assert clinician.get_by_role("link", name="Edit").count() == 0
        check(clinician, "shared-view")

        patient.goto("/journal/audit/")
        assert patient.get_by_role("cell", name="dr.lee@clinic.example").first.is_visible()
        check(patient, "audit")
        patient.goto("/journal/share/")
        patient.get_by_role("button", name="Revoke access for dr.lee@clinic.example").click()
        assert patient.get_by_text("can no longer see your journal").is_visible()
        response = clinician.goto(f"/journal/shared/{alice.pk}/")
        assert response.status == 404
    finally:
        for context in contexts:
            context.close()


def test_export_then_delete_the_account(page: Any, tmp_path: Path) -> None:
    alice = create_user("alice@example.org", PASSWORD)
    ScaleResult.objects.create(owner=alice, scale="gad7", answers=[3, 3, 3, 2, 2, 2, 1], total=16,
                               severity="severe", taken_on="2026-11-02")  # fmt: skip
    sign_in(page, "alice@example.org")
    page.get_by_role("link", name="Export and import").click()
    check(page, "export")
    with page.expect_download() as info:
        page.get_by_role("link", name="Everything, as JSON").click()
    data = json.loads(Path(info.value.path()).read_text())
    assert data["scales"][0]["total"] == 16
    with page.expect_download() as info:
        page.get_by_role("link", name="Scores and blood pressure as FHIR R4").click()
    assert "70274-6" in Path(info.value.path()).read_text()

    page.get_by_role("link", name="Account", exact=True).click()  # the journal's menu, not the header's
    check(page, "account")
    page.get_by_role("link", name="Delete my account…").click()
    page.get_by_label("Your password, to confirm").fill(PASSWORD)
    check(page, "delete")
    page.get_by_role("button", name="Delete my account and all my data").click()
    assert page.get_by_role("heading", name="Your account has been deleted").is_visible()
    assert not User.objects.filter(pk=alice.pk).exists() and not ScaleResult.objects.exists()
    page.goto("/account/login/")
    page.get_by_label("Email address").fill("alice@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    assert page.get_by_text("do not match an account").is_visible()
