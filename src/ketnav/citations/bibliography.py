"""Loading and checking the bibliography: every id resolves, every entry can be found by a reader."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml

from ketnav.errors import ConfigurationError


@dataclass(frozen=True)
class Reference:
    id: str
    authors: str
    title: str
    venue: str
    year: int
    doi: str = ""
    pmid: str = ""
    url: str = ""
    note: str = ""
    short_name: str = ""  # for organisations: "Spravato label" rather than "Janssen"

    @property
    def link(self) -> str:
        if self.doi:
            return f"https://doi.org/{self.doi}"
        if self.pmid:
            return f"https://pubmed.ncbi.nlm.nih.gov/{self.pmid}/"
        return self.url

    @property
    def short(self) -> str:
        first = self.short_name or self.authors.split(",")[0].split(" ")[0]
        return f"{first} {self.year}"

    def citation(self) -> str:
        # "Smith J, et al." already ends with its full stop; a second one would read "et al.."
        return f"{self.authors.rstrip('.')}. {self.title.rstrip('.')}. {self.venue}; {self.year}."


def parse_bibliography(data: Mapping[str, Any]) -> dict[str, Reference]:
    refs: dict[str, Reference] = {}
    for ref_id, entry in data.items():
        if not isinstance(entry, Mapping):
            raise ConfigurationError(f"bibliography: entry {ref_id!r} is not a mapping")
        missing = [k for k in ("authors", "title", "venue", "year") if not entry.get(k)]
        if missing:
            raise ConfigurationError(f"bibliography: {ref_id} lacks {', '.join(missing)}")
        if not any(entry.get(k) for k in ("doi", "pmid", "url")):
            raise ConfigurationError(f"bibliography: {ref_id} has no doi, pmid or url")
        unknown = set(entry) - {"authors", "title", "venue", "year", "doi", "pmid", "url", "note", "short"}
        if unknown:
            raise ConfigurationError(f"bibliography: {ref_id} has unknown fields {', '.join(sorted(unknown))}")
        texts = {("short_name" if k == "short" else k): str(v) for k, v in entry.items() if k != "year"}
        refs[ref_id] = Reference(id=ref_id, year=int(entry["year"]), **texts)
    return refs


def reference_dict(ref: Reference) -> dict[str, Any]:
    """One JSON shape for a reference wherever the API shows one (guide, safety, PK)."""
    return {
        "id": ref.id,
        "citation": ref.citation(),
        "link": ref.link,
        "authors": ref.authors,
        "title": ref.title,
        "venue": ref.venue,
        "year": ref.year,
        "doi": ref.doi,
        "pmid": ref.pmid,
        "note": ref.note,
    }


@cache
def bibliography() -> dict[str, Reference]:
    text = resources.files("ketnav.citations").joinpath("bibliography.yaml").read_text(encoding="utf-8")
    return parse_bibliography(yaml.safe_load(text))


def resolve(ids: Iterable[str]) -> list[Reference]:
    refs = bibliography()
    missing = [i for i in ids if i not in refs]
    if missing:
        raise ConfigurationError(f"citation ids not in the bibliography: {', '.join(missing)}")
    return [refs[i] for i in ids]
