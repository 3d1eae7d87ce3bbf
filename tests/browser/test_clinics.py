from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import axe_violations, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
EXAMPLE = Path(__file__).parents[1] / "clinics" / "example_quotes.json"


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
    page.get_by_label("Booster sessions").fill("0")
    page.get_by_role("button", name="Recalculate").click()
    page.wait_for_selector("text=6 induction + 0 booster session(s), iv")
    page.emulate_media(media="print")
    assert not page.get_by_role("button", name="Print the comparison").is_visible()
    assert not page.get_by_role("heading", name="Add a clinic by hand").is_visible()
    assert table.is_visible()
    screenshot(page, "clinics-compare-print")
    assert page.pdf(landscape=True)[:4] == b"%PDF"


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
    page.get_by_label("Clinic name").fill("Synthetic Walk-in (example)")
    page.get_by_label("Price of one session").fill("400")
    page.get_by_label("Consultation fee").fill("150")
    page.get_by_label("Prescriber's licence (MD, DO, NP, PA)").fill("MD")
    page.get_by_role("button", name="Add to the comparison").click()
    page.wait_for_selector("table.compare")
    total = page.get_by_role("row", name="Your total cost").get_by_role("cell").inner_text()
    assert total == "$3,350.00"  # 8 sessions × 400 + 150 consultation (6 induction + 2 boosters)
