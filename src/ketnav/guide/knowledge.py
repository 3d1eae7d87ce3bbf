"""The guide's knowledge base: cited facts, data tables, registry topics and the topic pages.

Pure loading and checking. Pages are Markdown with YAML front matter (``topics/N-slug.md``); numbers
live in ``facts.yaml`` with their unit, population, study, citations and confidence grade. Everything
is validated when loaded, so a page that cites an unknown reference, a number without a unit or
source, or a sentence with an uncited number never reaches a reader: the test suite loads it all.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml

from ketnav.citations.bibliography import bibliography
from ketnav.errors import ConfigurationError

CONFIDENCE = ("A", "B", "C")
CITE_RE = re.compile(r"\[(@[a-z0-9-]+(?:\s*;\s*@[a-z0-9-]+)*)\]")
MARKER_RE = re.compile(r"\{\{(fact|table|trials):([a-z0-9-]+)\}\}")
SECTION_RE = re.compile(r"^## +(.+?)\s*$", re.MULTILINE)
TOPIC_ORDER = ("background", "comparative", "modalities", "applications", "safety", "practical")


@dataclass(frozen=True)
class Fact:
    id: str
    claim: str
    value: float | tuple[float, float]
    unit: str
    population: str
    study: str
    citations: tuple[str, ...]
    confidence: str
    n: int | None = None
    uncertainty: str = ""

    @property
    def display(self) -> str:
        """The number as a reader sees it: "67%", "8–12 weeks", "$5,572", "1970"."""
        values = self.value if isinstance(self.value, tuple) else (self.value,)
        shown = "–".join(_number(v, money=self.unit == "US$") for v in values)
        if self.unit == "US$":
            return "–".join("$" + _number(v, money=True) for v in values)
        if self.unit == "year":
            return shown
        if self.unit.startswith("%"):
            return shown + self.unit
        unit = self.unit
        if unit in {"hour", "day", "week", "minute"} and values != (1,):
            unit += "s"
        return f"{shown} {unit}"


def _number(value: float, *, money: bool = False) -> str:
    if float(value).is_integer():
        return f"{int(value):,}" if money or value >= 10_000 else str(int(value))
    return f"{value:,.2f}" if money else f"{value:g}"


@dataclass(frozen=True)
class Table:
    key: str
    caption: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class RegistryTopic:
    key: str
    label: str
    query: str


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    markdown: str


@dataclass(frozen=True)
class Topic:
    slug: str
    order: int
    title: str
    summary: str
    last_reviewed: dt.date
    citations: tuple[str, ...]
    intro: str
    sections: tuple[Section, ...]

    @property
    def markdown(self) -> str:
        return self.intro + "".join(f"\n## {s.title}\n{s.markdown}" for s in self.sections)


@dataclass(frozen=True)
class KnowledgeBase:
    facts: Mapping[str, Fact]
    tables: Mapping[str, Table]
    registry: Mapping[str, RegistryTopic]
    topics: tuple[Topic, ...]

    def topic(self, slug: str) -> Topic | None:
        return next((t for t in self.topics if t.slug == slug), None)

    def neighbours(self, slug: str) -> tuple[Topic | None, Topic | None]:
        slugs = [t.slug for t in self.topics]
        i = slugs.index(slug)
        return (self.topics[i - 1] if i else None, self.topics[i + 1] if i + 1 < len(slugs) else None)


# --- parsing ------------------------------------------------------------------------------------


def _fail(where: str, message: str) -> ConfigurationError:
    return ConfigurationError(f"guide: {where}: {message}")


def parse_fact(entry: Mapping[str, Any]) -> Fact:
    fid = str(entry.get("id") or "")
    where = f"fact {fid or '(no id)'}"
    if not re.fullmatch(r"[a-z0-9-]+", fid):
        raise _fail(where, "needs an id of lower-case letters, digits and hyphens")
    for key in ("claim", "unit", "population", "study"):
        if not str(entry.get(key) or "").strip():
            raise _fail(where, f"has no {key} (every number needs a unit and a source)")
    raw = entry.get("value")
    value: float | tuple[float, float]
    if isinstance(raw, list) and len(raw) == 2 and all(isinstance(v, int | float) for v in raw):
        if raw[0] > raw[1]:
            raise _fail(where, f"range {raw} runs backwards")
        value = (float(raw[0]), float(raw[1]))
    elif isinstance(raw, int | float) and not isinstance(raw, bool):
        value = float(raw)
    else:
        raise _fail(where, f"value {raw!r} is not a number or a [low, high] range")
    cites = tuple(entry.get("cite") or ())
    if not cites:
        raise _fail(where, "has no citation")
    confidence = str(entry.get("confidence") or "")
    if confidence not in CONFIDENCE:
        raise _fail(where, f"confidence {confidence!r} is not one of A, B, C")
    uncertainty = str(entry.get("uncertainty") or "")
    if confidence == "C" and not uncertainty:
        raise _fail(where, "is grade C, so it must say how uncertain it is (uncertainty: ...) or be left out")
    n = entry.get("n")
    if n is not None and (not isinstance(n, int) or n <= 0):
        raise _fail(where, f"n {n!r} is not a positive whole number")
    return Fact(
        id=fid,
        claim=str(entry["claim"]),
        value=value,
        unit=str(entry["unit"]),
        population=str(entry["population"]),
        study=str(entry["study"]),
        citations=cites,
        confidence=confidence,
        n=n,
        uncertainty=uncertainty,
    )


def parse_front_matter(text: str, where: str) -> tuple[dict[str, Any], str]:
    match = re.match(r"---\n(.*?)\n---\n", text, re.DOTALL)
    if not match:
        raise _fail(where, "does not start with front matter between --- lines")
    meta = yaml.safe_load(match.group(1)) or {}
    if not isinstance(meta, dict):
        raise _fail(where, "front matter is not a mapping")
    return meta, text[match.end() :]


def slugify(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.casefold()).strip("-")


def parse_topic(text: str, where: str) -> Topic:
    meta, body = parse_front_matter(text, where)
    missing = [k for k in ("title", "slug", "summary", "last_reviewed", "citations") if not meta.get(k)]
    if missing:
        raise _fail(where, f"front matter lacks {', '.join(missing)}")
    reviewed = meta["last_reviewed"]
    if not isinstance(reviewed, dt.date):
        raise _fail(where, f"last_reviewed {reviewed!r} is not a date like 2026-11-27")
    slug = str(meta["slug"])
    if slug not in TOPIC_ORDER:
        raise _fail(where, f"slug {slug!r} is not one of {', '.join(TOPIC_ORDER)}")
    parts = SECTION_RE.split(body)
    intro, rest = parts[0], parts[1:]
    sections = tuple(Section(slugify(rest[i]), rest[i], rest[i + 1]) for i in range(0, len(rest), 2))
    return Topic(
        slug=slug,
        order=TOPIC_ORDER.index(slug) + 1,
        title=str(meta["title"]),
        summary=str(meta["summary"]).strip(),
        last_reviewed=reviewed,
        citations=tuple(meta["citations"]),
        intro=intro,
        sections=sections,
    )


def parse_knowledge(data: Mapping[str, Any], topic_texts: Mapping[str, str]) -> KnowledgeBase:
    facts: dict[str, Fact] = {}
    for entry in data.get("facts") or ():
        fact = parse_fact(entry)
        if fact.id in facts:
            raise _fail(f"fact {fact.id}", "is defined twice")
        facts[fact.id] = fact
    tables = {
        key: Table(key, str(t["caption"]), tuple(t["columns"]), tuple(tuple(r) for r in t["rows"]))
        for key, t in (data.get("tables") or {}).items()
    }
    for table in tables.values():
        bad = [i for i, r in enumerate(table.rows) if len(r) != len(table.columns)]
        if bad:
            raise _fail(f"table {table.key}", f"row {bad[0] + 1} does not have {len(table.columns)} cells")
    registry = {
        key: RegistryTopic(key, str(t["label"]), str(t["query"]))
        for key, t in (data.get("registry_topics") or {}).items()
    }
    topics = sorted((parse_topic(text, name) for name, text in topic_texts.items()), key=lambda t: t.order)
    if [t.slug for t in topics] != list(TOPIC_ORDER):
        raise _fail("topics", f"expected one page for each of {', '.join(TOPIC_ORDER)}")
    kb = KnowledgeBase(facts, tables, registry, tuple(topics))
    validate(kb)
    return kb


# --- validation ---------------------------------------------------------------------------------

_BUILTIN_TABLES = {"routes"}  # rendered from ketnav.pharmacology's cited route data


def markers(text: str) -> tuple[list[str], list[tuple[str, str]]]:
    """(citation ids, [(kind, key)]) used in a piece of guide Markdown."""
    cites = [c.strip().lstrip("@") for group in CITE_RE.findall(text) for c in group.split(";")]
    return cites, MARKER_RE.findall(text)


def _sentences(text: str) -> list[str]:
    text = re.sub(r"^\s*(?:\d+\.|[-*])\s+", " ", text, flags=re.MULTILINE)  # list markers are not numbers
    text = re.sub(r"\]\([^)]*\)", "]", text)  # link targets
    text = re.sub(r"\s+", " ", text)
    return [s for s in re.split(r"(?<=[.!?])\s+(?=[A-Z*{\[(\"])", text) if s.strip()]


def uncited_numbers(text: str) -> list[str]:
    """Sentences that state a number without a citation or fact marker in the same sentence."""
    out = []
    for sentence in _sentences(text):
        bare = MARKER_RE.sub("", CITE_RE.sub("", sentence))
        if re.search(r"\d", bare) and not (CITE_RE.search(sentence) or "{{fact:" in sentence):
            out.append(sentence.strip())
    return out


def validate(kb: KnowledgeBase) -> None:
    refs = bibliography()
    problems: list[str] = []
    for fact in kb.facts.values():
        problems += [
            f"fact {fact.id}: citation {c!r} is not in the bibliography" for c in fact.citations if c not in refs
        ]
    texts = [(f"table {t.key}", cell) for t in kb.tables.values() for row in t.rows for cell in row]
    for topic in kb.topics:
        texts.append((f"topic {topic.slug}", topic.markdown))
        problems += [
            f"topic {topic.slug}: front-matter citation {c!r} is unknown" for c in topic.citations if c not in refs
        ]
        problems += [f"topic {topic.slug}: number without a citation: {s!r}" for s in uncited_numbers(topic.markdown)]
        ids = [s.id for s in topic.sections]
        if len(set(ids)) != len(ids):
            problems.append(f"topic {topic.slug}: two sections have the same heading")
    for where, text in texts:
        cites, used = markers(text)
        problems += [f"{where}: citation {c!r} is not in the bibliography" for c in cites if c not in refs]
        for kind, key in used:
            known = {"fact": kb.facts, "table": {**kb.tables, **dict.fromkeys(_BUILTIN_TABLES)}, "trials": kb.registry}
            if key not in known[kind]:
                problems.append(f"{where}: {{{{{kind}:{key}}}}} refers to nothing")
    if problems:
        raise ConfigurationError(f"guide: {len(problems)} problem(s): " + "; ".join(problems[:10]))


def citations_used(kb: KnowledgeBase) -> set[str]:
    """Every citation id the guide uses: markers in pages and tables, facts, and front matter."""
    used: set[str] = set()
    texts = [t.markdown for t in kb.topics] + [c for t in kb.tables.values() for r in t.rows for c in r]
    for text in texts:
        cites, found = markers(text)
        used.update(cites)
        used.update(c for kind, key in found if kind == "fact" for c in kb.facts[key].citations)
    used.update(c for t in kb.topics for c in t.citations)
    return used


def facts_in(text: str, kb: KnowledgeBase) -> list[Fact]:
    keys = [key for kind, key in MARKER_RE.findall(text) if kind == "fact"]
    return [kb.facts[k] for k in dict.fromkeys(keys)]


@cache
def knowledge() -> KnowledgeBase:
    package = resources.files("ketnav.guide")
    data = yaml.safe_load(package.joinpath("facts.yaml").read_text(encoding="utf-8"))
    topic_dir = package.joinpath("topics")
    texts = {p.name: p.read_text(encoding="utf-8") for p in topic_dir.iterdir() if p.name.endswith(".md")}
    return parse_knowledge(data, texts)


def live_count_queries() -> list[str]:
    """The registry queries behind the guide's live counts ("N open studies of ketamine for PTSD"): what
    search warm-ups compute first (about 0.2 s to read the guide's facts on first call)."""
    return [topic.query for topic in knowledge().registry.values()]
