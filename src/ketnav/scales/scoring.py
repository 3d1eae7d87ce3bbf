"""Scoring exactly as published, and response and remission against a person's own baseline.

Every scale here is scored by summing its item scores (GAD-7: 7 items 0-3, total 0-21; PHQ-9: 9 items
0-3, total 0-27; PCL-5: 20 items 0-4, total 0-80). No item is reversed or weighted, and a scale with a
missing answer is not scored (prorating is not part of these scales' published scoring).

>>> score("gad7", [3, 3, 3, 2, 2, 2, 1]).total, score("gad7", [3, 3, 3, 2, 2, 2, 1]).severity
(16, 'severe')
>>> score("phq9", [0, 0, 0, 0, 0, 0, 0, 0, 1]).crisis
True
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from ketnav.errors import ErrorDetail, InvalidInput
from ketnav.scales.definitions import Band, Scale, get_scale

RESPONSE_REDUCTION = 0.5  # response: the total has fallen by at least half from the person's baseline


@dataclass(frozen=True)
class ScaleScore:
    scale: Scale
    answers: tuple[int, ...]
    total: int
    band: Band
    crisis: bool  # an answer touches thoughts of death or self-harm: show crisis resources now

    @property
    def severity(self) -> str:
        return self.band.label


def parse_answers(scale: Scale, answers: object) -> tuple[int, ...]:
    """Check the answers are exactly the scale's items, each a whole number in the option range."""
    if not isinstance(answers, list | tuple):
        raise InvalidInput(f"answers: give a list of {len(scale.items)} numbers")
    if len(answers) != len(scale.items):
        raise InvalidInput(
            f"answers: {scale.name} has {len(scale.items)} questions; got {len(answers)} answers",
            details=[ErrorDetail("answers", f"expected {len(scale.items)} answers, got {len(answers)}")],
        )
    problems = []
    for i, value in enumerate(answers):
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= scale.max_item:
            problems.append(
                ErrorDetail(
                    f"answers[{i}]", f"question {i + 1}: {value!r} is not a whole number from 0 to {scale.max_item}"
                )
            )
    if problems:
        raise InvalidInput(f"{problems[0].location}: {problems[0].message}", details=problems)
    return tuple(int(v) for v in answers)


def touches_self_harm(scale: Scale, answers: Sequence[int]) -> bool:
    """PHQ-9 item 9 above "Not at all" (or any scale's crisis item): crisis resources, whatever the total."""
    return any(answers[item - 1] > 0 for item in scale.crisis_items)


def score(scale_id: str, answers: object) -> ScaleScore:
    scale = get_scale(scale_id)
    values = parse_answers(scale, answers)
    total = sum(values)
    return ScaleScore(scale, values, total, scale.band(total), touches_self_harm(scale, values))


def cluster_totals(scale: Scale, answers: Sequence[int]) -> list[tuple[str, int]]:
    """PCL-5 symptom-cluster totals (B-E), as the National Center for PTSD describes scoring them."""
    return [(c.name, sum(answers[c.first - 1 : c.last])) for c in scale.clusters]


@dataclass(frozen=True)
class Reading:
    taken_on: dt.date
    total: int


@dataclass(frozen=True)
class Outcome:
    """Where the latest score stands against the person's own baseline."""

    scale: Scale
    baseline: Reading
    latest: Reading
    change: int  # latest - baseline (negative is better)
    reduction_pct: float | None  # None when the baseline is 0
    response: bool | None  # None when the baseline is 0 (it cannot halve) or there is one score only
    remission: bool
    response_threshold: float  # the total at or below which the latest score is a response
    meaningful_change: bool | None  # PCL-5 only: a fall of at least 10 points


def choose_baseline(readings: Sequence[Reading], *, first_session: dt.date | None) -> Reading:
    """The baseline is the last score taken on or before the first treatment session; without one
    (no sessions recorded, or every score came later) it is the earliest score."""
    if not readings:
        raise InvalidInput("readings: no scores yet")
    ordered = sorted(readings, key=lambda r: r.taken_on)
    if first_session is not None:
        before = [r for r in ordered if r.taken_on <= first_session]
        if before:
            return before[-1]
    return ordered[0]


def outcome(scale: Scale, *, baseline: Reading, latest: Reading) -> Outcome:
    change = latest.total - baseline.total
    reduction = None if baseline.total == 0 else -change / baseline.total * 100
    same = latest == baseline
    response = None if baseline.total == 0 or same else latest.total <= baseline.total * RESPONSE_REDUCTION
    meaningful = None if scale.meaningful_change is None or same else -change >= scale.meaningful_change
    return Outcome(
        scale=scale,
        baseline=baseline,
        latest=latest,
        change=change,
        reduction_pct=None if reduction is None else round(reduction, 1),
        response=response,
        remission=latest.total < scale.remission.below,
        response_threshold=baseline.total * RESPONSE_REDUCTION,
        meaningful_change=meaningful,
    )
