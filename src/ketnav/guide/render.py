"""Guide Markdown to HTML and to plain text, with citations, facts and tables filled in.

Pure (no Django). Markers are swapped for opaque placeholders before Markdown runs and for their HTML
after, so Markdown never sees (or mangles) our HTML, and every piece of text we insert is escaped.
Live registry counts need the database, so they are left as ``<!--ketnav:trials:KEY-->`` slots that
the web layer fills per request.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

import markdown as md

from ketnav.citations.bibliography import Reference, bibliography
from ketnav.guide.knowledge import (
    CITE_RE,
    MARKER_RE,
    Fact,
    KnowledgeBase,
    Topic,
    citations_used,
    facts_in,
    knowledge,
    markers,
)
from ketnav.guide.readability import Readability, measure

REFERENCES_URL = "/guide/references/"
ROUTE_COLUMNS = (
    ("bioavailability", "Share reaching the blood"),
    ("onset", "Effects start"),
    ("duration", "Effects last"),
    ("setting", "Where"),
    ("typical_use", "Typical use"),
)


def slot(key: str) -> str:
    return f"<!--ketnav:trials:{key}-->"


SLOT_RE = re.compile(r"<!--ketnav:trials:([a-z0-9-]+)-->")


def cite_html(ids: list[str], refs_url: str = REFERENCES_URL) -> str:
    refs = bibliography()
    links = [
        f'<a class="cite" href="{refs_url}#ref-{i}" title="{html.escape(refs[i].title)}">'
        f"{html.escape(refs[i].short)}</a>"
        for i in ids
    ]
    return '<span class="cites">(' + "; ".join(links) + ")</span>"


def fact_html(fact: Fact) -> str:
    title = f"{fact.study}. {fact.population}. Confidence {fact.confidence}."
    return f'<a class="fact" href="#fact-{fact.id}" title="{html.escape(title)}">{html.escape(fact.display)}</a>'


def _ids(group: str) -> list[str]:
    return [c.strip().lstrip("@") for c in group.split(";")]


def inline_html(text: str, kb: KnowledgeBase, refs_url: str = REFERENCES_URL) -> str:
    """A table cell or short text: escaped, with citation and fact markers as links."""
    out, last = [], 0
    pattern = re.compile(f"{CITE_RE.pattern}|{MARKER_RE.pattern}")
    for m in pattern.finditer(text):
        out.append(html.escape(text[last : m.start()]))
        if m.group(1):
            out.append(cite_html(_ids(m.group(1)), refs_url))
        elif m.group(2) == "fact":
            out.append(fact_html(kb.facts[m.group(3)]))
        last = m.end()
    out.append(html.escape(text[last:]))
    return "".join(out)


def table_html(key: str, kb: KnowledgeBase, refs_url: str = REFERENCES_URL) -> str:
    if key == "routes":
        return _routes_table(refs_url)
    table = kb.tables[key]
    head = "".join(f'<th scope="col">{html.escape(c)}</th>' for c in table.columns)
    body = "".join(
        "<tr>"
        + f'<th scope="row">{inline_html(row[0], kb, refs_url)}</th>'
        + "".join(f"<td>{inline_html(c, kb, refs_url)}</td>" for c in row[1:])
        + "</tr>"
        for row in table.rows
    )
    return (
        f'<div class="table-wrap"><table class="data"><caption>{html.escape(table.caption)}</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>"
    )


def _routes_table(refs_url: str) -> str:
    from ketnav.pharmacology.comparison import route_rows

    head = '<th scope="col">Route</th>' + "".join(f'<th scope="col">{label}</th>' for _, label in ROUTE_COLUMNS)
    head += '<th scope="col">Evidence grade</th><th scope="col">Sources</th>'
    rows = []
    for row in route_rows():
        cells = "".join(f"<td>{html.escape(row.facts[k])}</td>" for k, _ in ROUTE_COLUMNS)
        cites = cite_html([r.id for r in row.references], refs_url)
        rows.append(
            f'<tr><th scope="row">{html.escape(row.name)}</th>{cells}<td>{row.evidence}</td><td>{cites}</td></tr>'
        )
    return (
        '<div class="table-wrap"><table class="data"><caption>Routes of ketamine side by side</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>"
    )


def _convert(text: str, replace: Callable[[re.Match[str]], tuple[str, bool]]) -> str:
    """Markdown to HTML, with each marker replaced by ``replace(match) -> (html, is_block)``."""
    stash: list[tuple[str, bool]] = []

    def hold(m: re.Match[str]) -> str:
        stash.append(replace(m))
        token = f"KNVMARK{len(stash) - 1}X"
        return f"\n\n{token}\n\n" if stash[-1][1] else token

    pattern = re.compile(f"{CITE_RE.pattern}|{MARKER_RE.pattern}")
    # Our Markdown never needs raw HTML, so it is escaped: only the renderer's own pieces are HTML.
    source = pattern.sub(hold, text).replace("&", "&amp;").replace("<", "&lt;")
    out = md.markdown(source, output_format="html")
    for i, (piece, block) in enumerate(stash):
        token = f"KNVMARK{i}X"
        out = out.replace(f"<p>{token}</p>", piece) if block else out.replace(token, piece)
    return out


def to_html(text: str, kb: KnowledgeBase, refs_url: str = REFERENCES_URL) -> str:
    def replace(m: re.Match[str]) -> tuple[str, bool]:
        if m.group(1):
            return cite_html(_ids(m.group(1)), refs_url), False
        kind, key = m.group(2), m.group(3)
        if kind == "fact":
            return fact_html(kb.facts[key]), False
        if kind == "table":
            return table_html(key, kb, refs_url), True
        return slot(key), True

    return _convert(text, replace)


def plain_inline(text: str, kb: KnowledgeBase, *, citations: bool = False) -> str:
    """A table cell or short text as plain text: facts as numbers, citations as "[Glue 2017]" or dropped."""
    refs = bibliography()
    text = MARKER_RE.sub(lambda m: kb.facts[m.group(2)].display if m.group(1) == "fact" else "", text)
    text = CITE_RE.sub(lambda m: f"[{'; '.join(refs[i].short for i in _ids(m.group(1)))}]" if citations else "", text)
    return re.sub(r"\s+([.,;:)])", r"\1", re.sub(r"\s{2,}", " ", text)).strip()


def to_text(text: str, kb: KnowledgeBase, *, citations: bool = False, tables: bool = False) -> str:
    """Plain text of guide Markdown. Registry slots are dropped; data tables only when ``tables``."""

    def replace(m: re.Match[str]) -> tuple[str, bool]:
        if m.group(1) or m.group(2) == "fact":
            return html.escape(plain_inline(m.group(0), kb, citations=citations)), False
        key = m.group(3)
        if m.group(2) == "table" and tables and key in kb.tables:
            table = kb.tables[key]
            lines = [f"{table.caption}:"]
            for row in table.rows:
                cells = zip(table.columns[1:], row[1:], strict=True)
                lines.append(
                    f"- {row[0]}. " + " ".join(f"{c}: {plain_inline(v, kb, citations=citations)}." for c, v in cells)
                )
            return "<p>" + "<br>".join(html.escape(line) for line in lines) + "</p>", True
        return "", True

    body = re.sub(r"\s*\n\s*", " ", _convert(text, replace))
    body = re.sub(r"</(p|h\d|ul|ol)>", "\n\n", body)
    body = re.sub(r"</li>|<br>", "\n", body).replace("<li>", "- ")
    plain = html.unescape(re.sub(r"<[^>]+>", "", body))
    plain = re.sub(r"[ \t]+([.,;:)])", r"\1", re.sub(r"[ \t]{2,}", " ", plain))
    plain = re.sub(r"(?m)^[ \t]+", "", plain)
    return re.sub(r"\n{3,}", "\n\n", plain).strip()


@dataclass(frozen=True)
class RenderedSection:
    id: str
    title: str
    html: str
    text: str


@dataclass(frozen=True)
class RenderedTopic:
    topic: Topic
    intro_html: str
    intro_text: str
    sections: tuple[RenderedSection, ...]
    facts: tuple[Fact, ...]
    references: tuple[Reference, ...]
    readability: Readability
    registry_keys: tuple[str, ...]


def render_topic(topic: Topic, kb: KnowledgeBase, refs_url: str = REFERENCES_URL) -> RenderedTopic:
    sections = tuple(
        RenderedSection(s.id, s.title, to_html(s.markdown, kb, refs_url), to_text(s.markdown, kb))
        for s in topic.sections
    )
    source = topic.markdown
    tables = [kb.tables[k] for kind, k in MARKER_RE.findall(source) if kind == "table" and k in kb.tables]
    table_text = " ".join(c for t in tables for r in t.rows for c in r)
    facts = tuple(facts_in(source + " " + table_text, kb))
    cited, _ = markers(source + " " + table_text)
    ids = list(dict.fromkeys([*cited, *(c for f in facts for c in f.citations), *topic.citations]))
    if "{{table:routes}}" in source:
        from ketnav.pharmacology.comparison import route_rows

        ids += [r.id for row in route_rows() for r in row.references if r.id not in ids]
    refs = bibliography()
    references = tuple(sorted((refs[i] for i in ids), key=lambda r: (r.authors.casefold(), r.year)))
    prose = "\n\n".join([to_text(topic.intro, kb), *(s.text for s in sections)])
    return RenderedTopic(
        topic=topic,
        intro_html=to_html(topic.intro, kb, refs_url),
        intro_text=to_text(topic.intro, kb),
        sections=sections,
        facts=facts,
        references=references,
        readability=measure(prose),
        registry_keys=tuple(k for kind, k in MARKER_RE.findall(source) if kind == "trials"),
    )


@cache
def rendered(slug: str) -> RenderedTopic | None:
    kb = knowledge()
    topic = kb.topic(slug)
    return render_topic(topic, kb) if topic else None


def guide_citations() -> set[str]:
    """Citations the guide shows: its own markers and facts, plus the route table's sources."""
    from ketnav.pharmacology.comparison import route_rows

    return citations_used(knowledge()) | {r.id for row in route_rows() for r in row.references}
