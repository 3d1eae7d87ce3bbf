"""A person as the pre-screen sees them: age, sex, what they have and do not have, and a few numbers.

Built from plain words (a description such as "45-year-old man with chronic cluster headache, no
history of psychosis, denies alcohol use") and/or structured answers (the study page's form, the API).
Nothing here is stored: the profile lives for one request. Unknown stays unknown; only an explicit
"otherwise healthy" or "takes no medicines" lets unmentioned illnesses or medicines count as absent.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ketnav.trials.eligibility.concepts import BY_KEY, EXCLUSIVE_KINDS, IMPLIES, find_mentions
from ketnav.trials.eligibility.generic import person_stems
from ketnav.trials.eligibility.text import about_someone_else, clause_bounds, clean, is_negated
from ketnav.trials.eligibility.units import normalise, number
from ketnav.trials.patient_query import FEMALE_RE, MALE_RE, age_in_years

Sex = Literal["F", "M"]

# Measures a criterion can set a limit on, with the plain name used in questions.
MEASURES: Mapping[str, str] = {
    "age": "age",
    "bmi": "body mass index (BMI)",
    "weight": "weight in kg",
    "systolic": "systolic (upper) blood pressure",
    "diastolic": "diastolic (lower) blood pressure",
    "iop": "eye (intraocular) pressure",
    "hba1c": "HbA1c",
    "gad7": "GAD-7 score",
    "phq9": "PHQ-9 score",
    "hama": "HAM-A score",
    "hamd": "HAM-D score",
    "madrs": "MADRS score",
    "egfr": "eGFR (kidney function)",
    "creatinine": "creatinine",
    "ecog": "ECOG performance status",
    "fev1": "FEV1 (% of predicted)",
    "hemoglobin": "haemoglobin (g/dL)",
    "platelets": "platelet count (per mm3)",
    "wbc": "white cell count (per mm3)",
    "ef": "heart ejection fraction (%)",
    "ldl": "LDL cholesterol (mg/dL)",
    "tsh": "TSH",
    "vitamin_d": "vitamin D (25-OH, ng/mL)",
    "psa": "PSA (ng/mL)",
    "inr": "INR",
    "ast": "AST (liver enzyme)",
    "alt": "ALT (liver enzyme)",
    "bilirubin": "bilirubin (mg/dL)",
    "temperature": "temperature (°C)",
    "prostate_volume": "prostate volume (mL)",
    "cigarettes": "cigarettes a day",
    "potassium": "potassium (mmol/L)",
    "heart_rate": "resting heart rate (beats a minute)",
    "spo2": "oxygen saturation (%)",
    "pack_years": "pack-years of smoking",
    "drinks_week": "alcoholic drinks a week",
    "sodium": "sodium (mmol/L)",
    "nyha": "NYHA heart failure class (1-4)",
    "hoehn_yahr": "Hoehn and Yahr stage (1-5)",
    "gestation": "weeks of pregnancy (gestational age)",
}


@dataclass(frozen=True)
class Fact:
    present: bool
    words: str  # the person's own words that say so
    current: bool | None = None  # doing it / having it now (True) or only in the past (False)
    ago_months: float | None = None  # "surgery 4 months ago": how long ago, when the person says


@dataclass(frozen=True)
class Value:
    number: float
    words: str


@dataclass(frozen=True)
class Profile:
    age: float | None = None
    sex: Sex | None = None
    facts: Mapping[str, Fact] = field(default_factory=dict)
    values: Mapping[str, Value] = field(default_factory=dict)
    otherwise_healthy: bool = False
    no_medicines: bool = False
    medicines_listed: str = ""  # the person's full list of medicines ("medications include ..."): others absent
    history_listed: str = ""  # "past medical history is significant for X": other illnesses absent
    stems: frozenset[str] = frozenset()  # word stems the person used about themselves (generic fallback)
    sterile: str = ""  # "tubal ligation", "hysterectomy": cannot become pregnant
    normal: Mapping[str, str] = field(default_factory=dict)  # "cbc" -> "CBC within normal range": said to be normal

    def fact(self, key: str) -> Fact | None:
        """What the person said about a concept, or what follows from it; None when unknown."""
        said = self.facts.get(key)
        if said is not None:
            return said
        concept = BY_KEY[key]
        if key in {"pregnancy", "breastfeeding"} and self.sex == "M":
            return Fact(False, "male")
        if key == "menopause" and self.sex == "M":
            return Fact(False, "male")
        if key in {"pregnancy", "breastfeeding"} and self.age is not None and (self.age < 10 or self.age >= 55):
            return Fact(False, f"age {self.age:g}")
        if key in {"pregnancy", "breastfeeding"} and (meno := self.facts.get("menopause")) is not None and meno.present:
            return Fact(False, meno.words)
        if key == "pregnancy" and self.sterile:
            return Fact(False, self.sterile)
        # "otherwise healthy" is about illnesses besides the one described: it says nothing of suicidal thoughts
        # in a person who describes depression
        mood = any(
            (f := self.facts.get(k)) is not None and f.present for k in ("depression", "bipolar", "psychosis", "ptsd")
        )
        if key == "suicidal" and mood:
            return None
        if concept.kind == "condition" and self.otherwise_healthy:
            return Fact(False, "otherwise healthy")
        if concept.kind == "condition" and self.history_listed:
            return Fact(False, self.history_listed)
        # systemic anticancer drugs are medicines: "takes no medicines" rules out chemotherapy now
        drug_kind = concept.kind == "medicine" or key in {"chemotherapy", "cancer_treatment"}
        if key == "cancer_treatment" and (cancer := self.fact("cancer")) is not None and not cancer.present:
            return Fact(False, cancer.words, current=False)  # no cancer: no treatment for it
        if drug_kind and self.no_medicines:
            return Fact(False, "no medicines", current=False)
        if drug_kind and self.medicines_listed:
            return Fact(False, self.medicines_listed, current=False)
        for kinds in EXCLUSIVE_KINDS.values():
            if key in kinds:
                others = (self.facts.get(k) for k in kinds if k != key)
                other = next((f for f in others if f is not None and f.present), None)
                if other is not None:  # "CLL" against "melanoma or myeloma": a different kind of cancer
                    return Fact(False, f"{other.words} (a different kind)", current=False)
        return None

    def bound(self, measure: str) -> tuple[float | None, float | None, str] | None:
        """What a stated condition says about an unmeasured value: obesity is a BMI of 30 or more,
        kidney failure on dialysis an eGFR (or creatinine clearance) below 15."""
        if measure == "bmi" and (obese := self.facts.get("obesity")) is not None and obese.present:
            morbid = re.search(r"\bmorbid|\bsevere|\bclass (?:3|III)\b", obese.words, re.I)
            return (40.0 if morbid else 30.0), None, obese.words
        for group, measures in _NORMAL_GROUPS.items():
            if measure in measures and group in self.normal:
                low, high = _NORMAL_RANGES[measure]
                return low, high, self.normal[group]
        kidney = self.facts.get("kidney_disease")
        failed = kidney is not None and kidney.present and _KIDNEY_FAILURE_RE.search(kidney.words) is not None
        if measure == "egfr" and kidney is not None and failed:
            return None, 15.0, kidney.words
        return None

    def value(self, measure: str) -> Value | None:
        if measure == "age" and self.age is not None:
            return Value(self.age, f"age {self.age:g}")
        return self.values.get(measure)


class Answers(BaseModel):
    """Structured answers (the study page's form, the API): each one optional, unknown when left out."""

    model_config = ConfigDict(extra="forbid")

    age: float | None = Field(default=None, ge=0, le=120, description="Age in years")
    sex: Sex | None = None
    weight_kg: float | None = Field(default=None, gt=0, le=400)
    bmi: float | None = Field(default=None, ge=8, le=100)
    systolic: int | None = Field(default=None, ge=40, le=300, description="Upper blood pressure, mmHg")
    diastolic: int | None = Field(default=None, ge=20, le=200, description="Lower blood pressure, mmHg")
    values: dict[str, float] = Field(
        default_factory=dict, description="Other measures by name: " + ", ".join(sorted(MEASURES))
    )
    facts: dict[str, bool] = Field(
        default_factory=dict, description="Concept key -> yes (true) / no (false), e.g. {'psychosis': false}"
    )
    otherwise_healthy: bool = Field(default=False, description="No illness other than those named")
    no_medicines: bool = Field(default=False, description="Takes no medicines")

    @field_validator("facts")
    @classmethod
    def _known_concepts(cls, facts: dict[str, bool]) -> dict[str, bool]:
        unknown = sorted(set(facts) - set(BY_KEY))
        if unknown:
            raise ValueError(f"unknown concept(s): {', '.join(unknown)}")
        return facts

    @field_validator("values")
    @classmethod
    def _known_measures(cls, values: dict[str, float]) -> dict[str, float]:
        unknown = sorted(set(values) - set(MEASURES))
        if unknown:
            raise ValueError(f"unknown measure(s): {', '.join(unknown)}")
        if any(not -1e6 < v < 1e6 for v in values.values()):
            raise ValueError("a measure is out of range")
        return values


_KIDNEY_FAILURE_RE = re.compile(r"\bESRD\b|end[- ]stage|dialysis|\bHD\b", re.I)
_NUM = r"(\d{1,3}(?:\.\d+)?)"
_BIG = r"(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)"  # counts: "300000", "150,000", "14.1"
_UNIT = r"\s*((?:x|×)?\s*10\^?\d+\s*/\s*[a-zµ]+|[a-zµ]*/[a-zµ0-9]+|g/dl|g/l)?"
_CIGARETTES_RE = re.compile(
    r"\b(\d{1,2}(?:\.\d)?|one|two|three|half a)\s*(cigarettes?|packs?)\s*(?:a|per|/|each)\s*day\b", re.I
)
_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5}
_ORDINAL_VALUE_RE = re.compile(
    r"\b(?:New York Heart Association|NYHA|Hoehn(?:[- ]and[- ]|[- ]&[- ]|[- ])Yahr)\)?\s*(?:functional )?"
    r"(?:class|stage|grade)?\s*(?:of|is|:)?\s*([1-5]|I{1,3}|IV|V)[a-d]?\b",
    re.I,
)
_GESTATION_VALUE_RE = re.compile(
    r"\b(\d{2})\s*(?:w|wk|wks|weeks?)\s*(?:\+?\s*(\d)\s*(?:d|days?))?\s*(?:of\s*)?(?:gestation|gestational)\b|"
    r"\b(\d{2})\s*\+\s*(\d)\s*(?:weeks?|wks?)\b",
    re.I,
)
# "LDL-C and HDL-C levels were 545 and 53 mg/dL, respectively"
_RESPECTIVELY_RE = re.compile(
    r"\b([A-Za-z][\w-]*) and ([A-Za-z][\w-]*) (?:levels? )?(?:were|are|of) \(?(\d+(?:\.\d+)?) and (\d+(?:\.\d+)?)"
    r"\s*([a-zµ]*/[a-z]+)?",
    re.I,
)
_NAMED_MEASURES = {"ldl": "ldl", "ldl-c": "ldl", "tsh": "tsh", "ast": "ast", "alt": "alt", "psa": "psa"}
# "smokes 1 pack per day for 40 years": 40 pack-years
_PACKS_FOR_YEARS_RE = re.compile(
    r"\b(\d(?:\.\d)?|one|two|three|half a|a)\s*packs?\s*(?:a|per|/)\s*day\s*for\s*(?:the\s*(?:past|last)\s*)?"
    r"(\d{1,2})\s*years?",
    re.I,
)
_WORD_NUMBERS = {"one": 1.0, "two": 2.0, "three": 3.0, "half a": 0.5}
_SEX_SHORT_RE = re.compile(r"\b(\d{1,3})\s?(?:yo\s?|y/o\s?|y\.o\.\s?)?([MF])\b")
_VALUE_RES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("bmi", re.compile(r"\b(?:BMI|body mass index)\s*(?:is|was|of|:|=|about|around)*\s*" + _NUM, re.I)),
    ("weight", re.compile(r"\bweigh\w*\s*(?:is|was|of|as|:|=|about|around)*\s*" + _NUM + r"\s*(kg|kilo\w*|lbs?|"
                          r"pounds)", re.I)),
    ("weight", re.compile(r"\b" + _NUM + r"\s*(kg|kilograms?)\b(?!\s*(?:weight )?(?:loss|gain|lost|/))", re.I)),
    ("iop", re.compile(r"\b(?:intra-?ocular pressure|IOP)\s*(?:is|was|of|:|=)*\s*" + _NUM, re.I)),
    ("hba1c", re.compile(r"\b(?:HbA1c|Hgb ?A1c|A1c|hemoglobin A1c|glycated ha?emoglobin)\s*(?:is|was|of|:|=)*\s*"
                         + _NUM, re.I)),
    ("gad7", re.compile(r"\bGAD-?7\s*(?:score)?\s*(?:is|was|of|:|=)*\s*" + _NUM, re.I)),
    ("phq9", re.compile(r"\bPHQ-?9\s*(?:score)?\s*(?:is|was|of|:|=)*\s*" + _NUM, re.I)),
    ("hama", re.compile(r"\bHAM-?A\s*(?:score)?\s*(?:is|was|of|:|=)*\s*" + _NUM, re.I)),
    ("hamd", re.compile(r"\b(?:HAM-?D|HDRS)(?:-?17)?\s*(?:score)?\s*(?:is|was|of|:|=)*\s*" + _NUM, re.I)),
    ("madrs", re.compile(r"\bMADRS\s*(?:score)?\s*(?:is|was|of|:|=)*\s*" + _NUM, re.I)),
    ("egfr", re.compile(r"\beGFR\s*(?:is|was|of|:|=|>|>=)*\s*" + _NUM, re.I)),
    ("creatinine", re.compile(r"\b(?:creatinine|SCr)\b\s*(?:is|was|of|:|=|level)*\s*" + _NUM + _UNIT, re.I)),
    ("hemoglobin", re.compile(r"\b(?:ha?emoglobine?|Hgb|Hb)\b(?!\s*(?:A1c|electro))\s*(?:level|concentration)?\s*"
                              r"(?:is|was|of|:|=)*\s*" + _NUM + _UNIT, re.I)),
    ("platelets", re.compile(r"\b(?:platelets?|Plt)\b(?: count)?\s*(?:is|was|of|:|=)*\s*" + _BIG + _UNIT, re.I)),
    ("wbc", re.compile(r"\b(?:WBC|white (?:blood )?cell)\b(?: count)?\s*(?:is|was|of|:|=)*\s*" + _BIG + _UNIT, re.I)),
    ("ef", re.compile(r"\b(?:LV)?EF\b\s*(?:is|was|of|:|=)*\s*(\d{1,2})\s*%|\bejection fraction\b[^0-9.;]{0,20}?"
                      r"(\d{1,2})\s*%", re.I)),
    ("ldl", re.compile(r"\bLDL(?:-C)?\b(?: cholesterol)?\s*(?:level)?\s*(?:is|was|of|:|=)*\s*" + _NUM + _UNIT, re.I)),
    ("tsh", re.compile(r"\bTSH\b\s*(?:levels?)?\s*(?:is|was|of|:|=|\()*\s*" + _NUM, re.I)),
    ("vitamin_d", re.compile(r"\b(?:25-?(?:OH|hydroxy)\s*-?\s*(?:vitamin )?D3?|vit(?:amin)?\.? D)\b\s*(?:levels?)?\s*"
                             r"(?:is|was|of|:|=)*\s*" + _NUM + _UNIT, re.I)),
    ("psa", re.compile(r"\bPSA\b\)?\s*(?:levels?)?\s*(?:is|was|of|:|=)*\s*" + _NUM, re.I)),
    ("potassium", re.compile(r"(?:\bpotassium|(?-i:\bK\b))\s*(?:level)?\s*(?:is|was|of|:|=)*\s*(\d(?:\.\d+)?)\s*"
                             r"(?:mEq|mmol|meq)", re.I)),
    ("sodium", re.compile(r"(?:\bsodium|(?-i:\bNa\b))\s*(?:level)?\s*(?:is|was|of|:|=)*\s*(1\d{2})\s*"
                          r"(?:mEq|mmol|meq)", re.I)),
    ("heart_rate", re.compile(r"(?:\bheart rate|(?-i:\bHR\b)|\bpulse(?: rate)?)\s*(?:is|was|of|:|=)*\s*"
                              r"(\d{2,3})\b(?!\s*(?:%|mm|mg|kg))", re.I)),
    ("spo2", re.compile(r"\b(?:SpO2|SaO2|O2 sat\w*|oxygen saturation)\s*(?:is|was|of|:|=)*\s*(\d{2,3})\s*%", re.I)),
    ("pack_years", re.compile(r"\b(\d{1,3})[- ]pack[- ]years?\b", re.I)),
    ("inr", re.compile(r"\bINR\b\s*(?:is|was|of|:|=)*\s*(\d(?:\.\d+)?)", re.I)),
    ("ast", re.compile(r"\b(?:AST|SGOT)\b\s*(?:is|was|of|:|=)*\s*(\d{1,4})", re.I)),
    ("alt", re.compile(r"\b(?:ALT|SGPT)\b\s*(?:is|was|of|:|=)*\s*(\d{1,4})", re.I)),
    ("bilirubin", re.compile(r"\b(?:total )?bilirubin\b(?: total)?\s*(?:level)?\s*(?:is|was|of|:|=)*\s*"
                             r"(\d{1,2}(?:\.\d+)?)", re.I)),
    ("temperature", re.compile(r"(?:\btemperature|\btemp|(?-i:\bT)|\bfebrile)\s*(?:is|was|of|:|=|\()*\s*"
                               r"(\d{2,3}(?:\.\d)?)\s*((?:°|º|degrees? )?\s*[CF]\b)?", re.I)),
    ("prostate_volume", re.compile(r"\bprostat\w* (?:gland )?(?:volume|size)\b[^0-9;]{0,15}?(\d{2,3})\s*(?:mL|cc|g)\b",
                                   re.I)),
    ("fev1", re.compile(r"\b(?:FEV1|forced expiratory volume in (?:1|one|"
                        r"the first) sec\w*)\)?(?!\s*/)[^0-9%]{0,25}?" + _NUM + r"\s*%", re.I)),
    ("ecog", re.compile(r"\bECOG\s*(?:performance status|PS)?\s*(?:is|was|of|:|=)*\s*([0-5])\b", re.I)),
)  # fmt: skip
_BP_RE = re.compile(
    r"\b(?:BP|blood pressure)\s*(?:is|was|of|:|=)*\s*(\d{2,3})\s*/\s*(\d{2,3})|\b(\d{2,3})\s*/\s*(\d{2,3})\s*mm ?Hg",
    re.I,
)
_HEIGHT_RE = re.compile(
    r"\b(1\d{2}|2[0-2]\d)\s*cm\b(?:\s*tall)?|\bheight\b\s*(?:is|was|of|:|=)*\s*(1\d{2}|2[0-2]\d)\b(?!\s*(?:in|lb|\.\d))",
    re.I,
)
_HEALTHY_RE = re.compile(
    r"\botherwise healthy\b|\bno other (?:\w+ )?(?:illness(?:es)?|diseases?|medical (?:problems?|conditions?|history)|"
    r"health (?:problems?|conditions?)|conditions?)\b|\bno (?:significant |relevant )?(?:past )?medical history\b|"
    r"\bno (?:other )?underlying diseases?\b|\bpreviously healthy\b|\bhealthy (?:man|woman|person|adult|volunteer)\b|"
    r"\bis healthy\b|\bnothing remarkable in (?:her|his|the) past medical history\b|"
    r"\bunremarkable (?:past )?medical history\b|"
    r"\bpast medical history is unremarkable\b|\bin good health\b|\bno known (?:medical )?(?:illness|"
    r"conditions?|diseases?)\b|"
    r"\bpast medical (?:and \w+ )?histor(?:y|ies) (?:is|was|are|were) (?:non-?significant|unremarkable|insignificant|"
    r"negative|clear|not significant)\b|\bno (?:positive |significant |specific |other )?(?:past )?(?:medical )?"
    r"history (?:of|for) any (?:other )?(?:underlying )?(?:diseases?|illness\w*|conditions?|medical)|"
    r"\bany other underlying disease|\bno (?:specific |other |significant )?(?:past )?medical (?:issues|problems)\b|"
    r"\bnot significant for any other medical\b",
    re.I,
)
_NO_MEDS_RE = re.compile(
    r"\b(?:takes|taking|on|using|uses) no (?:regular )?(?:other )?medic\w*|\bno (?:other |regular |"
    r"current )?medic(?:ation|ine)s?\b|"
    r"\bnot (?:on|taking|using) any (?:\w+ )?medic\w*|"
    r"\bdoes not take any medic\w*|\bdoesn'?t take any medic\w*|\bdrug histor(?:y|ies) (?:is|are|was|were) "
    r"(?:unremarkable|non-?significant|negative)|\bmedical and drug histor(?:y|ies) (?:is|are) unremarkable",
    re.I,
)
_CURRENT_RE = re.compile(
    r"\b(?:current(?:ly)?|active(?:ly)?|ongoing|daily|per day|a day|per week|a week|every day|weekly|now|"
    r"still|smokes|drinks|uses|takes|is on|frequent(?:ly)?|regularly|occasionally|socially)\b",
    re.I,
)
# "for the past 6 months" is a duration up to now, not the past
_PAST_RE = re.compile(
    r"\b(?:former|ex-|quit|stopped|used to|in remission|(?<!the )past|previous(?:ly)?|off|discontinued|"
    r"did not tolerate|not tolerated|was not tolerated)\b",
    re.I,
)
_MED_LIST_RE = re.compile(
    r"\b(?:medications?|medicines?|drug history|meds)\b[^.]{0,20}?\b(?:include|includes|are|is only|only positive for|"
    r"consist of)\b[^.]*|\b(?:only|just) (?:uses|using|takes|taking|on)\b[^.]*|\bno other medications?\b[^.]*|"
    r"\b(?:uses|using|takes|taking|is on) only\b[^.]*",
    re.I,
)
_HISTORY_LIST_RE = re.compile(
    r"\b(?:past )?medical history (?:is )?(?:only )?(?:remarkable|significant|notable|positive) for\b[^.]*|"
    r"\bPMH (?:of|:)[^.]*|\bpast medical history\s*:[^\n]{3,}",
    re.I,
)
_STERILE_RE = re.compile(
    r"\btubal ligation\b|\bhysterectomy\b(?! was offered)|\bsterili[sz]ed\b|\bbilateral oophorectomy\b", re.I
)
# A condition described as happening now ("presents with", "revealed an acute infarct") or long ago
_NOW_RE = re.compile(
    r"\b(?:present(?:s|ed|ing)|admitted|now|currently|current|recent(?:ly)?|acute|active|yesterday|today|"
    r"this (?:morning|admission|week)|on admission|diagnosed|complain\w*|revealed|showed|shows|confirmed|"
    r"suffer\w*|ongoing|developed|is on|was found|found to have|consistent with|compatible with|diagnosis of|"
    r"new(?:ly)? diagnosed)\b",
    re.I,
)
_BEFORE_RE = re.compile(
    r"\b(?:history of|h/o|hx|prior|previous(?:ly)?|past|remote|ago|childhood|in remission|s/p|status post)\b", re.I
)
_AGO_RE = re.compile(
    r"\b(\d+(?:\.\d+)?|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|few|several)\s*"
    r"(days?|weeks?|months?|years?|yrs?)\s*ago\b",
    re.I,
)
_COUNT_WORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "few": 3, "several": 3,
}  # fmt: skip
_RECENT_RE = re.compile(
    r"\b(?:in|within|during) the (?:last|past) (?:(\d+|two|three|four|five|six|few|several) )?"
    r"(days?|weeks?|months?|years?)\b|"
    r"\b(?:yesterday|today|this (?:morning|week))\b",
    re.I,
)
_DRINKS_RE = re.compile(
    r"\b(\d+|a|an|one|two|three|four|five|six)\s*(?:to \d+\s*)?(?:beers?|drinks?|glass(?:es)? of (?:wine|beer)|"
    r"(?:standard )?units?(?: of alcohol)?|shots?)\s*(?:a|per|each|/)\s*(day|week)\b",
    re.I,
)
_ALCOHOL_WORD_RE = re.compile(r"alcohol|drink|beer|wine|\bETOH\b|liquor|spirits|whisk", re.I)
_MONTHS_PER = {"d": 1 / 30, "w": 12 / 52, "m": 1.0, "y": 12.0}
# "candidate for surgery", "offered levodopa", "prior to chemotherapy": planned, not had
_PLANNED_RE = re.compile(
    r"\b(?:candidate for|planned|plans? (?:to|for)|scheduled (?:for|to)|will (?:undergo|receive|start|begin|have|be)|"
    r"to undergo|offered|prior to|before|awaiting|referred for|recommended|considering|consider|eligible for|"
    r"is to (?:start|receive|undergo))\b[^.;]{0,40}$",
    re.I,
)
_NEGATIVE_TEST_AFTER_RE = re.compile(r"\s*(?:test|screen)\w*\s*(?:\([^)]*\)\s*)?(?:is|was|were|:)?\s*negative", re.I)
_BORN_AT_RE = re.compile(r"\bborn (?:at|after|in) (?:the age of |week )?(\d{2})\s*(?:w|wks?|weeks?)\b", re.I)
# the gestation a baby was born at (its own copy: _BORN_RE is switched off in the vocabulary ablation)
_BIRTH_CONTEXT_RE = re.compile(r"\bborn\b|\bbirth\b|\bdelivered\b|\binfant\b|\bnewborn\b|\bneonat", re.I)
_BORN_RE = re.compile(r"\bborn\b|\bbirth\b|\bdelivered\b|\binfant\b|\bnewborn\b|\bneonat", re.I)
# What "normal" means when a note says a group of results is normal (adult reference ranges)
_NORMAL_RANGES: Mapping[str, tuple[float | None, float | None]] = {
    "hemoglobin": (12.0, 17.5),
    "platelets": (150000.0, 450000.0),
    "wbc": (4000.0, 11000.0),
    "ast": (None, 40.0),
    "alt": (None, 45.0),
    "bilirubin": (None, 1.2),
    "creatinine": (0.5, 1.3),
    "egfr": (60.0, None),
    "temperature": (35.5, 37.9),
    "systolic": (90.0, 139.0),
    "diastolic": (60.0, 89.0),
    "inr": (0.8, 1.2),
}
_NORMAL_GROUPS: Mapping[str, tuple[str, ...]] = {
    "cbc": ("hemoglobin", "platelets", "wbc"),
    "liver": ("ast", "alt", "bilirubin"),
    "kidney": ("creatinine", "egfr"),
    "temperature": ("temperature",),
    "bp": ("systolic", "diastolic"),
    "coagulation": ("inr",),
}
_NORMAL_RES: Mapping[str, re.Pattern[str]] = {
    "cbc": re.compile(
        r"\b(?:complete blood (?:cell )?count|CBC|blood count)\b[^.;]{0,30}?\b(?:within (?:the )?normal|"
        r"normal|unremarkable|at (?:her|his) baseline)",
        re.I,
    ),
    "liver": re.compile(
        r"\b(?:liver (?:function tests?|enzymes|transaminases?(?: levels)?)|LFTs?)\b[^.;]{0,20}?"
        r"\b(?:were |was |are |is )?(?:within )?(?:normal|unremarkable)",
        re.I,
    ),
    "kidney": re.compile(r"\b(?:renal|kidney) function\b[^.;]{0,20}?\b(?:normal|unremarkable)", re.I),
    "temperature": re.compile(r"\bafebrile\b", re.I),
    "bp": re.compile(
        r"\bnormotensive\b|\bnormal blood pressure\b|\bblood pressure (?:is |was )?(?:within )?normal\b", re.I
    ),
    "coagulation": re.compile(r"\bnormal coagulation\b|\bcoagulation (?:profile|tests?) (?:was |were )?normal\b", re.I),
}
_UTOX_NEGATIVE_RE = re.compile(
    r"\b(?:utox|urine tox\w*(?: screen)?|urine drug screen|drug screen)\b[^.;]{0,12}?\bnegative\b(?! for alc)", re.I
)
_NONSMOKER_RE = re.compile(r"\bnon-?smok\w*\b|\bnever smok\w*\b", re.I)


