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
PASSWORD = "correct horse battery 42"  # synthetic accounts only


@dataclass(frozen=True)
class PageCase:
    name: str  # also the screenshot's file name
    path: str  # where the visit starts
    registry: bool = False  # needs the small real registry (the browser conftest's `registry` fixture)
    status: int = 200  # the status the first response should have
    steps: Callable[[Any], None] | None = None  # what a person does at `path` to reach the page checked
    signed_in: bool = False  # visited signed in as the clinician of `signed_in_journals` (ids fill `path`)


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
    PageCase("journal-welcome", "/journal/"),
    PageCase("sign-in", "/account/login/"),
    PageCase("sign-up", "/account/signup/"),
    PageCase("password-reset", "/account/password-reset/"),
    PageCase("password-reset-sent", "/account/password-reset/sent/"),
    PageCase("password-reset-bad-link", "/account/password-reset/MQ/not-a-token/"),
    PageCase("password-reset-complete", "/account/password-reset/complete/"),
    PageCase("journal", "/journal/", signed_in=True),
    PageCase("journal-new-session", "/journal/sessions/new/", signed_in=True),
    PageCase("journal-new-gad7", "/journal/scales/new/?scale=gad7", signed_in=True),
    PageCase("journal-new-pcl5", "/journal/scales/new/?scale=pcl5", signed_in=True),
    PageCase("journal-new-side-effects", "/journal/side-effects/new/", signed_in=True),
    PageCase("journal-new-vitals", "/journal/vitals/new/", signed_in=True),
    PageCase("journal-new-note", "/journal/notes/new/", signed_in=True),
    PageCase("journal-scale", "/journal/scales/{scale}/", signed_in=True),
    PageCase("journal-session-edit", "/journal/sessions/{session}/edit/", signed_in=True),
    PageCase("journal-session-delete", "/journal/sessions/{session}/delete/", signed_in=True),
    PageCase("journal-summary", "/journal/summary/", signed_in=True),
    PageCase("journal-share", "/journal/share/", signed_in=True),
    PageCase("journal-audit", "/journal/audit/", signed_in=True),
    PageCase("journal-export", "/journal/export/", signed_in=True),
    PageCase("journal-shared-list", "/journal/shared/", signed_in=True),
    PageCase("journal-shared-view", "/journal/shared/{patient}/", signed_in=True),
    PageCase("journal-shared-summary", "/journal/shared/{patient}/summary/", signed_in=True),
    PageCase("account", "/account/", signed_in=True),
    PageCase("account-password", "/account/password/", signed_in=True),
    PageCase("account-password-changed", "/account/password/done/", signed_in=True),
    PageCase("account-delete", "/account/delete/", signed_in=True),
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
    "accounts:logout": "a form's POST target; signs out and redirects",
    "journal:chart": "an SVG image shown inside the journal pages",
    "journal:shared_chart": "an SVG image shown inside a shared journal's pages",
    "journal:shared_export": "a file download",
    "journal:import": "a form's POST target; redirects to journal:export",
    "journal:revoke": "a form's POST target; redirects to journal:share",
    "journal:delete_saved": "a form's POST target; redirects to the journal",
    "journal:open_saved": "a form's POST target; redirects to clinics:compare",
    "journal:save_result": "a form's POST target on the treatment tools; redirects to the journal",
    "journal:save_search": "a form's POST target on the trial search; redirects to the journal",
    "journal:delete_watch": "a form's POST target; redirects to the journal",
    "journal:flags_seen": "a form's POST target; redirects to the journal",
}


def _add(owner: Any, slug: str, **fields: Any) -> None:
    from ketnav.journal.kinds import KINDS
    from ketnav.journal.services import create_entry, parse

    create_entry(owner, KINDS[slug], parse(KINDS[slug], fields))


def journal_course(owner: Any) -> None:
    """A synthetic, realistic course: six IV sessions, three scales four times each, side effects and
    blood-pressure readings, so every journal page has something to show."""
    for day in (3, 5, 7, 10, 12, 14):
        when = f"2026-11-{day:02d}T"
        _add(owner, "sessions", started_at=when + "09:30", route="iv", dose="0.5 mg/kg over 40 min",
             clinic="Riverside Ketamine Clinic")  # fmt: skip
        _add(owner, "vitals", measured_at=when + "10:20", systolic=128 + day, diastolic=80 + day // 3)
        _add(
            owner,
            "side-effects",
            session_end=when + "10:15",
            noticed_at=when + "12:00",
            effects=["nausea", "dizziness"],
        )
    for i, day in enumerate((1, 8, 15, 22)):
        taken_on = f"2026-11-{day:02d}"
        _add(owner, "scales", scale="gad7", answers=[3 - i // 2] * 7, taken_on=taken_on)
        _add(owner, "scales", scale="phq9", answers=[2 - i // 2] * 9, taken_on=taken_on)
        _add(owner, "scales", scale="pcl5", answers=[3 - i] * 20, taken_on=taken_on)


def signed_in_journals() -> tuple[str, dict[str, int]]:
    """A clinician who keeps a journal and has a patient's journal shared with them. Returns the
    clinician's email and the ids the signed-in pages' paths need."""
    from ketnav.accounts.services import create_user
    from ketnav.journal.models import ScaleResult, TreatmentSession
    from ketnav.journal.services import add_share

    clinician = create_user("dr.lee@clinic.example", PASSWORD, clinician=True)
    patient = create_user("alice@example.org", PASSWORD)
    journal_course(clinician)
    journal_course(patient)
    add_share(patient, clinician.email)
    ids = {
        "scale": ScaleResult.objects.filter(owner=clinician).order_by("pk").values_list("pk", flat=True)[0],
        "session": TreatmentSession.objects.filter(owner=clinician).order_by("pk").values_list("pk", flat=True)[0],
        "patient": patient.pk,
    }
    return clinician.email, ids
