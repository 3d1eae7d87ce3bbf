"""Template context shared by every page: the areas of the site and the version."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import reverse

from ketnav import __version__


@dataclass(frozen=True)
class Area:
    slug: str
    title: str
    url_name: str
    summary: str
    icon: str  # a symbol in static/ketnav/icons.svg


AREAS: tuple[Area, ...] = (
    Area(
        "guide",
        "Guide",
        "guide:index",
        "How ketamine works, how it compares with SSRIs and SNRIs, the "
        "ways it is given, what the evidence shows, and how to stay safe, with every fact sourced.",
        "guide",
    ),
    Area(
        "trials",
        "Find trials",
        "trials:search",
        "Search a local copy of the ClinicalTrials.gov registry by condition, treatment, status, "
        "phase, age, sex and distance, or describe your situation and see each study's criteria "
        "pre-screened for you, one by one.",
        "trials",
    ),
    Area(
        "tools",
        "Treatment tools",
        "tools:hub",
        "Compare routes side by side, check your medications and "
        "history before a consultation, and plan aftercare (no driving for at least 24 hours).",
        "tools",
    ),
    Area(
        "journal",
        "Journal",
        "journal:home",
        "Track sessions, side effects and validated scales (GAD-7, "
        "PHQ-9, PCL-5) to see response and remission over time, and share them with your clinician.",
        "journal",
    ),
    Area(
        "clinics",
        "Clinics & costs",
        "clinics:compare",
        "Compare the clinics you are considering on a "
        "quality checklist and on the real total cost of a course, fees and insurance included.",
        "clinics",
    ),
)


@dataclass(frozen=True)
class NavItem:
    area: Area
    url: str
    current: bool


def nav_items(request: HttpRequest) -> list[NavItem]:
    return [NavItem(area=a, url=(url := reverse(a.url_name)), current=request.path.startswith(url)) for a in AREAS]


def site(request: HttpRequest) -> dict[str, object]:
    return {
        "ketnav_nav": nav_items(request),
        "ketnav_version": __version__,
    }