def _age_and_sex(text: str) -> tuple[float | None, Sex | None]:
    short = _SEX_SHORT_RE.search(text)
    age = age_in_years(text)  # the search's reading of an age (ketnav.trials.patient_query)
    if age is None and short and 0 <= float(short.group(1)) <= 120:
        age = float(short.group(1))
    female = len(FEMALE_RE.findall(text))
    male = len(MALE_RE.findall(text))
    if short:
        return age, "F" if short.group(2) == "F" else "M"
    sex: Sex | None = "F" if female > male else "M" if male > female else None
    return age, sex


def parse_profile(text: str) -> Profile:
    """Read a plain description. Mentions about relatives are ignored; negated ones become "no"."""
    text = clean(text)
    age, sex = _age_and_sex(text)
    facts: dict[str, Fact] = {}
    planned: dict[str, Fact] = {}
    for mention in find_mentions(text):
        if about_someone_else(text, mention.start):
            continue
        negated = is_negated(text, mention.start)
        start, end = clause_bounds(text, mention.start)
        clause = text[start:end]
        current: bool | None = None
        kind = BY_KEY[mention.concept].kind
        sentence_start = max(text.rfind(". ", 0, mention.start) + 1, text.rfind("\n", 0, mention.start) + 1)
        lead = text[sentence_start : mention.start]
        if kind in {"treatment", "medicine"} and not negated and _PLANNED_RE.search(lead):
            # offered or planned: not (yet) had, unless said elsewhere
            planned.setdefault(mention.concept, Fact(False, "planned: " + _snippet(lead, mention.words), False))
            continue
        if kind in {"substance", "medicine"}:
            current = False if negated or _PAST_RE.search(clause) else True if _CURRENT_RE.search(clause) else None
        elif kind == "condition" and not negated:
            now, before = list(_NOW_RE.finditer(lead)), list(_BEFORE_RE.finditer(lead))
            if now and (not before or now[-1].start() > before[-1].start()):
                current = True
            elif before:
                current = False
        if mention.concept == "menopause" and re.match(r"(?:pre|peri)", mention.words, re.I):
            negated = True  # "premenopausal"
        if mention.concept == "preterm" and re.match(r"(?:full[- ])?term\b", mention.words, re.I):
            negated = not negated  # "a term infant"
        if mention.concept == "pregnancy" and _NEGATIVE_TEST_AFTER_RE.match(text, mention.end):
            negated = True  # "her pregnancy test is negative"
        elif mention.concept == "pregnancy" and not mention.words.lower().startswith("pregnant"):
            continue  # "3 pregnancies", "no prior pregnancies", "hypertension with pregnancy": not about now
        sentence_end = text.find(". ", mention.end)
        ago = _AGO_RE.search(text, sentence_start, sentence_end if sentence_end >= 0 else len(text))
        # "yesterday", "in the last month" date only what is in their own clause, and not a "prior MI"
        recent = None if current is False else _RECENT_RE.search(text, start, end)
        months = _months(ago) if ago else _recent_months(recent) if recent else None
        words = _snippet(clause, mention.words)
        if kind == "substance" and mention.concept == "alcohol" and not negated:
            words = words + _drinking_amount(clause)
        fact = Fact(not negated, words, current, months)
        previous = facts.get(mention.concept)
        # A positive mention outweighs a negated one ("no chest pain ... history of CAD")
        # ... and a mention of it now outweighs an earlier one that does not say when ("hx of UTIs ... presents
        # in urosepsis")
        said_now = fact.present and fact.current is True and previous is not None and previous.current is not True
        if previous is None or (fact.present and not previous.present) or said_now:
            facts[mention.concept] = fact
    for key, fact in planned.items():
        facts.setdefault(key, fact)
    if (clean_tox := _UTOX_NEGATIVE_RE.search(text)) is not None:
        facts.setdefault("substance_use", Fact(False, clean_tox.group(0), False))
    if _NONSMOKER_RE.search(text):
        facts["smoking"] = Fact(False, _NONSMOKER_RE.search(text).group(0), False)  # type: ignore[union-attr]
    values: dict[str, Value] = {}
    for measure, pattern in _VALUE_RES:
        for m in pattern.finditer(text):  # the last value given is the most recent
            raw = next((g for g in m.groups() if g), None)
            if raw is None:
                continue
            amount = number(raw)
            unit = m.group(m.lastindex) if m.lastindex and m.lastindex >= 2 and m.group(m.lastindex) != raw else ""
            if measure == "weight" and unit.lower().startswith(("lb", "p")):
                amount = round(amount * 0.4536, 1)
            if measure == "weight" and amount < 25 and (age is None or age >= 14):  # a child may weigh that
                continue
            if measure == "temperature" and not (34 <= normalise(measure, amount, unit or "") <= 43):
                continue
            values[measure] = Value(normalise(measure, amount, unit or ""), m.group(0).strip())
    for m in _ORDINAL_VALUE_RE.finditer(text):
        measure = "nyha" if m.group(0).lower().startswith(("new", "nyha")) else "hoehn_yahr"
        raw = m.group(1)
        values[measure] = Value(float(_ROMAN.get(raw.lower(), 0) or raw), m.group(0))
    for m in _BORN_AT_RE.finditer(text):
        # "born at the age of 38 weeks": preterm is before 37 completed weeks (WHO)
        if "preterm" not in facts:
            facts["preterm"] = Fact(int(m.group(1)) < 37, m.group(0), False)
    for m in _GESTATION_VALUE_RE.finditer(text):
        weeks = float(m.group(1) or m.group(3)) + float(m.group(2) or m.group(4) or 0) / 7
        values["gestation"] = Value(round(weeks, 1), m.group(0))
        sentence_start = text.rfind(". ", 0, m.start()) + 1
        if _BIRTH_CONTEXT_RE.search(text, sentence_start, m.start()) and "preterm" not in facts:
            facts["preterm"] = Fact(weeks < 37, _snippet(text[sentence_start : m.end()], m.group(0)), False)
        adult_woman = sex == "F" and (age is None or age >= 12)
        if adult_woman and not _BORN_RE.search(text, sentence_start, m.start()) and "pregnancy" not in facts:
            # "G1P1 at 32+6 weeks of gestational age": a woman that far into a pregnancy is pregnant
            facts["pregnancy"] = Fact(True, _snippet(text[sentence_start : m.end()], m.group(0)), True)
    for m in _RESPECTIVELY_RE.finditer(text):
        for name, raw in ((m.group(1), m.group(3)), (m.group(2), m.group(4))):
            measure = _NAMED_MEASURES.get(name.lower().rstrip("s"), "")
            if measure:
                values[measure] = Value(normalise(measure, number(raw), m.group(5) or ""), m.group(0))
    for m in _DRINKS_RE.finditer(text):
        sentence = text[text.rfind(". ", 0, m.start()) + 1 : m.end()]
        # "Vit D3 1000 units per day" is not drinking
        if not is_negated(text, m.start()) and _ALCOHOL_WORD_RE.search(sentence):
            count = _COUNT_WORDS.get(m.group(1).lower()) or float(m.group(1))
            values["drinks_week"] = Value(count * (7 if m.group(2).lower() == "day" else 1), m.group(0))
    for m in _PACKS_FOR_YEARS_RE.finditer(text):
        if "pack_years" not in values and not is_negated(text, m.start()):
            per_day = _COUNT_WORDS.get(m.group(1).lower()) or (0.5 if m.group(1).lower() == "half a" else None)
            count = per_day if per_day is not None else float(m.group(1))
            values["pack_years"] = Value(round(count * float(m.group(2)), 1), m.group(0))
    for m in _CIGARETTES_RE.finditer(text):
        if is_negated(text, m.start()):
            continue
        count = _WORD_NUMBERS.get(m.group(1).lower()) or float(m.group(1))
        values["cigarettes"] = Value(count * 20 if m.group(2).lower().startswith("pack") else count, m.group(0))
    for m in _BP_RE.finditer(text):
        systolic, diastolic = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
        values["systolic"] = Value(float(systolic), m.group(0).strip())
        values["diastolic"] = Value(float(diastolic), m.group(0).strip())
    if "bmi" not in values and "weight" in values and (height := _HEIGHT_RE.search(text)):
        metres = int(height.group(1) or height.group(2)) / 100
        values["bmi"] = Value(
            round(values["weight"].number / metres**2, 1), f"{values['weight'].words}, {height.group(0)}"
        )
    return Profile(
        age=age,
        sex=sex,
        facts=_with_implications(facts),
        values=values,
        otherwise_healthy=_HEALTHY_RE.search(text) is not None,
        no_medicines=_NO_MEDS_RE.search(text) is not None,
        medicines_listed=_snippet(listed.group(0), "") if (listed := _MED_LIST_RE.search(text)) else "",
        stems=person_stems(text),
        history_listed=_snippet(hist.group(0), "") if (hist := _HISTORY_LIST_RE.search(text)) else "",
        sterile=sterile.group(0)
        if (sterile := _STERILE_RE.search(text)) and not is_negated(text, sterile.start())
        else "",
        normal={
            group: said.group(0)
            for group, pattern in _NORMAL_RES.items()
            if (said := pattern.search(text)) is not None and not is_negated(text, said.start())
        },
    )


