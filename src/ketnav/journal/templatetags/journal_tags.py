"""Small template helpers for the journal's forms and tables."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def get(mapping: Any, key: str) -> Any:
    """``values|get:"dose"``: a dict lookup with a variable key (empty string when absent)."""
    if isinstance(mapping, dict):
        value = mapping.get(key, "")
        return "" if value is None else value
    return ""


@register.filter
def contains(values: Any, item: Any) -> bool:
    return isinstance(values, list | tuple | set) and item in values


@register.filter
def signed(value: int | None) -> str:
    """+3, -5, 0: a change with its direction."""
    if value is None:
        return ""
    return f"+{value}" if value > 0 else str(value)


@register.filter
def item_key(number: int) -> str:
    return f"item{number}"


@register.filter(name="abs")
def absolute(value: float | None) -> float | None:
    return None if value is None else abs(value)
