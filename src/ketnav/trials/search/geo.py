"""Distances and places: great-circle distance, bounding boxes, and reading what a person typed.

Pure functions; the gazetteer itself (city, state, country -> coordinates) is built from the
registry's own site coordinates and looked up in ``ketnav.trials.search.places``.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

EARTH_RADIUS_KM = 6371.0088

US_STATES = {
    "AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas", "CA": "California", "CO": "Colorado",
    "CT": "Connecticut", "DE": "Delaware", "DC": "District of Columbia", "FL": "Florida", "GA": "Georgia",
    "HI": "Hawaii", "ID": "Idaho", "IL": "Illinois", "IN": "Indiana", "IA": "Iowa", "KS": "Kansas",
    "KY": "Kentucky", "LA": "Louisiana", "ME": "Maine", "MD": "Maryland", "MA": "Massachusetts", "MI": "Michigan",
    "MN": "Minnesota", "MS": "Mississippi", "MO": "Missouri", "MT": "Montana", "NE": "Nebraska", "NV": "Nevada",
    "NH": "New Hampshire", "NJ": "New Jersey", "NM": "New Mexico", "NY": "New York", "NC": "North Carolina",
    "ND": "North Dakota", "OH": "Ohio", "OK": "Oklahoma", "OR": "Oregon", "PA": "Pennsylvania",
    "PR": "Puerto Rico", "RI": "Rhode Island", "SC": "South Carolina", "SD": "South Dakota", "TN": "Tennessee",
    "TX": "Texas", "UT": "Utah", "VT": "Vermont", "VA": "Virginia", "WA": "Washington", "WV": "West Virginia",
    "WI": "Wisconsin", "WY": "Wyoming",
}  # fmt: skip
COUNTRY_ALIASES = {
    "usa": "United States",
    "us": "United States",
    "u.s.": "United States",
    "u.s.a.": "United States",
    "uk": "United Kingdom",
    "england": "United Kingdom",
}


@dataclass(frozen=True)
class Point:
    latitude: float
    longitude: float


def haversine_km(a: Point, b: Point) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (a.latitude, a.longitude, b.latitude, b.longitude))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


_LATLON_RE = re.compile(r"^\s*(-?\d{1,2}(?:\.\d+)?)\s*,\s*(-?\d{1,3}(?:\.\d+)?)\s*$")


def parse_coordinates(text: str) -> Point | None:
    """ "42.36,-71.06" -> Point; None when the text is not a coordinate pair. Raises on impossible ones."""
    m = _LATLON_RE.match(text)
    if not m:
        return None
    lat, lon = float(m.group(1)), float(m.group(2))
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise ValueError(f"{text!r} is outside the range of latitudes (-90..90) and longitudes (-180..180)")
    return Point(lat, lon)


@dataclass(frozen=True)
class PlaceQuery:
    city: str
    region: str = ""  # a state/province or a country, unknown which


def parse_place(text: str) -> PlaceQuery:
    """ "Boston, MA" -> city Boston, region Massachusetts; "Paris, France"; "Toronto"."""
    parts = [p.strip() for p in text.split(",") if p.strip()]
    if not parts:
        return PlaceQuery("")
    city = parts[0]
    region = parts[1] if len(parts) > 1 else ""
    if len(parts) > 2 and not region:
        region = parts[2]
    region = US_STATES.get(region.upper(), region) if len(region) == 2 else region
    region = COUNTRY_ALIASES.get(region.casefold(), region)
    return PlaceQuery(city, region)