def _months(ago: re.Match[str]) -> float:
    count = _COUNT_WORDS.get(ago.group(1).lower()) or float(ago.group(1))
    return round(count * _MONTHS_PER[ago.group(2)[0].lower()], 2)


def _recent_months(recent: re.Match[str]) -> float:
    if recent.group(2) is None:  # "yesterday", "today", "this week"
        return 0.0
    raw = recent.group(1) or "1"  # "in the last month"
    count = _COUNT_WORDS.get(raw.lower()) or float(raw)
    return round(count * _MONTHS_PER[recent.group(2)[0].lower()], 2)


def _drinking_amount(clause: str) -> str:
    """ " (heavy)" or " (light)" from a stated amount: more than 14 drinks a week is heavy drinking (NIAAA)."""
    m = _DRINKS_RE.search(clause)
    if m is None:
        return ""
    count = _COUNT_WORDS.get(m.group(1).lower()) or float(m.group(1))
    weekly = count * (7 if m.group(2).lower() == "day" else 1)
    return " (heavy)" if weekly > 14 else " (light)"


def _snippet(clause: str, words: str, width: int = 90) -> str:
    """The person's clause around a mention, short enough to quote back."""
    clause = " ".join(clause.split())
    if len(clause) <= width:
        return clause or words
    at = max(0, clause.lower().find(words.lower()))
    start = max(0, at - width // 2)
    return ("…" if start else "") + clause[start : start + width].strip() + "…"


def _with_implications(facts: dict[str, Fact]) -> dict[str, Fact]:
    """Type 2 diabetes is diabetes; no diabetes means no type 2 diabetes either."""
    out = dict(facts)
    for specific, generals in IMPLIES.items():
        for general in generals:
            if specific in facts and facts[specific].present and general not in out:
                out[general] = facts[specific]
            elif (
                specific in facts
                and facts[specific].present
                and out[general].present
                and out[general].current is None
                and facts[specific].current is not None
            ):
                # "The tumor is ... anaplastic astrocytoma, found on biopsy": the specific naming says when
                out[general] = facts[specific]
            if general in facts and not facts[general].present and specific not in out:
                out[specific] = facts[general]
    return out


def build_profile(text: str = "", answers: Answers | None = None) -> Profile:
    """The description read first, then every structured answer given on top (answers win)."""
    base = parse_profile(text) if text.strip() else Profile()
    if answers is None:
        return base
    facts = dict(base.facts)
    for key, present in answers.facts.items():
        facts[key] = Fact(present, f"answered {'yes' if present else 'no'}: {BY_KEY[key].label}", None)
    values = dict(base.values)
    given = {
        "weight": answers.weight_kg,
        "bmi": answers.bmi,
        "systolic": answers.systolic,
        "diastolic": answers.diastolic,
    }
    for measure, answered in list(given.items()) + list(answers.values.items()):
        if answered is not None:
            values[measure] = Value(float(answered), f"answered {MEASURES[measure]} {float(answered):g}")
    return Profile(
        age=answers.age if answers.age is not None else base.age,
        sex=answers.sex or base.sex,
        facts=_with_implications(facts),
        values=values,
        otherwise_healthy=answers.otherwise_healthy or base.otherwise_healthy,
        no_medicines=answers.no_medicines or base.no_medicines,
        medicines_listed=base.medicines_listed,
        history_listed=base.history_listed,
        stems=base.stems,
        sterile=base.sterile,
        normal=base.normal,
    )
