"""SVG for pages under a strict Content-Security-Policy (``style-src 'self'``).

matplotlib writes each element's look as a ``style="fill: none; stroke: #000"`` attribute plus one
``<style>`` element. Inlined in a page, the browser ignores both under the policy, and a chart would
lose its lines and colours. Every property matplotlib uses is also an SVG presentation attribute
(``fill="none" stroke="#000"``), which the policy allows, so the chart keeps its exact look.
Pure text processing: no Django, no matplotlib.
"""

from __future__ import annotations

import html
import re

_STYLE_ATTRIBUTE = re.compile(r'\sstyle="([^"]*)"')
_STYLE_ELEMENT = re.compile(r"<style[^>]*>(.*?)</style>", re.S)
_UNIVERSAL_RULE = re.compile(r"\*\s*\{([^}]*)\}")
_PROPERTY = re.compile(r"^[a-z-]+$")


def _attributes(declarations: str) -> str:
    out = []
    for declaration in html.unescape(declarations).split(";"):
        name, sep, value = declaration.partition(":")
        name, value = name.strip(), value.strip()
        if sep and _PROPERTY.match(name) and value:
            out.append(f' {name}="{html.escape(value, quote=True)}"')
    return "".join(out)


def presentation_attributes(svg: str) -> str:
    """The same drawing with ``style`` attributes and the ``* {...}`` style rule as SVG attributes."""
    inherited = "".join(
        _attributes(rule) for block in _STYLE_ELEMENT.findall(svg) for rule in _UNIVERSAL_RULE.findall(block)
    )
    svg = _STYLE_ELEMENT.sub("", svg)
    svg = _STYLE_ATTRIBUTE.sub(lambda m: _attributes(m.group(1)), svg)
    # A "* {...}" rule applied to every element; on the root element the same values are inherited.
    return svg.replace("<svg", "<svg" + inherited, 1) if inherited else svg
