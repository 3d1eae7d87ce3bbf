"""Resolving "Boston, MA" or "42.36,-71.06" to coordinates through the registry-built gazetteer."""

from __future__ import annotations

import difflib

from django.db.models import Q

from ketnav.errors import InvalidInput
from ketnav.trials.models import Place
from ketnav.trials.search.geo import Point, parse_coordinates, parse_place


def resolve(text: str) -> tuple[Point, str]:
    """(centre, the name we understood); InvalidInput with the closest known names otherwise."""
    try:
        point = parse_coordinates(text)
    except ValueError as exc:
        raise InvalidInput(f"near: {exc}") from None
    if point is not None:
        return point, f"{point.latitude:.4f}, {point.longitude:.4f}"
    wanted = parse_place(text)
    if not wanted.city:
        raise InvalidInput("near: give a place such as 'Boston, MA' or coordinates such as '42.36,-71.06'")
    matches = Place.objects.filter(city__iexact=wanted.city)
    if wanted.region:
        matches = matches.filter(Q(state__iexact=wanted.region) | Q(country__iexact=wanted.region))
    best = matches.order_by("-sites").first()
    if best is None and not wanted.region:
        best = (
            Place.objects.filter(Q(state__iexact=wanted.city) | Q(country__iexact=wanted.city))
            .order_by("-sites")
            .first()
        )
    if best is None:
        raise InvalidInput(f"near: no study site is known at {text!r}; {_suggest(text)}")
    return Point(best.latitude, best.longitude), str(best)


def _suggest(text: str) -> str:
    if not Place.objects.exists():
        return "the registry has no site coordinates yet (load or sync studies first), or give 'lat,lon'"
    wanted = parse_place(text)
    city = wanted.city.casefold()
    by_city: dict[str, Place] = {}
    for place in Place.objects.filter(city__istartswith=city[:1]).order_by("-sites")[:20000]:
        by_city.setdefault(place.city.casefold(), place)
    close = difflib.get_close_matches(city, list(by_city), n=5, cutoff=0.6)
    if close:
        return "closest known places: " + "; ".join(str(by_city[c]) for c in close)
    return "try a nearby city, or give coordinates such as '42.36,-71.06'"
