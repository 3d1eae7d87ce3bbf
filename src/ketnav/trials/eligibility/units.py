"""One scale per measure, whichever units a note or a criterion uses.

Laboratory values come in several conventions: platelets as 150,000/mm3, 150 x 10^9/L or 150 K/uL;
haemoglobin in g/dL or g/L; creatinine in mg/dL or umol/L; LDL in mg/dL or mmol/L; temperature in
Celsius or Fahrenheit. A person's value and a criterion's limit are compared only after both are
brought to the scale below, so "platelets >= 100 x 10^9/L" and "Plt: 300000 /ml" meet.
"""

from __future__ import annotations

import re

# measure -> the scale values are kept in (said in questions to the person)
SCALES = {
    "hemoglobin": "g/dL",
    "platelets": "per mm3",
    "wbc": "per mm3",
    "creatinine": "mg/dL",
    "ldl": "mg/dL",
    "temperature": "°C",
    "vitamin_d": "ng/mL",
}
_THOUSANDS_RE = re.compile(r"^\d{1,3}(?:,\d{3})+$")


def number(raw: str) -> float:
    """ "100,000" is a hundred thousand; "1,5" (a decimal comma) is one and a half."""
    raw = raw.strip()
    if _THOUSANDS_RE.match(raw):
        return float(raw.replace(",", ""))
    return float(raw.replace(",", "."))


def normalise(measure: str, value: float, unit: str = "") -> float:
    """The value on the measure's scale, from the unit written after it (or its size when none is)."""
    unit = unit.lower().replace(" ", "")
    if measure in {"platelets", "wbc"}:
        # 150 x 10^9/L, 150 K/uL and 150 x 10^3/mm3 are all 150,000 per mm3; counts are never that small
        return value * 1000 if value < 2000 else value
    if measure == "hemoglobin":
        return value / 10 if ("g/l" in unit and "dl" not in unit) or value > 30 else value
    if measure == "creatinine":
        return round(value / 88.4, 2) if "mol" in unit or value > 20 else value
    if measure == "ldl":
        return round(value * 38.67, 1) if "mmol" in unit or value < 15 else value
    if measure == "vitamin_d":  # 25-hydroxyvitamin D: 1 ng/mL = 2.496 nmol/L
        return round(value / 2.496, 1) if "mol" in unit else value
    if measure == "temperature":
        return round((value - 32) * 5 / 9, 1) if unit.startswith(("f", "°f", "ºf")) or value > 50 else value
    return value
