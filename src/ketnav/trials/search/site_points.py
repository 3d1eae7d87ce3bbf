"""Where the studies' sites are, grouped by distinct coordinates, in memory.

Why: "studies within 100 km of New York" at 500,000 studies meant reading 267,000 site entries from
the geo index and turning each into Python objects (about 400 ms), on every query. Registry sites are
geocoded to their city, so coordinates repeat: 13.6 million sites of a generated corpus sit on 3,660
distinct points, and the real registry has one point per city. So distances are computed once per
distinct point, and the studies at the points in range are gathered from flat arrays.

Built once per registry version, bound to the search columns of that version (entries are column
positions); about 4 bytes a site.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from django.db import connection

from ketnav.trials.search.columns import StudyColumns, db_key
from ketnav.trials.search.geo import EARTH_RADIUS_KM, Point
from ketnav.trials.search.index import nct_number_sql

# Site statuses that count as open for "nearest open site first"; an empty status is taken as open
# (many records give only the study's overall status).
OPEN_SITE_STATUSES = ("RECRUITING", "NOT_YET_RECRUITING", "ENROLLING_BY_INVITATION", "")


@dataclass(frozen=True)
class SitePoints:
    version: int
    latitude: npt.NDArray[np.float64]  # one per distinct point
    longitude: npt.NDArray[np.float64]
    ptr: npt.NDArray[np.int64]  # point i's entries are entries[ptr[i]:ptr[i+1]]
    entries: npt.NDArray[np.int32]  # column position * 2, plus 1 when the site is not open
    seconds: float = 0.0

    @property
    def nbytes(self) -> int:
        return int(self.latitude.nbytes + self.longitude.nbytes + self.ptr.nbytes + self.entries.nbytes)


@dataclass(frozen=True)
class Nearby:
    """Studies with a site within the radius: NCT numbers (ascending), the distance to each study's
    nearest site (an open one first, if any is in range) and that site's coordinates."""

    ids: npt.NDArray[np.int64]
    distance_km: npt.NDArray[np.float64]
    latitude: npt.NDArray[np.float64]
    longitude: npt.NDArray[np.float64]
    open_site: npt.NDArray[np.bool_]

    def distances(self, nct_numbers: Any) -> Any:
        return self.distance_km[np.searchsorted(self.ids, nct_numbers)]

    def where(self, nct_number: int) -> tuple[float, float, bool, float]:
        """(latitude, longitude, whether an open site was chosen, distance) for one study."""
        p = int(np.searchsorted(self.ids, nct_number))
        return (
            float(self.latitude[p]),
            float(self.longitude[p]),
            bool(self.open_site[p]),
            float(self.distance_km[p]),
        )


def build(cols: StudyColumns) -> SitePoints:
    """One pass over the geo index, aggregated by point in the database, parsed by numpy."""
    started = time.perf_counter()
    vendor = connection.vendor
    number = nct_number_sql("study_id", vendor)
    opened = ", ".join(f"'{s}'" for s in OPEN_SITE_STATUSES)
    key = f"{number} * 2 + (CASE WHEN status IN ({opened}) THEN 0 ELSE 1 END)"
    concat = f"string_agg(CAST({key} AS TEXT), ',')" if vendor == "postgresql" else f"group_concat({key}, ',')"
    lat: list[float] = []
    lon: list[float] = []
    parts: list[npt.NDArray[np.int64]] = []
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT latitude, longitude, {concat} FROM trials_site "
            "WHERE latitude IS NOT NULL AND longitude IS NOT NULL GROUP BY latitude, longitude"
        )
        while rows := cursor.fetchmany(1000):
            for la, lo, keys in rows:
                lat.append(float(la))
                lon.append(float(lo))
                parts.append(np.array(keys.split(","), dtype=np.int64))
    counts = np.array([len(p) for p in parts], dtype=np.int64)
    flat = np.concatenate(parts) if parts else np.empty(0, dtype=np.int64)
    studies, closed = flat // 2, flat % 2
    # NCT numbers to column positions; a site of a study missing from the columns (written after
    # they were read) is left out.
    pos, known = cols.locate(studies)
    point_of = np.repeat(np.arange(len(parts)), counts)[known]
    entries = (pos[known] * 2 + closed[known]).astype(np.int32)
    ptr = np.concatenate(([0], np.cumsum(np.bincount(point_of, minlength=len(parts))))).astype(np.int64)
    return SitePoints(
        version=cols.version,
        latitude=np.array(lat, dtype=np.float64),
        longitude=np.array(lon, dtype=np.float64),
        ptr=ptr,
        entries=entries,
        seconds=time.perf_counter() - started,
    )


def nearby(points: SitePoints, cols: StudyColumns, centre: Point, radius_km: float) -> Nearby:
    """Every study with a site within the radius, great-circle distance to its nearest site (an open
    site if one is in range, else any)."""
    lat1, lon1 = np.radians(centre.latitude), np.radians(centre.longitude)
    lat2, lon2 = np.radians(points.latitude), np.radians(points.longitude)
    h = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    distance = 2 * EARTH_RADIUS_KM * np.arcsin(np.minimum(1.0, np.sqrt(h)))
    inside = np.flatnonzero(distance <= radius_km)
    inside = inside[np.argsort(distance[inside], kind="stable")]  # nearest points first
    starts, ends = points.ptr[inside], points.ptr[inside + 1]
    lengths = ends - starts
    total = int(lengths.sum())
    if not total:
        empty = np.empty(0)
        return Nearby(np.empty(0, dtype=np.int64), empty, empty, empty, np.empty(0, dtype=np.bool_))
    offsets = np.repeat(starts - np.concatenate(([0], np.cumsum(lengths)[:-1])), lengths)
    gathered = points.entries[np.arange(total) + offsets].astype(np.int64)
    point_of = np.repeat(inside, lengths)
    # Entries are in order of distance; per study keep the first open entry, else the first entry.
    rank = (gathered % 2) * total + np.arange(total)
    best = np.full(len(cols), 2 * total, dtype=np.int64)
    np.minimum.at(best, gathered // 2, rank)
    rows = np.flatnonzero(best < 2 * total)
    chosen = best[rows] % total
    chosen_points = point_of[chosen]
    return Nearby(
        ids=cols.ids[rows],
        distance_km=distance[chosen_points],
        latitude=points.latitude[chosen_points],
        longitude=points.longitude[chosen_points],
        open_site=gathered[chosen] % 2 == 0,
    )


# --- the cache -----------------------------------------------------------------------------------

_lock = threading.Lock()
_cache: dict[str, SitePoints] = {}


def site_points(cols: StudyColumns) -> SitePoints:
    """This process's site points for the columns' registry version (built on first use)."""
    key = db_key()
    with _lock:
        found = _cache.get(key)
        if found is not None and found.version == cols.version:
            return found
    points = build(cols)
    with _lock:
        current = _cache.get(key)
        if current is None or current.version <= points.version:
            _cache[key] = points
    return points
