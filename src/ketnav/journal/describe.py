"""One-line descriptions of journal entries, for the timeline, the audit and the clinician summary."""

from __future__ import annotations

from typing import Any

from ketnav.journal.schemas import ROUTE_CHOICES
from ketnav.journal.vitals import bp_category
from ketnav.safety.side_effects import CLASS_LABELS, effects
from ketnav.scales.definitions import get_scale


def effect_label(effect_id: str) -> str:
    effect = effects().get(effect_id)
    return effect.label if effect else effect_id


def describe(slug: str, entry: Any) -> str:
    if slug == "sessions":
        route = ROUTE_CHOICES.get(entry.route, entry.route)
        parts = [route[:1].upper() + route[1:]]
        parts += [p for p in (entry.dose, entry.clinic) if p]
        return ", ".join(parts)
    if slug == "scales":
        scale = get_scale(entry.scale)
        return f"{scale.name}: {entry.total} of {scale.max_total} ({entry.severity})"
    if slug == "side-effects":
        names = "; ".join(effect_label(e) for e in entry.effects)
        return f"{names}. {CLASS_LABELS.get(entry.level, entry.level)}"
    if slug == "vitals":
        hr = f", heart rate {entry.heart_rate}/min" if entry.heart_rate else ""
        category = bp_category(systolic=entry.systolic, diastolic=entry.diastolic).label
        return f"Blood pressure {entry.systolic}/{entry.diastolic} mmHg ({category}){hr}"
    text: str = entry.text
    return text if len(text) <= 140 else text[:139] + "…"
