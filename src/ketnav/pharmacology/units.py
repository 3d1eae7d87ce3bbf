"""Doses, durations and weights as people write them, parsed with explicit units and sane bounds."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ketnav.errors import InvalidInput

# The highest dose in the ketamine (Ketalar) label is 13 mg/kg (IM induction of anaesthesia); a fixed dose
# is checked against it once the weight is known (simulate._check_dose). The mg cap here only stops
# nonsense before that: 13 mg/kg at the 350 kg upper weight limit.
MAX_DOSE_MG_PER_KG = 13.0
MAX_DOSE_MG = 4_550.0
_DOSE_RE = re.compile(
    r"^\s*(?P<num>-?\d+(?:\.\d+)?)\s*(?P<unit>mg/kg|mg|mcg/kg|µg/kg|ug/kg|mcg|µg|ug|g)\b"
    r"(?:\s+over\s+(?P<dur>-?\d+(?:\.\d+)?)\s*(?P<dunit>min|mins|minutes|minute|h|hr|hrs|hour|hours|s|sec|seconds))?\s*$",
    re.I,
)
_DURATION_RE = re.compile(
    r"^\s*(?P<num>-?\d+(?:\.\d+)?)\s*(?P<unit>min|mins|minutes|minute|h|hr|hrs|hour|hours|s|sec|seconds)?\s*$", re.I
)
_TO_MG = {"mg": 1.0, "g": 1000.0, "mcg": 0.001, "µg": 0.001, "ug": 0.001}
_TO_MIN = {
    "s": 1 / 60,
    "sec": 1 / 60,
    "seconds": 1 / 60,
    "min": 1.0,
    "mins": 1.0,
    "minute": 1.0,
    "minutes": 1.0,
    "h": 60.0,
    "hr": 60.0,
    "hrs": 60.0,
    "hour": 60.0,
    "hours": 60.0,
}


@dataclass(frozen=True)
class Dose:
    amount: float
    per_kg: bool
    duration_min: float | None = None

    def mg(self, *, weight_kg: float) -> float:
        return self.amount * weight_kg if self.per_kg else self.amount

    def __str__(self) -> str:
        text = f"{self.amount:g} mg/kg" if self.per_kg else f"{self.amount:g} mg"
        return text + (f" over {self.duration_min:g} min" if self.duration_min else "")


def parse_duration(text: str, *, field: str = "over") -> float:
    m = _DURATION_RE.match(str(text))
    if not m:
        raise InvalidInput(f"{field}: {text!r} is not a duration such as '40 min' or '1.5 h'")
    if m.group("unit") is None:
        raise InvalidInput(f"{field}: {text!r} needs a unit (min or h)")
    minutes = float(m.group("num")) * _TO_MIN[m.group("unit").lower()]
    if minutes <= 0:
        raise InvalidInput(f"{field}: a duration must be more than zero (got {text!r}); use no duration for a bolus")
    if minutes > 24 * 60:
        raise InvalidInput(f"{field}: {text!r} is longer than 24 hours")
    return minutes


def parse_dose(text: str) -> Dose:
    raw = str(text).strip()
    if "\x00" in raw or len(raw) > 80:
        raise InvalidInput("dose: give a short dose such as '0.5 mg/kg' or '35 mg' (no control characters)")
    m = _DOSE_RE.match(raw)
    if not m:
        if re.match(r"^\s*-?\d+(?:\.\d+)?\s*$", raw):
            raise InvalidInput(f"dose: {raw!r} needs a unit: mg or mg/kg (e.g. '0.5 mg/kg' or '35 mg')")
        if re.search(r"\bml\b|\bmL\b|\bcc\b", raw, re.I):
            raise InvalidInput(f"dose: {raw!r} is a volume; give the amount of drug in mg or mg/kg")
        raise InvalidInput(f"dose: {raw!r} is not a dose such as '0.5 mg/kg', '35 mg' or '0.5 mg/kg over 40 min'")
    number = float(m.group("num"))
    unit = m.group("unit").lower()
    per_kg = unit.endswith("/kg")
    base = unit.split("/")[0]
    amount = number * _TO_MG[base]
    if amount <= 0:
        raise InvalidInput(f"dose: {raw!r} must be more than zero")
    if per_kg and amount > MAX_DOSE_MG_PER_KG:
        raise InvalidInput(
            f"dose: {raw!r} is above {MAX_DOSE_MG_PER_KG:g} mg/kg, the highest dose in the ketamine (Ketalar) label "
            "(intramuscular induction of anaesthesia)"
        )
    if not per_kg and amount > MAX_DOSE_MG:
        raise InvalidInput(
            f"dose: {raw!r} is above {MAX_DOSE_MG:,.0f} mg, 13 mg/kg (the highest dose in the ketamine label) "
            "even at 350 kg"
        )
    duration = None
    if m.group("dur") is not None:
        duration = parse_duration(f"{m.group('dur')} {m.group('dunit')}")
    return Dose(amount=amount, per_kg=per_kg, duration_min=duration)


def check_weight(weight_kg: float) -> float:
    if not 2 <= weight_kg <= 350:
        raise InvalidInput(f"weight: {weight_kg:g} kg is not a possible body weight (2-350 kg)")
    return float(weight_kg)


def parse_dose_over(dose_text: str, over_text: str | None, *, over_field: str = "over") -> Dose:
    """A dose plus an optional separate infusion time ("35 mg" and "40 min"), given once, not twice."""
    dose = parse_dose(dose_text)
    if not over_text:
        return dose
    if dose.duration_min:
        raise InvalidInput(f"{over_field}: the dose already says 'over ...'; give the duration once")
    return Dose(dose.amount, dose.per_kg, parse_duration(over_text, field=over_field))
