from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import axe_violations, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
EXAMPLE = Path(__file__).parents[1] / "clinics" / "example_quotes.json"
PHONE = {"width": 390, "height": 844}


def no_horizontal_scroll(page: Any) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def test_import_compare_and_print(page: Any) -> None:
    page.goto("/clinics/")
    assert axe_violations(page) == []
    page.get_by_label("CSV or JSON file").set_input_files(str(EXAMPLE))
    page.get_by_role("button", name="Import").click()
    page.wait_for_selector("text=Imported 2 clinics.")
    table = page.get_by_role("table", name="Quality checklist and total cost for 2 clinics")
    assert table.is_visible()
    total = table.get_by_role("row", name="Your total cost")
    assert total.get_by_role("cell").all_inner_texts() == ["$4,491.16", "$1,436.67"]
    assert axe_violations(page) == []
    screenshot(page, "clinics-compare-1280")
    page.get_by_label("Booster sessions").fill("0")
    page.get_by_role("button", name="Recalculate").click()
    page.wait_for_selector("text=6 induction + 0 booster session(s), IV infusion")
    assert page.get_by_role("button", name="Print the comparison").is_visible()  # shown by the static script
    page.emulate_media(media="print")
    assert not page.get_by_role("button", name="Print the comparison").is_visible()
    assert not page.get_by_role("heading", name="Add a clinic by hand").is_visible()
    assert table.is_visible()
    screenshot(page, "clinics-compare-print")
    assert page.pdf(landscape=True)[:4] == b"%PDF"


def test_the_comparison_fits_a_phone(page: Any) -> None:
    page.set_viewport_size(PHONE)
    page.goto("/clinics/")
    page.get_by_label("CSV or JSON file").set_input_files(str(EXAMPLE))
    page.get_by_role("button", name="Import").click()
    page.wait_for_selector("text=Imported 2 clinics.")
    assert no_horizontal_scroll(page)
    assert axe_violations(page) == []
    screenshot(page, "clinics-compare-390")


def test_a_rejected_import_shows_the_row_and_column(page: Any, tmp_path: Path) -> None:
    bad = tmp_path / "quotes.csv"
    bad.write_text(
        "name,route,currency,session_price,quoted_on,source\nSynthetic (example),iv,USD,-450,2026-11-01,notes\n"
    )
    page.goto("/clinics/")
    page.get_by_label("CSV or JSON file").set_input_files(str(bad))
    page.get_by_role("button", name="Import").click()
    alert = page.get_by_role("alert")
    alert.wait_for()
    assert "row 2, column session_price" in alert.inner_text() and "negative" in alert.inner_text()
    assert page.get_by_text("No clinics yet.").is_visible()
    assert axe_violations(page) == []


def test_add_a_clinic_by_hand(page: Any) -> None:
    page.goto("/clinics/")
    assert not page.get_by_label("Consultation fee").is_visible()  # the rest waits until asked for
    page.get_by_label("Clinic name").fill("Synthetic Walk-in (example)")
    page.get_by_label("Price of one session").fill("400")
    page.get_by_label("Where the price came from").fill("phone call")
    page.locator("summary", has_text="Packages, boosters").click()
    page.get_by_label("Consultation fee").fill("150")
    page.locator("summary", has_text="What you know about the clinic").click()
    page.get_by_label("Prescriber's licence").fill("MD")
    screenshot(page, "clinics-add-form-1280")
    page.get_by_role("button", name="Add to the comparison").click()
    page.wait_for_selector("table.compare")
    total = page.get_by_role("row", name="Your total cost").get_by_role("cell").inner_text()
    assert total == "$3,350.00"  # 8 sessions × 400 + 150 consultation (6 induction + 2 boosters)


def test_bad_values_are_named_by_the_forms_labels_on_a_phone(page: Any) -> None:
    page.set_viewport_size(PHONE)
    page.goto("/clinics/")
    assert no_horizontal_scroll(page)
    page.get_by_label("Clinic name").fill("Synthetic Typo Clinic (example)")
    page.get_by_label("Price of one session").fill("-3")
    page.get_by_label("Where the price came from").fill("website")
    page.locator("summary", has_text="Insurance").click()
    page.get_by_label("Coinsurance (%)").fill("150")
    page.locator("summary", has_text="Payment plan").click()
    page.get_by_label("Payment plan APR (%)").fill("twelve")
    screenshot(page, "clinics-add-form-390")
    page.get_by_role("button", name="Add to the comparison").click()
    alert = page.get_by_role("alert")
    alert.wait_for()
    text = alert.inner_text()
    assert "Price of one session: -3 is negative" in text
    assert "Coinsurance (%): 150% is outside 0–100%" in text
    assert "Payment plan APR (%): 'twelve' is not a percentage" in text
    assert "prices." not in text and "clinics[" not in text and "session_price" not in text
    assert "Other fee" not in text  # an untouched "charged every session" is not a fee
    assert page.get_by_label("Coinsurance (%)").is_visible()  # its section opened to show the problem
    assert page.get_by_label("Price of one session").input_value() == "-3"
    alert.get_by_role("link", name="Coinsurance (%)").click()
    assert page.evaluate("document.activeElement.id") == "f-coinsurance_percent"
    assert no_horizontal_scroll(page)
    assert axe_violations(page) == []
    screenshot(page, "clinics-add-form-errors-390")
    assert page.get_by_text("No clinics yet.").is_visible()
