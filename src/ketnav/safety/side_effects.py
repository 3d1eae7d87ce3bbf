"""Side-effect check after a session: each effect classed as expected, report, or urgent, with sources.

An expected effect that lasts well beyond when it usually resolves is raised to "report".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources

import yaml

from ketnav.citations.bibliography import Reference, resolve
from ketnav.errors import ErrorDetail, InvalidInput

CLASSES = ("urgent", "report", "expected")
CLASS_LABELS = {
    "urgent": "Seek urgent care now",
    "report": "Tell your provider",
    "expected": "Expected, usually gone within hours",
}


@dataclass(frozen=True)
class Effect:
    id: str
    label: str
    cls: str
    note: str
    citations: tuple[str, ...]
    usually_gone_h: float | None = None


@dataclass(frozen=True)
class Assessed:
    effect: Effect
    level: str
    reason: str
    references: tuple[Reference, ...]


CRISIS_EFFECTS = frozenset({"self-harm"})  # effects that bring up the crisis contacts, on their own


@dataclass(frozen=True)
class SideEffectResult:
    assessed: tuple[Assessed, ...]
    level: str  # the most serious level found, or "none"
    hours_since_session: float
    crisis: bool = False  # thoughts of self-harm were reported: show the crisis contacts first


@cache
def effects() -> dict[str, Effect]:
    raw = yaml.safe_load(resources.files("ketnav.safety").joinpath("side_effects.yaml").read_text(encoding="utf-8"))
    out = {}
    for entry in raw:
        effect = Effect(
            id=entry["id"],
            label=entry["label"],
            cls=entry["class"],
            note=entry["note"],
            citations=tuple(entry["citations"]),
            usually_gone_h=entry.get("usually_gone_h"),
        )
        resolve(effect.citations)
        out[effect.id] = effect
    return out


def check(selected: Sequence[str], *, session_end: dt.datetime, now: dt.datetime) -> SideEffectResult:
    problems = [ErrorDetail("effects", f"unknown effect {e[:40]!r}") for e in selected if e not in effects()]
    if session_end > now:
        problems.append(ErrorDetail("session_end", "the session end time is in the future"))
    if now - session_end > dt.timedelta(days=60):
        problems.append(ErrorDetail("session_end", "the session ended more than 60 days ago; talk to your provider"))
    if problems:
        raise InvalidInput(f"{problems[0].location}: {problems[0].message}", details=problems)
    hours = (now - session_end).total_seconds() / 3600
    assessed = []
    for effect_id in dict.fromkeys(selected):
        effect = effects()[effect_id]
        level, reason = effect.cls, effect.note
        if effect.cls == "expected" and effect.usually_gone_h is not None and hours > effect.usually_gone_h:
            level = "report"
            reason = (
                f"{effect.note} It has lasted about {hours:.0f} hours since the session, longer than usual, "
                "so let your provider know."
            )
        assessed.append(Assessed(effect, level, reason, tuple(resolve(effect.citations))))
    assessed.sort(key=lambda a: CLASSES.index(a.level))
    level = assessed[0].level if assessed else "none"
    return SideEffectResult(tuple(assessed), level, round(hours, 1), crisis=bool(CRISIS_EFFECTS & set(selected)))
