"""Blood-pressure categories of the 2017 ACC/AHA guideline (Whelton 2018), for the journal's readings.

Pure. A reading falls in the highest category either number reaches, as the guideline classifies it.

>>> bp_category(systolic=128, diastolic=78).label
'Elevated'
>>> bp_category(systolic=128, diastolic=85).label
'Stage 1 hypertension'
"""

from __future__ import annotations

from dataclasses import dataclass

BP_CITATIONS = ("whelton-2018",)


@dataclass(frozen=True)
class BpCategory:
    key: str
    label: str
    advice: str


NORMAL = BpCategory("normal", "Normal", "Below 120/80.")
ELEVATED = BpCategory("elevated", "Elevated", "Upper number 120-129 with the lower below 80.")
STAGE1 = BpCategory("stage1", "Stage 1 hypertension", "Upper 130-139 or lower 80-89.")
STAGE2 = BpCategory("stage2", "Stage 2 hypertension", "Upper 140 or more, or lower 90 or more. Tell your clinic.")
CRISIS = BpCategory(
    "crisis",
    "Severe: above 180/120",
    "Above 180 and/or 120. Sit quietly for 5 minutes and measure again; if it stays this high, or you have chest "
    "pain, a severe headache, weakness, or trouble seeing or speaking, call your local emergency number.",
)


def bp_category(*, systolic: int, diastolic: int) -> BpCategory:
    if systolic > 180 or diastolic > 120:
        return CRISIS
    if systolic >= 140 or diastolic >= 90:
        return STAGE2
    if systolic >= 130 or diastolic >= 80:
        return STAGE1
    if systolic >= 120:
        return ELEVATED
    return NORMAL
