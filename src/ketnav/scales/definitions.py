"""The scales as frozen values, read once from ``scales.yaml`` with every citation resolved."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml

from ketnav.citations.bibliography import resolve
from ketnav.errors import ConfigurationError, InvalidInput


@dataclass(frozen=True)
class Band:
    low: int
    high: int
    label: str
    short: str = ""  # for chart margins; the label when empty

    @property
    def chart_label(self) -> str:
        return self.short or self.label


@dataclass(frozen=True)
class Remission:
    below: int
    definition: str
    citations: tuple[str, ...]


@dataclass(frozen=True)
class Cluster:
    name: str
    first: int  # item numbers, 1-based, inclusive
    last: int


@dataclass(frozen=True)
class Scale:
    id: str
    name: str
    title: str
    measures: str
    stem: str
    options: tuple[str, ...]  # option i scores i
    items: tuple[str, ...]
    bands: tuple[Band, ...]
    bands_citations: tuple[str, ...]
    remission: Remission
    response_citations: tuple[str, ...]
    loinc_panel: str
    loinc_total: str
    loinc_total_display: str
    loinc_citations: tuple[str, ...]
    wording: str
    wording_citations: tuple[str, ...]
    citations: tuple[str, ...]
    crisis_items: tuple[int, ...]  # 1-based item numbers whose answer > 0 must show crisis resources
    clusters: tuple[Cluster, ...] = ()
    meaningful_change: int | None = None

    @property
    def max_item(self) -> int:
        return len(self.options) - 1

    @property
    def max_total(self) -> int:
        return self.max_item * len(self.items)

    def band(self, total: int) -> Band:
        for band in self.bands:
            if band.low <= total <= band.high:
                return band
        raise InvalidInput(f"total: {total} is outside {self.name}'s range 0-{self.max_total}")

    def all_citations(self) -> tuple[str, ...]:
        ids = (
            *self.citations,
            *self.bands_citations,
            *self.remission.citations,
            *self.response_citations,
            *self.loinc_citations,
            *self.wording_citations,
        )
        return tuple(dict.fromkeys(ids))


def _scale(scale_id: str, raw: dict[str, Any]) -> Scale:
    remission = raw["remission"]
    scale = Scale(
        id=scale_id,
        name=raw["name"],
        title=raw["title"],
        measures=raw["measures"],
        stem=raw["stem"],
        options=tuple(raw["options"]),
        items=tuple(" ".join(str(i).split()) for i in raw["items"]),
        bands=tuple(Band(b["low"], b["high"], b["label"], b.get("short", "")) for b in raw["bands"]),
        bands_citations=tuple(raw["bands_citations"]),
        remission=Remission(
            remission["below"], " ".join(remission["definition"].split()), tuple(remission["citations"])
        ),
        response_citations=tuple(raw["response_citations"]),
        loinc_panel=raw["loinc"]["panel"],
        loinc_total=raw["loinc"]["total"],
        loinc_total_display=raw["loinc"]["total_display"],
        loinc_citations=tuple(raw["loinc_citations"]),
        wording=" ".join(raw["wording"].split()),
        wording_citations=tuple(raw["wording_citations"]),
        citations=tuple(raw["citations"]),
        crisis_items=tuple(raw["crisis_items"]),
        clusters=tuple(Cluster(c["name"], c["items"][0], c["items"][1]) for c in raw.get("clusters", [])),
        meaningful_change=raw.get("meaningful_change"),
    )
    _check(scale)
    return scale


def _check(scale: Scale) -> None:
    """The bands must tile 0..max exactly, so every possible total has exactly one band."""
    expected = 0
    for band in scale.bands:
        if band.low != expected or band.high < band.low:
            raise ConfigurationError(f"scales.yaml: {scale.id} bands do not tile the range at {band.low}")
        expected = band.high + 1
    if expected != scale.max_total + 1:
        raise ConfigurationError(f"scales.yaml: {scale.id} bands end at {expected - 1}, not {scale.max_total}")
    resolve(scale.all_citations())


@cache
def scales() -> dict[str, Scale]:
    """All scales by id ("gad7", "phq9", "pcl5"), in the order the journal shows them."""
    text = resources.files("ketnav.scales").joinpath("scales.yaml").read_text(encoding="utf-8")
    return {scale_id: _scale(scale_id, raw) for scale_id, raw in yaml.safe_load(text).items()}


def get_scale(scale_id: str) -> Scale:
    try:
        return scales()[scale_id]
    except KeyError:
        raise InvalidInput(f"scale: unknown scale {scale_id!r}; use one of {', '.join(scales())}") from None
