"""ClinicalTrials.gov's free text, shown as its authors meant it: HTML for pages, plain text for terminals.

API v2 text fields (summaries, descriptions, criteria, arms) are CommonMark: ``Age \\>= 18`` is an
escaped ``>``, ``* item`` a list. Shown raw they read as noise. They are parsed with markdown-it
(CommonMark, which Python-Markdown is not: it leaves ``\\<`` escaped) and the HTML is sanitised with
nh3 against a short list of tags, because the text comes from outside. Legacy XML text blocks are
plain text with hard line wraps, never Markdown, and are only re-flowed.

Pure: no Django, no I/O.
"""

from __future__ import annotations

import html
import re
from functools import cache
from typing import TYPE_CHECKING

import nh3

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token
    from markdown_it.tree import SyntaxTreeNode

# What registry text may become on our pages. No images (they would load from another host, and the
# site promises nothing leaves the machine), no style attributes (the Content-Security-Policy forbids
# them), no raw HTML (markdown-it escapes it; nh3 would strip it anyway).
ALLOWED_TAGS = frozenset(
    {"p", "br", "ul", "ol", "li", "strong", "em", "b", "i", "code", "pre", "blockquote", "a", "h3", "h4"}
    | {"table", "thead", "tbody", "tr", "th", "td", "sup", "sub", "hr", "del", "s"}
)
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
_BULLET_LINE = re.compile(r"^\s*(?:[-*•·▪◦]|\d{1,3}[.)]|[a-zA-Z][.)])\s+")


@cache
def _parser() -> MarkdownIt:
    """One parser, built once. markdown-it parsers hold only their rules (no state between calls), so
    request threads may share it."""
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable("table")
    # Indented code blocks: registry text indents wrapped lines and nested criteria by four spaces or
    # more, never to show code, and a <pre> would run off a phone's screen.
    md.disable("code")
    return md


def _sanitise(markup: str) -> str:
    return nh3.clean(
        markup,
        tags=set(ALLOWED_TAGS),
        attributes={k: set(v) for k, v in ALLOWED_ATTRIBUTES.items()},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )


def to_html(text: str, *, source_format: str = "v2", heading_level: int = 3) -> str:
    """A text field as sanitised block HTML (paragraphs, lists, tables). Headings inside the text
    become ``heading_level`` so they sit under the page's own headings."""
    if not text.strip():
        return ""
    if source_format == "xml":
        return _plain_html(text)
    tokens = _parser().parse(text)
    for token in tokens:
        if token.type in {"heading_open", "heading_close"}:
            token.tag = f"h{heading_level}"
    return _sanitise(_parser().renderer.render(tokens, _parser().options, {}))


def to_inline_html(text: str, *, source_format: str = "v2") -> str:
    """A short field (one criterion, an outcome) as sanitised inline HTML: escapes resolved,
    emphasis kept, no paragraphs."""
    if source_format == "xml":
        return html.escape(" ".join(text.split()))
    return _sanitise(_parser().renderInline(text))


def to_text(text: str, *, source_format: str = "v2") -> str:
    """A text field as plain text for a terminal: escapes resolved, emphasis marks dropped, lists as
    ``- item`` or ``1. item``, paragraphs separated by a blank line."""
    if not text.strip():
        return ""
    if source_format == "xml":
        return "\n\n".join("\n".join(lines) for lines in _plain_paragraphs(text))
    from markdown_it.tree import SyntaxTreeNode

    return _blocks(SyntaxTreeNode(_parser().parse(text)).children, "\n\n")


def to_inline_text(text: str, *, source_format: str = "v2") -> str:
    if source_format == "xml":
        return " ".join(text.split())
    from markdown_it.tree import SyntaxTreeNode

    inline: list[Token] = _parser().parseInline(text)
    return " ".join(_inline(SyntaxTreeNode(inline[0].children or [])).split()) if inline else ""


# --- plain text out of the Markdown tree ------------------------------------------------------------


def _blocks(nodes: list[SyntaxTreeNode], joiner: str) -> str:
    return joiner.join(part for part in (_block(n) for n in nodes) if part)


