"""Filters every template may use without ``{% load %}`` (registered as a template builtin)."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def count(value: int | str | None) -> str:
    """A count with thousands separators ("12,345 studies"), so large numbers read at a glance.
    None or "" (nothing counted yet) shows as nothing."""
    if value is None or value == "":
        return ""
    return f"{int(value):,}"
