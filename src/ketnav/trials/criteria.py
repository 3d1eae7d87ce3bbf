"""Splitting a study's free-text eligibility criteria into inclusion and exclusion items.

Pure. Kept apart from ``parsing.py`` (which builds ``record.PartialDate``) because ``record.Eligibility``
splits its criteria on first use: with the splitter in ``parsing.py`` the two modules imported each other.
"""

from __future__ import annotations

import re

_HEADER_RE = re.compile(
    r"^\s*(?:[#*_\[\s]*)(?:key\s+|main\s+|major\s+|general\s+)?(inclusion|exclusion)\s+criteria\b[^:\n]*:?\s*[*_\]]*\s*$",
    re.I,
)
_INLINE_HEADER_RE = re.compile(r"^\s*(?:[#*_\s]*)(inclusion|exclusion)\s+criteria\s*[:\-]\s*(\S.*)$", re.I)
_BULLET_RE = re.compile(r"^\s*(?:[-*•·▪◦o]\s+|\(?\d{1,3}[.)]\s*|\(?[a-zA-Z][.)]\s+|[ivxIVX]{1,4}[.)]\s+)")


def split_criteria(text: str) -> tuple[tuple[str, ...], tuple[str, ...], bool]:
    """Split free-text criteria into inclusion and exclusion items.

    Returns (inclusion, exclusion, sectioned). Without any "Inclusion/Exclusion Criteria" header the
    items are all returned as inclusion and ``sectioned`` is False, so a pre-screen can say it is unsure.
    """
    inclusion: list[str] = []
    exclusion: list[str] = []
    current: list[str] | None = None
    sectioned = False
    item: list[str] = []

    def flush() -> None:
        if item:
            joined = " ".join(" ".join(item).split())
            if joined:
                (current if current is not None else inclusion).append(joined)
            item.clear()

    for raw_line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = raw_line.strip()
        if not line:
            flush()
            continue
        header = _HEADER_RE.match(line)
        inline = None if header else _INLINE_HEADER_RE.match(line)
        if header or inline:
            flush()
            kind = (header or inline).group(1).lower()  # type: ignore[union-attr]
            current = inclusion if kind == "inclusion" else exclusion
            sectioned = True
            if inline:
                item.append(inline.group(2))
            continue
        if _BULLET_RE.match(line):
            flush()
            item.append(_BULLET_RE.sub("", line, count=1))
        else:
            item.append(line)
    flush()
    return tuple(inclusion), tuple(exclusion), sectioned
