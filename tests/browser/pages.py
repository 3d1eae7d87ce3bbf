"""Every page of the site, as the browser tests visit it: the catalogue `test_every_page.py` checks at
phone and desktop widths (no sideways scrolling, no axe violations, a screenshot of each).

Adding a page? Add a `PageCase` here (or, for a URL that is not a page, a line in `NOT_PAGES` with
the reason). `test_the_catalogue_covers_every_url` fails until one of the two says what it is.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

EXAMPLE_QUOTES = Path(__file__).parents[1] / "clinics" / "example_quotes.json"


@dataclass(frozen=True)
class PageCase:
    name: str  # also the screenshot's file name
    path: str  # where the visit starts
    registry: bool = False  # needs the small real registry (the browser conftest's `registry` fixture)
    status: int = 200  # the status the first response should have
    steps: Callable[[Any], None] | None = None  # what a person does at `path` to reach the page checked


def _screen(page: Any) -> None:
    page.get_by_label("Age (years)").fill("45")
    page.get_by_label("Medicines you take").fill("Nardil")
    page.get_by_role("button", name="See my summary").click()
    page.wait_for_selector("text=Your safety screen summary")


def _describe(page: Any) -> None:
    page.get_by_text("Describe your situation", exact=True).first.click()
    page.get_by_label("Your situation in your own words").fill(
        "45-year-old man with chronic cluster headache and glaucoma, no history of psychosis"
    )
    page.get_by_label("Include studies that are closed or finished").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Find studies for me").click()
    page.wait_for_selector("#describe-results")


def _describe_crisis(page: Any) -> None:
    page.get_by_text("Describe your situation", exact=True).first.click()
    page.get_by_text("Optional questions for anxiety").click()
    page.get_by_label("Diagnosis").fill("generalized anxiety disorder")
    page.get_by_role("group", name="Have you had thoughts of ending your life").get_by_label("Yes").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Find studies for me").click()
    page.wait_for_selector("#crisis-title")


def _side_effects(page: Any) -> None:
    an_hour_ago = (dt.datetime.now() - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    page.get_by_label("When did the session end?").fill(an_hour_ago)
    page.get_by_label("Chest pain or pressure").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Check").click()


def _clinics_compared(page: Any) -> None:
    page.get_by_label("CSV or JSON file").set_input_files(str(EXAMPLE_QUOTES))
    page.get_by_role("button", name="Import").click()
    page.wait_for_selector("table.compare")


PAGES: tuple[PageCase, ...] = (
    PageCase("home", "/"),
    PageCase("home-with-registry", "/", registry=True),
    PageCase("guide", "/guide/"),
    PageCase("guide-background", "/guide/background/"),
    PageCase("guide-comparative", "/guide/comparative/"),
    PageCase("guide-modalities", "/guide/modalities/"),
    PageCase("guide-applications", "/guide/applications/", registry=True),
    PageCase("guide-safety", "/guide/safety/"),
    PageCase("guide-practical", "/guide/practical/"),
    PageCase("guide-references", "/guide/references/"),
    PageCase("site-search", "/search/?q=ketamine+anxiety", registry=True),
    PageCase("site-search-empty-registry", "/search/?q=driving"),
    PageCase("trials-empty-registry", "/trials/"),
    PageCase("trials", "/trials/", registry=True),
    PageCase("trials-results", "/trials/?q=ketamine&status=any", registry=True),
    PageCase("trials-near", "/trials/?q=&near=Boston%2C+MA&radius_km=500&status=any", registry=True),
    PageCase("trials-no-results", "/trials/?q=zzzzqqq&status=any", registry=True),
    PageCase("trials-bad-filter", "/trials/?q=pain&age=400", registry=True, status=422),
    PageCase("trials-describe", "/trials/", registry=True, steps=_describe),
    PageCase("trials-describe-crisis", "/trials/", registry=True, steps=_describe_crisis),
    PageCase("study", "/trials/NCT04179266/", registry=True),
    PageCase("study-equal-description", "/trials/NCT04814381/", registry=True),
    PageCase("study-not-found", "/trials/NCT00000000/", status=404),
    PageCase("tools", "/tools/"),
    PageCase("routes", "/tools/routes/"),
    PageCase("routes-clinician", "/tools/routes/?mode=clinician&weight=80"),
    PageCase("safety-screen", "/tools/safety-screen/"),
    PageCase("safety-screen-summary", "/tools/safety-screen/", steps=_screen),
    PageCase("side-effects", "/tools/side-effects/"),
    PageCase("side-effects-result", "/tools/side-effects/", steps=_side_effects),
    PageCase("aftercare", "/tools/aftercare/"),
    PageCase("aftercare-plan", "/tools/aftercare/?end=2026-11-26T15%3A30&route=iv"),
    PageCase("journal", "/journal/"),
    PageCase("clinics", "/clinics/"),
    PageCase("clinics-compared", "/clinics/", steps=_clinics_compared),
    PageCase("not-found", "/no-such-page/", status=404),
)

# URLs that are not pages a person reads, by URL name, with the reason. (The admin and the API have
# their own tests: Django's admin and the OpenAPI docs are not our templates.)
NOT_PAGES: dict[str, str] = {
    "healthz": "JSON for load balancers",
    "favicon": "redirects to the icon file",
    "tools:aftercare_ics": "a calendar file download",
    "clinics:add": "a form's POST target; redirects to clinics:compare",
    "clinics:import": "a form's POST target; redirects to clinics:compare",
    "clinics:course": "a form's POST target; redirects to clinics:compare",
    "clinics:add_published": "a form's POST target; redirects to clinics:compare",
    "clinics:remove": "a form's POST target; redirects to clinics:compare",
    "clinics:clear": "a form's POST target; redirects to clinics:compare",
    "clinics:export_json": "a file download",
    "clinics:export_csv": "a file download",
}
