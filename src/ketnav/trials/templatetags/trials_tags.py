from __future__ import annotations

import re
from urllib.parse import urlencode

from django import template
from django.http import QueryDict
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString

from ketnav.trials import richtext

register = template.Library()

STATUS_LABELS = {
    "RECRUITING": "Recruiting", "NOT_YET_RECRUITING": "Not yet recruiting",
    "ENROLLING_BY_INVITATION": "Enrolling by invitation", "ACTIVE_NOT_RECRUITING": "Active, not recruiting",
    "COMPLETED": "Completed", "SUSPENDED": "Suspended", "TERMINATED": "Terminated", "WITHDRAWN": "Withdrawn",
    "UNKNOWN": "Status unknown", "": "Status not given",
}  # fmt: skip
PHASE_LABELS = {
    "EARLY_PHASE1": "Early phase 1",
    "PHASE1": "Phase 1",
    "PHASE2": "Phase 2",
    "PHASE3": "Phase 3",
    "PHASE4": "Phase 4",
    "NA": "No phase",
}


@register.filter
def status_label(code: str) -> str:
    return STATUS_LABELS.get(code, code.replace("_", " ").capitalize())


@register.filter
def status_class(code: str) -> str:
    if code in {"RECRUITING", "NOT_YET_RECRUITING", "ENROLLING_BY_INVITATION"}:
        return "open"
    if code in {"ACTIVE_NOT_RECRUITING", "SUSPENDED"}:
        return "paused"
    return "closed"


@register.filter
def phase_label(code: str) -> str:
    return PHASE_LABELS.get(code, code)


@register.filter
def code_label(code: str) -> str:
    return code.replace("_", " ").capitalize()


@register.filter
def value_of(values: dict[str, str], name: str) -> str:
    """``values[name]``, or "" when absent: one lookup instead of a loop over every value in a template."""
    return values.get(name, "")


@register.filter
def registry_html(text: str, source_format: str = "v2") -> SafeString:
    """A registry text field (summary, description) as the Markdown it is: sanitised block HTML."""
    return SafeString(richtext.to_html(text or "", source_format=source_format))


@register.filter
def registry_inline(text: str, source_format: str = "v2") -> SafeString:
    """A short registry text (a criterion, an outcome) as sanitised inline HTML, escapes resolved."""
    return SafeString(richtext.to_inline_html(text or "", source_format=source_format))


# A Markdown backslash escape (``\>``): snippets are cut from the raw registry text, so they carry them.
_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")


def _snippet_piece(text: str, matched: bool) -> str:
    shown = str(conditional_escape(_ESCAPE.sub(r"\1", text)))
    return f"<mark>{shown}</mark>" if matched else shown


@register.simple_tag
def marked(segments: list[tuple[str, bool]]) -> SafeString:
    """Snippet segments to HTML: every piece escaped, matched words in <mark>, Markdown escapes resolved."""
    return SafeString("".join(_snippet_piece(t, m) for t, m in segments))


_ENCODED = "trials_tags.with_param"  # key of the encoded query string in a render's render_context


def _encoded(context: template.Context) -> dict[str, list[str]]:
    """The request's parameters, each value already encoded as QueryDict.urlencode encodes it, computed once
    per render: a page of results and facets links to some forty variants of its own query string, and
    copying and encoding the whole QueryDict for each cost a fifth of the page."""
    found: dict[str, list[str]] | None = context.render_context.get(_ENCODED)
    if found is None:
        params: QueryDict = context["request"].GET
        found = {key: [_pair(params, key, v) for v in values] for key, values in params.lists()}
        context.render_context[_ENCODED] = found
    return found


def _pair(params: QueryDict, key: str, value: object) -> str:
    return urlencode({key.encode(params.encoding): str(value).encode(params.encoding)})


@register.simple_tag(takes_context=True)
def with_param(context: template.Context, key: str, value: object) -> str:
    """The current query string with one parameter set (and paging reset): what ``QueryDict.copy()``,
    setting ``key`` and ``urlencode()`` give, without the copy."""
    pairs = dict(_encoded(context))  # key order kept; a new key goes last, as QueryDict puts it
    pairs[key] = [_pair(context["request"].GET, key, value)]
    if key != "page":
        pairs.pop("page", None)
    return "?" + "&".join(piece for pieces in pairs.values() for piece in pieces)