def _block(node: SyntaxTreeNode) -> str:
    kind = node.type
    if kind in {"paragraph", "heading"}:
        return _inline(node.children[0]).strip() if node.children else ""
    if kind in {"bullet_list", "ordered_list"}:
        start = int(str(node.attrs.get("start", 1)))
        items = []
        for number, item in enumerate(node.children, start=start):
            marker = "- " if kind == "bullet_list" else f"{number}. "
            body = _blocks(item.children, "\n")
            items.append(_hang(marker, body))
        return "\n".join(items)
    if kind == "blockquote":
        return _hang("  ", _blocks(node.children, "\n\n"))
    if kind in {"fence", "code_block"}:
        return node.content.rstrip("\n")
    if kind == "hr":
        return "---"
    if kind == "table":
        rows = [row for section in node.children for row in section.children]
        return "\n".join(" | ".join(_inline(cell.children[0]).strip() for cell in row.children) for row in rows)
    return _blocks(node.children, "\n")


def _inline(node: SyntaxTreeNode) -> str:
    out: list[str] = []
    for child in node.children:
        kind = child.type
        if kind in {"text", "code_inline", "html_inline"}:
            out.append(child.content)
        elif kind in {"softbreak", "hardbreak"}:
            out.append("\n")
        elif kind == "link":
            label, href = _inline(child), str(child.attrs.get("href", ""))
            out.append(label if label.strip() in {href, ""} else f"{label} ({href})")
        elif kind == "image":
            out.append(_inline(child))
        else:  # em, strong, s: keep the words, drop the marks
            out.append(_inline(child))
    return "".join(out)


def _hang(marker: str, body: str) -> str:
    lines = body.split("\n") or [""]
    pad = " " * len(marker)
    return "\n".join([marker + lines[0], *(pad + line if line else line for line in lines[1:])])


# --- legacy XML text blocks -------------------------------------------------------------------------


def _plain_paragraphs(text: str) -> list[list[str]]:
    """Paragraphs (split on blank lines) of lines: hard-wrapped lines are joined again, while a line
    that starts a list item starts a new line."""
    paragraphs: list[list[str]] = []
    for block in re.split(r"\n\s*\n", text.replace("\r\n", "\n").strip()):
        lines: list[str] = []
        for raw in block.split("\n"):
            line = " ".join(raw.split())
            if not line:
                continue
            if lines and not _BULLET_LINE.match(raw):
                lines[-1] += " " + line
            else:
                lines.append(line)
        if lines:
            paragraphs.append(lines)
    return paragraphs


def _plain_html(text: str) -> str:
    return "".join(
        "<p>" + "<br>".join(html.escape(line) for line in lines) + "</p>" for lines in _plain_paragraphs(text)
    )


# --- summary and description ------------------------------------------------------------------------


def without_repeat(detailed: str, summary: str) -> str:
    """The detailed description minus what the brief summary already said.

    Many records repeat the summary word for word as the start (or the whole) of the description;
    a page that shows both would say it twice. The summary's exact run of words (whitespace aside) is
    cut, then any paragraph equal to one of the summary's, then the runs of the summary's longer
    paragraphs (six words or more, so a heading such as "Background:" is never cut from the middle
    of a sentence). What is left is returned as written, or "" when nothing new remains."""
    if not detailed.strip() or not summary.strip():
        return detailed.strip()

    def norm(s: str) -> str:
        return " ".join(s.split()).casefold()

    def cut(words: list[str], text: str) -> str:
        run = re.compile(r"\s+".join(re.escape(w) for w in words), re.IGNORECASE)
        return run.sub("", text, count=1)

    paragraphs = [p for p in re.split(r"\n\s*\n", summary) if p.strip()]
    rest = cut(summary.split(), detailed.strip())
    said = {norm(p) for p in paragraphs}
    rest = "\n\n".join(p for p in re.split(r"\n\s*\n", rest) if p.strip() and norm(p) not in said)
    for paragraph in paragraphs:
        if len(paragraph.split()) >= 6:
            rest = cut(paragraph.split(), rest)
    rest = "\n\n".join(p.strip() for p in re.split(r"\n\s*\n", rest) if p.strip())
    return rest if rest.strip(" \n.") else ""
