"""Reading one criterion item: which concepts it names, which limits it sets, when, and for whom.

The result is a small structure, not a verdict: the same parsed criterion is checked against many
people (a study's criteria are parsed once and cached per study). Rules come from the wording of
criteria: "history of X" names a concept, "no X" negates it, "severe X" qualifies it, "within the
last 6 months" bounds it in time, "BMI <= 30" is a limit on a measure, "e.g." lists are alternatives.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from typing import Literal

from ketnav.trials.eligibility.concepts import BY_KEY, IMPLIES, Mention, find_mentions
from ketnav.trials.eligibility.generic import Alternative, alternatives, modifiers
from ketnav.trials.eligibility.text import NEGATION_CUE_RE, after_except, clause_bounds, clean, is_negated
from ketnav.trials.eligibility.units import normalise, number

Kind = Literal["inclusion", "exclusion"]


@dataclass(frozen=True)
class Limit:
    """A bound on a measure: value within [low, high] (either side open, inclusive or not)."""

    measure: str
    low: float | None
    high: float | None
    low_inclusive: bool = True
    high_inclusive: bool = True
    words: str = ""

    def holds(self, value: float) -> bool:
        if self.low is not None and (value < self.low or (value == self.low and not self.low_inclusive)):
            return False
        return not (self.high is not None and (value > self.high or (value == self.high and not self.high_inclusive)))


@dataclass(frozen=True)
class ConceptUse:
    concept: str
    negated: bool  # "no history of psychosis": the criterion asks for its absence
    qualified: str  # "severe", "uncontrolled" ... ("" when the criterion names the plain concept)
    words: str
    narrowed_by: tuple[str, ...] = ()  # stems of words that narrow it ("statin intolerant"), for the person to say
    measured_by: tuple[str, ...] = ()  # "diabetes (HbA1c > 9%)": the limits on these measures say how much


@dataclass(frozen=True)
class ParsedCriterion:
    kind: Kind
    text: str
    limits: tuple[Limit, ...] = ()
    concepts: tuple[ConceptUse, ...] = ()
    any_of: bool = True  # limits and concepts combined with "or" (True) or "and" (False)
    window: str = ""  # "within the last 6 months"
    women_only: bool = False  # applies only to women ("women of childbearing potential ...")
    sex_required: str = ""  # "F" or "M" when the item admits one sex only
    specifics: tuple[str, ...] = ()  # "stage", "class", "registry": what a diagnosis must also have
    alternatives: tuple[Alternative, ...] = ()  # for the generic fallback (generic.py), parsed once
    procedural: bool = False  # consent, willingness, availability: for the person and the team to agree
    limits_and_concepts: bool = False  # an inclusion's limits and conditions must all hold ("non-pregnant, 18-45")


_CMP = (
    r"(>=|=>|<=|=<|>|<|=|at least|of at least|greater than or equal to|more than or equal to|equal to or greater than|"
    r"equal to or more than|greater than|more than|higher than|above|over|exceeding|in excess of|"
    r"less than or equal to|equal to or less than|less than|lower than|below|under|no more than|not more than|"
    r"not exceeding|at most|up to|maximum of|minimum of|min(?:imum)?\.?|max(?:imum)?\.?)"
)
_N = r"(\d{1,3}(?:,\d{3})+(?!\d)|\d+(?:[.,]\d+)?)"
_MEASURE_NAMES: tuple[tuple[str, str], ...] = (
    ("bmi", r"\bBMI\b|\bbody mass index\b"),
    ("weight", r"\b(?:body )?weight\b|\bweigh(?:s|ing)?\b"),
    ("systolic", r"\bsystolic\b|\bSBP\b"),
    ("diastolic", r"\bdiastolic\b|\bDBP\b"),
    ("iop", r"\bintra-?ocular pressure\b|\bIOP\b"),
    ("hba1c", r"\bHbA1c\b|\bHgb ?A1c\b|\bA1c\b|\bglycated ha?emoglobin\b|\bhemoglobin A1c\b"),
    ("gad7", r"\bGAD-?7\b"),
    ("phq9", r"\bPHQ-?9\b"),
    ("hama", r"\bHAM-?A\b|\bHamilton Anxiety\b"),
    ("hamd", r"\bHAM-?D(?:-?(?:17|21|24))?\b|\bHDRS(?:-?17)?\b|\bHamilton (?:Rating Scale for )?Depression\b"),
    ("madrs", r"\bMADRS\b"),
    ("egfr", r"\beGFR\b|\bglomerular filtration\b|\bcreatinine clearance\b"),
    ("ecog", r"\bECOG\b"),
    ("fev1", r"\bFEV1\b(?!\s*/)|\bforced expiratory volume in (?:1|one) sec\w*(?:\s*\(FEV1\))?"),
    ("hemoglobin", r"\bha?emoglobin\b(?!\s*A1c)|\bHgb\b|\bHb\b"),
    ("platelets", r"\bplatelets?\b(?: counts?)?|\bPLT\b"),
    ("wbc", r"\bWBC\b|\bwhite (?:blood )?cell(?: count)?s?\b|\bleukocytes?(?: count)?\b"),
    ("ef", r"\b(?:left ventricular |cardiac )?ejection fraction\b(?:\s*\(LVEF\))?|\bLVEF\b|\bEF\b"),
    ("ldl", r"\bLDL(?:-C)?\b(?: cholesterol)?|\blow[- ]density lipoprotein(?: cholesterol)?\b"),
    ("tsh", r"\bTSH\b|\bthyroid[- ]stimulating hormone\b"),
    (
        "vitamin_d",
        r"\b(?:serum )?25-?(?:OH|hydroxy)\s*-?\s*(?:vitamin )?D3?\b|\bvit(?:amin)?\.? D\b(?: levels?)?"
        r"(?:\s*\((?:serum )?25-?OHD?\))?(?!\s*(?:supplement|intake|/day|daily))",
    ),
    ("psa", r"\bPSA\b|\bprostate[- ]specific antigen\b(?:\s*\(PSA\))?"),
    ("inr", r"\bINR\b|\binternational normali[sz]ed ratio\b(?:\s*\(INR\))?"),
    ("ast", r"\bAST\b|\bSGOT\b|\baspartate (?:amino)?transaminase\b"),
    ("alt", r"\bALT\b|\bSGPT\b|\balanine (?:amino)?transaminase\b"),
    ("bilirubin", r"\b(?:total )?bilirubin\b"),
    ("heart_rate", r"\b(?:resting )?heart rate\b|(?-i:\bHR\b)|\bpulse(?: rate)?\b"),
    ("spo2", r"\b(?:oxygen|O2) saturation\b|\bSpO2\b|\bSaO2\b"),
    ("pack_years", r"\bpack[- ]years?\b"),
    ("creatinine", r"\b(?:serum |plasma )?creatinine\b(?!\s*clearance)|\bSCr\b"),
    ("potassium", r"\b(?:serum |plasma )?potassium\b|(?-i:\bK\+?)(?=\s*(?:<|>|≤|≥|of|:))"),
    (
        "sodium",
        r"\b(?:serum |plasma )?sodium\b(?! (?:oxybate|valproate|bicarbonate|chloride))|"
        r"(?-i:\bNa\+?)(?=\s*(?:<|>|of|:))",
    ),
    ("temperature", r"\b(?:body )?temperature\b"),
    ("prostate_volume", r"\b(?:estimated )?prostat\w* (?:gland )?(?:volume|size)\b"),
)
# a limit relative to the laboratory's normal range ("AST > 2.5 x ULN") cannot be read against a number
_RELATIVE_RE = re.compile(r"^\s*(?:x|×|times|-fold)\s*(?:the\s*)?(?:ULN|upper|normal|institutional)|^\s*ULN", re.I)
_UNIT_AFTER_RE = re.compile(r"^\s*((?:x|×)\s*10\^?\d+\s*/\s*[a-zµ]+|[a-zµ]*/[a-zµ0-9³]+|g/dl|g/l|°?\s*[CF]\b)?", re.I)
_DRINKS_LIMIT_RE = re.compile(
    _CMP + r"\s*(\d{1,2}(?:\.\d)?)\s*(?:standard\s*)?(?:alcoholic\s*)?(?:drinks?|units?|beers?|glasses)(?: of \w+)?\s*"
    r"(?:per|a|/|each)\s*(day|week)",
    re.I,
)
_PACK_YEARS_RE = re.compile(
    _CMP + r"\s*(\d{1,3})\s*pack[- ]?years?|(\d{1,3})\s*pack[- ]?years?\s*(?:or|and) (more|greater|higher|above|over|"
    r"less|fewer|lower|below)",
    re.I,
)
_CIGARETTES_RE = re.compile(
    r"\b(fewer than|less than|more than|greater than|at least|>=|<=|>|<)\s*(\d{1,2})\s*(?:cigarettes?|cig)\s*"
    r"(?:a|per|/)\s*day",
    re.I,
)
_MEASURE_RES = tuple((m, re.compile(p, re.I)) for m, p in _MEASURE_NAMES)
_AFTER_NAME_RE = re.compile(r"^[^0-9<>=;]{0,40}?" + _CMP + r"\s*" + _N, re.I)
_BETWEEN_RE = re.compile(r"^[^0-9<>=;]{0,40}?(?:between|from|of)?\s*" + _N + r"\s*(?:-|to|and)\s*" + _N, re.I)
_OR_MORE_RE = re.compile(
    r"^[^0-9<>=;]{0,30}?" + _N + r"\s*[a-z/%²2]*\s*or (more|greater|higher|above|over|less|lower|below|fewer)\b", re.I
)
_FOLLOW_CMP_RE = re.compile(
    r"^\s*(?:[a-z/%²2 ]{0,12})?\s*(?:or|and|and/or|or /and|or/and)\s*" + _CMP + r"\s*" + _N, re.I
)
_BP_PAIR_RE = re.compile(r"\b(?:blood pressure|BP)\b[^0-9;]{0,40}?" + _CMP + r"\s*(\d{2,3})\s*/\s*(\d{2,3})", re.I)

_AGE_WORD_RE = re.compile(
    r"\bage[ds]?\b|\byears? (?:of age|old)\b|\byrs? old\b|\badults?\b|\bolder\b|\byounger\b", re.I
)
_AGE_RANGE_RE = re.compile(
    r"\b(\d{1,3})\s*(?:years?\s*)?(?:-|to|and|through)\s*(\d{1,3})\s*(?:years|yrs|y\.?o|year)", re.I
)
_AGE_RANGE2_RE = re.compile(r"\bage[ds]?\s*(?:of|between|from|:)?\s*(\d{1,3})\s*(?:-|to|and)\s*(\d{1,3})\b", re.I)
_AGE_MIN_RE = re.compile(
    r"\b(\d{1,3})\s*(?:years?|yrs?)(?: of age| old)?\s*(?:or|and) (?:older|above|over|greater|more)\b|"
    r"(?:age[ds]?|adults?|older than|over|above|at least)\s*(?:is|of|:)?\s*(>=|>|at least|older than|over|above|"
    r"greater than or equal to|greater than|more than)?\s*(\d{1,3})\b|"
    r"(>=|>)\s*(\d{1,3})\s*(?:years|yrs)",
    re.I,
)
_AGE_MAX_RE = re.compile(
    r"\b(\d{1,3})\s*(?:years?|yrs?)(?: of age| old)?\s*(?:or|and) (?:younger|below|under|less)\b|"
    r"(?:age[ds]?\s*)?(<=|<|under|below|younger than|less than|up to)\s*(\d{1,3})\s*(?:years|yrs|y\b)|"
    r"\bage[ds]?\s*(<=|<|under|below|younger than|less than|up to)\s*(\d{1,3})\b",
    re.I,
)
_QUALIFIER_RE = re.compile(
    r"\b(severe|uncontrolled|unstable|clinically significant|significant|serious|poorly controlled|decompensated|"
    r"current(?:ly)?|active|untreated|advanced|end[- ]stage|acute|primary|chronic|degenerative)\b[\w\s,/-]{0,30}$",
    re.I,
)
_QUALIFIER_WORD_RE = re.compile(
    r"\b(severe|uncontrolled|unstable|clinically significant|significant|serious|poorly controlled|decompensated|"
    r"current(?:ly)?|active|untreated|advanced|end[- ]stage|acute|primary|chronic|degenerative|mild|moderate|"
    r"mild-moderate|mild to moderate)\b",
    re.I,
)
_PLAIN = frozenset({"current", "currently", "active", "chronic", "primary", "acute"})
_WITH_RE = re.compile(r"\s+with\s+", re.I)
_SPECIFIC_RE = re.compile(
    r"\b(?:stage|class|grade|registry|consent\w*|score|subtype|genotype|mutation|measurable|evaluable)\b", re.I
)
_DURATION_RE = re.compile(r"\bfor (?:at least |more than |over )?(?:the )?(?:past|last)\b", re.I)
_WINDOW_RE = re.compile(
    r"\brecent(?:ly)?\s*\(?\s*(?:within |last |past )?(?:the )?(\d+|one|two|three|six|twelve)\s*(days?|weeks?|months?|"
    r"years?)\)?|"
    r"\b(?:within|in|during|over) (?:the )?(?:last|past|previous|preceding|prior)?\s*"
    r"(\d+|one|two|three|four|five|six|twelve|eighteen|twenty[- ]four)\s*(days?|weeks?|months?|years?)\b|"
    r"\b(?:last|past|previous) (\d+|one|two|three|six|twelve)\s*(days?|weeks?|months?|years?)\b|"
    r"\b(?:currently|current|at present|at screening|at baseline|ongoing)\b",
    re.I,
)
_WOMEN_ONLY_RE = re.compile(
    r"(?-i:\bWOCBP\b)|\b(?:childbearing|child-bearing|reproductive) potential\b|"
    r"\b(?:women|woman|females?|girls?) (?:of|with|who are of) (?:child-?bearing|reproductive)|"
    r"\bchild-?bearing potential\b|(?<!\bmen and )(?<!\bmen or )(?<!\bmales and )\bwomen who\b|"
    r"\bfemale (?:participants|subjects|patients) (?:who|must)\b",
    re.I,
)
_SEX_ONLY_RE = re.compile(
    r"^\s*(?:sex|gender)?\s*:?\s*(female|women|woman|male|men|man)s?\b(?!.*\b(?:or|and)\s+(?:fe)?males?\b|"
    r".*\b(?:or|and)\s+(?:wo)?m[ae]n\b)",
    re.I,
)
_PROCEDURAL_RE = re.compile(
    r"\binformed consent\b|\bconsent\b|\bwilling\w*\b|\bable to (?:comply|understand|read|follow|attend|"
    r"complete|provide)|"
    r"\bability to (?:comply|understand|read|follow|provide|give)|\bagree\w*\b|\bcomply\b|\bcompliance\b|"
    r"\bavailable for\b|\bsigned\b|\bparticipat\w* in (?:another|other|any other) (?:clinical )?(?:study|trial)|"
    r"\bunable to complete\b|\bunable to (?:comply|follow)|\bin the opinion of the investigator\b|"
    r"\binvestigator'?s? (?:opinion|judgment)\b",
    re.I,
)
_NEGATIVE_TEST_RE = re.compile(r"\bnegative\b|\bnon-?pregnant\b|\bnot (?:be )?pregnant\b", re.I)
_MALE_WORD_RE = re.compile(r"\bmales?\b|\bm[ae]n\b", re.I)
_FEMALE_WORD_RE = re.compile(r"\bfemales?\b|\bwom[ae]n\b", re.I)
_OR_RE = re.compile(r"\bor\b|/", re.I)
_AND_RE = re.compile(r"\band\b", re.I)


def _number(raw: str) -> float:
    return number(raw)


def _scaled(measure: str, raw: str, after: str) -> float | None:
    """The limit on the measure's scale (units read from what follows); None for "x ULN" limits."""
    if _RELATIVE_RE.match(after):
        return None
    unit = _UNIT_AFTER_RE.match(after)
    return normalise(measure, number(raw), unit.group(1) or "" if unit else "")


def _limit_from(measure: str, op: str, value: float, words: str) -> Limit:
    op = op.lower().strip(". ")
    if op in {">", "greater than", "more than", "higher than", "above", "over", "exceeding", "in excess of"}:
        return Limit(measure, value, None, low_inclusive=False, words=words)
    if op in {
        ">=",
        "=>",
        "at least",
        "of at least",
        "greater than or equal to",
        "more than or equal to",
        "equal to or greater than",
        "equal to or more than",
        "minimum of",
        "min",
        "minimum",
    }:
        return Limit(measure, value, None, words=words)
    if op in {"<", "less than", "lower than", "below", "under", "fewer than"}:
        return Limit(measure, None, value, high_inclusive=False, words=words)
    if op in {"=", "==", "equal to"}:
        return Limit(measure, value, value, words=words)
    return Limit(measure, None, value, words=words)  # <=, no more than, at most, up to, maximum


_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5}
_ORDINAL = r"([1-5]|I{1,3}|IV|V)[a-d]?\b"
# Scales counted in classes or stages, written in Roman or Arabic figures ("NYHA class II to IV", "Hoehn and
# Yahr stage < 3"), with the comparison before or after the name
_ORDINAL_SCALES = (
    ("nyha", r"(?:New York Heart Association|NYHA)(?:\s*\(NYHA\))?(?:\s*(?:functional|heart failure))?"),
    ("hoehn_yahr", r"(?:modified )?Hoehn(?:[- ]and[- ]|[- ]&[- ]|[- ])Yahr"),
)
_ORDINAL_RES = tuple(
    (
        measure,
        re.compile(
            r"(?:" + _CMP + r"\s*)?\b" + name + r"\s*(?:class|grade|stage|score)?(?:\s*(?:of|is|:))?\s*"
            r"(>=|<=|>|<|=)?\s*" + _ORDINAL + r"(?:\s*(?:-|to|or|and|through)\s*" + _ORDINAL + r")?"
            r"(?:\s*or (higher|greater|above|more|worse|less|lower|below))?",
            re.I,
        ),
    )
    for measure, name in _ORDINAL_SCALES
)
_GESTATION_RES = (
    re.compile(r"(?:gestation(?:al)? age|GA)\b[^0-9<>=;]{0,25}?" + _CMP + r"\s*(\d{2})\s*(?:weeks|wks|w)\b", re.I),
    re.compile(_CMP + r"\s*(\d{2})(?:\.\d)?\s*(?:weeks|wks|w)\b\s*(?:of\s*)?(?:gestation|GA\b)", re.I),
    re.compile(r"\bat or (less|more) than\s*(\d{2})\s*(?:weeks|wks)\s*(?:of\s*)?(?:gestation|GA\b)", re.I),
    re.compile(
        r"\b(\d{2})(?:\.\d)?\s*(?:-|to)\s*(\d{2})(?:\.\d)?\s*(?:weeks|wks)\s*(?:of\s*)?(?:gestation|GA\b)", re.I
    ),
)


def _ordinal(raw: str) -> float:
    return float(_ROMAN.get(raw.lower(), 0) or raw)


def _scale_limits(text: str) -> list[Limit]:
    limits: list[Limit] = []
    for measure, pattern in _ORDINAL_RES:
        for m in pattern.finditer(text):
            before_op, after_op, first, second, tail = m.group(1), m.group(2), m.group(3), m.group(4), m.group(5)
            low = _ordinal(first)
            if second:
                high = _ordinal(second)
                limits.append(Limit(measure, min(low, high), max(low, high), words=m.group(0)))
            elif tail:
                op = ">=" if tail.lower() in {"higher", "greater", "above", "more", "worse"} else "<="
                limits.append(_limit_from(measure, op, low, m.group(0)))
            elif before_op or after_op:
                limits.append(_limit_from(measure, before_op or after_op, low, m.group(0)))
            else:
                limits.append(Limit(measure, low, low, words=m.group(0)))
    gestation: list[Limit] = []
    for i, pattern in enumerate(_GESTATION_RES):
        for m in pattern.finditer(text):
            if i == 2:
                op = "<=" if m.group(1).lower() == "less" else ">="
                gestation.append(_limit_from("gestation", op, float(m.group(2)), m.group(0)))
            elif i == 3:
                low, high = sorted((float(m.group(1)), float(m.group(2)) + 0.99))
                gestation.append(Limit("gestation", low, high, words=m.group(0)))
            else:
                gestation.append(_limit_from("gestation", m.group(1), float(m.group(2)), m.group(0)))
        if gestation:
            break
    return limits + gestation


def _measure_limits(text: str) -> list[Limit]:
    limits: list[Limit] = []
    for pair in _BP_PAIR_RE.finditer(text):
        op = pair.group(1)
        limits.append(_limit_from("systolic", op, float(pair.group(2)), pair.group(0)))
        limits.append(_limit_from("diastolic", op, float(pair.group(3)), pair.group(0)))
    if limits:
        return limits
    for measure, name_re in _MEASURE_RES:
        for name in name_re.finditer(text):
            rest = text[name.end() :]
            if (m := _AFTER_NAME_RE.match(rest)) is not None:
                words = text[name.start() : name.end() + m.end()]
                value = _scaled(measure, m.group(2), rest[m.end() :])
                if value is not None:
                    limits.append(_limit_from(measure, m.group(1), value, words))
                if (more := _FOLLOW_CMP_RE.match(rest[m.end() :])) is not None:
                    after = rest[m.end() + more.end() :]
                    value = _scaled(measure, more.group(2), after)
                    if value is not None:
                        limits.append(_limit_from(measure, more.group(1), value, words + more.group(0)))
            elif (m2 := _BETWEEN_RE.match(rest)) is not None:
                first, second = _scaled(measure, m2.group(1), ""), _scaled(measure, m2.group(2), rest[m2.end() :])
                if first is not None and second is not None:
                    low, high = sorted((first, second))
                    limits.append(Limit(measure, low, high, words=text[name.start() : name.end() + m2.end()]))
            elif (m3 := _OR_MORE_RE.match(rest)) is not None:
                op = ">=" if m3.group(2).lower() in {"more", "greater", "higher", "above", "over"} else "<="
                value = _scaled(measure, m3.group(1), rest[m3.end(1) :])  # "50nmol/l or less": its unit
                if value is not None:
                    limits.append(_limit_from(measure, op, value, text[name.start() : name.end() + m3.end()]))
    for packs in _PACK_YEARS_RE.finditer(text):
        if packs.group(1):
            limits.append(_limit_from("pack_years", packs.group(1), number(packs.group(2)), packs.group(0)))
        elif packs.group(4):
            op = ">=" if packs.group(4).lower() in {"more", "greater", "higher", "above", "over"} else "<="
            limits.append(_limit_from("pack_years", op, number(packs.group(3)), packs.group(0)))
    for drinks in _DRINKS_LIMIT_RE.finditer(text):
        weekly = number(drinks.group(2)) * (7 if drinks.group(3).lower() == "day" else 1)
        limits.append(_limit_from("drinks_week", drinks.group(1), weekly, drinks.group(0)))
    for cig in _CIGARETTES_RE.finditer(text):
        limits.append(_limit_from("cigarettes", cig.group(1), number(cig.group(2)), cig.group(0)))
    return limits


_CHILD_RE = re.compile(
    r"^\W*(?:children|minors|paediatric|pediatric)\b[^0-9]{0,8}(?:\(?\s*(<|<=)\s*(\d{1,2})\)?)?", re.I
)


_UNIT_YEARS = {"d": 1 / 365, "w": 1 / 52, "m": 1 / 12, "y": 1.0}
_YOUNG_RANGE_RE = re.compile(
    r"\b(\d{1,3})\s*(days?|weeks?|months?)\s*(?:of age|old)?\s*(?:-|to|and|through)\s*(\d{1,3})\s*"
    r"(days?|weeks?|months?|years?)\b",
    re.I,
)
_COUNT_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "eight": 8, "twelve": 12}
_YOUNG_LIMIT_RE = re.compile(
    r"(less than|under|younger than|<=|<|up to|at least|older than|over|more than|>=|>)\s*"
    r"(\d{1,3}|one|two|three|four|five|six|eight|twelve)\s*"
    r"(days?|weeks?|months?)\s*(?:of age|old)\b",
    re.I,
)


def _count(word: str) -> float:
    """ "6" or "six" (ages of babies are often written in words: "less than one month old")."""
    return float(word) if word.isdigit() else float(_COUNT_WORDS[word.lower()])


def _young_limits(text: str) -> list[Limit]:
    """Ages of babies and small children are given in days, weeks or months ("6 months to 5 years")."""
    if (m := _YOUNG_RANGE_RE.search(text)) is not None:
        low = float(m.group(1)) * _UNIT_YEARS[m.group(2)[0].lower()]
        high = float(m.group(3)) * _UNIT_YEARS[m.group(4)[0].lower()]
        return [Limit("age", low, high, words=m.group(0))]
    return [
        _limit_from("age", m.group(1), _count(m.group(2)) * _UNIT_YEARS[m.group(3)[0].lower()], m.group(0))
        for m in _YOUNG_LIMIT_RE.finditer(text)
    ]


def _ranges(limits: list[Limit]) -> list[Limit]:
    """ "Age >= 18 and <= 40": a lower and an upper bound on one measure are one range (both must hold).

    Bounds that cannot both hold ("TSH < 0.1 or > 7") stay alternatives.
    """
    out: list[Limit] = []
    for limit in limits:
        partner = next(
            (
                i
                for i, other in enumerate(out)
                if other.measure == limit.measure
                and (other.low is None) != (limit.low is None)
                and (other.high is None) != (limit.high is None)
            ),
            None,
        )
        if partner is None:
            out.append(limit)
            continue
        other = out[partner]
        lower, upper = (limit, other) if limit.low is not None else (other, limit)
        if lower.low is not None and upper.high is not None and lower.low <= upper.high:
            out[partner] = Limit(
                limit.measure,
                lower.low,
                upper.high,
                lower.low_inclusive,
                upper.high_inclusive,
                f"{lower.words.strip()} … {upper.words.strip()}",
            )
        else:
            out.append(limit)
    return out


def _age_limits(text: str) -> list[Limit]:
    if young := _young_limits(text):
        return young
    child = _CHILD_RE.match(text)
    if child is not None and not (_AGE_RANGE2_RE.search(text) or _AGE_RANGE_RE.search(text)):
        if child.group(2):
            return [_limit_from("age", child.group(1), float(child.group(2)), child.group(0))]
        return [Limit("age", None, 18, high_inclusive=False, words=child.group(0))]
    if not _AGE_WORD_RE.search(text) and not re.search(r"\b\d{1,3}\s*(?:years|yrs)\b", text, re.I):
        return []
    if (m := _AGE_RANGE2_RE.search(text) or _AGE_RANGE_RE.search(text)) is not None:
        low, high = sorted((float(m.group(1)), float(m.group(2))))
        if high <= 120 and (_AGE_WORD_RE.search(text) or "year" in m.group(0).lower()):
            return [Limit("age", low, high, words=m.group(0))]
    if not _AGE_WORD_RE.search(text):
        return []
    limits: list[Limit] = []
    if (m := _AGE_MIN_RE.search(text)) is not None:
        if m.group(1):
            limits.append(Limit("age", float(m.group(1)), None, words=m.group(0)))
        elif m.group(3):
            op = m.group(2) or ">="
            limits.append(_limit_from("age", op, float(m.group(3)), m.group(0)))
        elif m.group(5):
            limits.append(_limit_from("age", m.group(4), float(m.group(5)), m.group(0)))
    if (m := _AGE_MAX_RE.search(text)) is not None:
        if m.group(1):
            limits.append(Limit("age", None, float(m.group(1)), words=m.group(0)))
        elif m.group(3):
            limits.append(_limit_from("age", m.group(2), float(m.group(3)), m.group(0)))
        elif m.group(5):
            limits.append(_limit_from("age", m.group(4), float(m.group(5)), m.group(0)))
    return [limit for limit in limits if (limit.low or 0) <= 120 and (limit.high or 0) <= 120]


_TREATED_FOR_RE = re.compile(r"[^,;()]*?\b(?:for|to treat|against|of)\b[^,;()]*", re.I)
_ALLERGY_TO_RE = re.compile(
    r"\b(?:allerg\w*|hypersensitiv\w*|intoleran\w*|contraindicat\w*|adverse reactions?|anaphyla\w*)\s+(?:to|against|"
    r"with|of)\s+(?:any\s+|the\s+)?(?:[\w-]+\s+){0,3}$",
    re.I,
)
_ALLERGY_AFTER_RE = re.compile(r"\s*(?:intoleran\w*|allerg\w*|hypersensitivit\w*)", re.I)
_RECEPTOR_RE = re.compile(r"\s*receptors?\b(?!\s*(?:agonists?|antagonists?|blockers?|modulators?))", re.I)
_UNCONTROLLED_AFTER_RE = re.compile(
    r"\s*(?:that|which)?\s*(?:is|are|was)?\s*(?:not (?:well[- ])?(?:under )?control(?:led)?|poorly controlled|"
    r"uncontrolled|inadequately controlled)",
    re.I,
)
_REASON_RE = re.compile(
    r"\bbecause\b|\bfor (?:safety|the) reasons?\b|\bas (?:this|it|they) (?:may|might|could)\b", re.I
)
# A condition named with a limit on its own measure ("uncontrolled diabetes (HbA1c > 9%)", "type 2 diabetes,
# HbA1c 7-10%", "renal impairment (eGFR < 30)") needs both: the condition, and the limit as its measure of severity
MEASURED_BY: dict[str, tuple[str, ...]] = {
    "diabetes": ("hba1c",),
    "type1_diabetes": ("hba1c",),
    "type2_diabetes": ("hba1c",),
    "kidney_disease": ("egfr", "creatinine"),
    "heart_failure": ("ef",),
    "hyperlipidemia": ("ldl",),
    "thyroid": ("tsh",),
    "anemia": ("hemoglobin",),
    "copd": ("fev1",),
    "asthma": ("fev1",),
    "lung_disease": ("fev1",),
    "liver_disease": ("ast", "alt", "bilirubin"),
    "alcohol": ("drinks_week",),
    "smoking": ("cigarettes", "pack_years"),
}
_SCALED_BY = {
    "nyha": {"heart_failure", "heart_disease"},
    "hoehn_yahr": {"parkinson", "neurological"},
}


def _or_between(text: str, mention: Mention, limit: Limit, kind: Kind) -> bool:
    """ "HbA1c > 7% OR uncontrolled diabetes": alternatives, not a condition and its measure. In an exclusion, a
    list ("current smokers, former smokers with > 10 pack-years") is of alternatives too."""
    at = text.find(limit.words) if limit.words else -1
    if at < 0:
        return False
    lo, hi = (at + len(limit.words), mention.start) if at < mention.start else (mention.end, at)
    apart = r"\bor\b" if kind == "inclusion" else r"\bor\b|[,;]"
    return re.search(apart, text[lo:hi], re.I) is not None


# "Cancer diagnosis is melanoma, multiple myeloma": the family word heads a list of the kinds that count
_HEADING_RE = re.compile(
    r"\s*(?:diagnos[ie]s|types?|histolog\w*|kinds?)?\s*(?:is|are|must be|limited to|restricted to|of (?:the )?types?|:)"
    r"\s*(?:(?:a|an|either|one of|the following|of|any of)\s+)*",
    re.I,
)
# "(for example, ... NYHA class I-III heart failure)": a limit inside an example is not required
_EXAMPLE_BRACKET_RE = re.compile(r"\((?:for example|for instance|e\.\s?g\.?|such as|including)\b[^()]*\)", re.I)


# "another form of liver disease in addition to viral hepatitis (e.g., ...)": neither the family nor the
# kind set aside counts; the other kinds named do
_ANOTHER_RE = re.compile(
    r"\b(?:another|other|additional|a second) (?:forms?|types?|kinds?|causes?|etiology) of\s+$", re.I
)
_BESIDES_RE = re.compile(r"\s*(?:in addition to|besides|other than|apart from|beyond)\s+(?:the\s+|a\s+)?", re.I)


def _set_aside(plain: str, mentions: list[Mention]) -> set[str]:
    """The family and the kind that an "another form of X in addition to Y" construction sets aside."""
    out: set[str] = set()
    for m, n in itertools.pairwise(mentions):
        if _ANOTHER_RE.search(plain[max(0, m.start - 40) : m.start]) and _BESIDES_RE.fullmatch(plain, m.end, n.start):
            out.update({m.concept, n.concept})
    return out


@dataclass(frozen=True)
class _Span:
    start: int
    end: int


def _limit_spans(plain: str, limits: list[Limit]) -> list[_Span]:
    """Where each limit's words are in the criterion (limits whose words are not found are left out)."""
    spans = []
    for limit in limits:
        at = plain.find(limit.words) if limit.words else -1
        if at >= 0:
            spans.append(_Span(at, at + len(limit.words)))
    return spans


def _narrowed_to_kinds(plain: str, mentions: list[Mention], uses: list[ConceptUse]) -> list[ConceptUse]:
    """Drop a family concept whose mention only heads the list of its kinds that the criterion names."""
    named = {u.concept for u in uses}
    out = []
    for use in uses:
        kinds = [m for m in mentions if use.concept in IMPLIES.get(m.concept, ()) and m.concept in named]
        heads = [m for m in mentions if m.concept == use.concept]
        heading = kinds and heads and heads[0].end <= kinds[0].start
        if heading and _HEADING_RE.fullmatch(plain, heads[0].end, kinds[0].start):
            continue
        out.append(use)
    return out


def parse_criterion(text: str, kind: Kind) -> ParsedCriterion:
    plain = clean(text)
    limits = _ranges(_age_limits(plain) + _measure_limits(plain) + _scale_limits(plain))
    examples = [e.group(0) for e in _EXAMPLE_BRACKET_RE.finditer(plain)]
    limits = [limit for limit in limits if not any(limit.words and limit.words in e for e in examples)]
    measured = {limit.measure for limit in limits}
    uses: list[ConceptUse] = []
    seen: set[str] = set()
    treated_ends: list[int] = []
    # "..., because of the risk of arrhythmia": the reason for a criterion is not part of it
    reason = _REASON_RE.search(plain)
    # "Hamilton Rating Scale for Depression >= 18" names a scale, not depression
    scale_spans = [(n.start(), n.end()) for measure, name_re in _MEASURE_RES for n in name_re.finditer(plain)]
    mentions = [
        m
        for m in find_mentions(plain)
        if (reason is None or m.start < reason.start()) and not any(a <= m.start and m.end <= b for a, b in scale_spans)
    ]
    for mention in mentions:
        if after_except(plain, mention.start):
            continue
        # a concept named twice counts once, by its least qualified naming ("severe angina ... or any heart
        # failure": heart disease of any severity)
        if mention.concept in seen and not any(
            u.concept == mention.concept and u.qualified and u.qualified not in _PLAIN for u in uses
        ):
            continue
        # "BMI <= 30" names a measure, not obesity; "intraocular pressure > 21" is a limit, not glaucoma
        if (mention.concept == "obesity" and "bmi" in measured) or (
            mention.concept == "glaucoma" and "iop" in measured
        ):
            continue
        if mention.concept == "hypertension" and measured & {"systolic", "diastolic"}:
            continue
        # "heart failure NYHA class III-IV", "Parkinson's disease (Hoehn and Yahr stage II-IV)": the scale decides
        if mention.concept in _SCALED_BY.get("nyha", set()) and "nyha" in measured:
            continue
        if mention.concept in _SCALED_BY.get("hoehn_yahr", set()) and "hoehn_yahr" in measured:
            continue
        # "chemotherapy for metastatic breast cancer": the illness a treatment was for is not an alternative
        if BY_KEY[mention.concept].kind == "condition" and any(
            _TREATED_FOR_RE.fullmatch(plain, end, mention.start) for end in treated_ends
        ):
            continue
        if BY_KEY[mention.concept].kind in {"treatment", "medicine"}:
            treated_ends.append(mention.end)
        seen.add(mention.concept)
        start, _ = clause_bounds(plain, mention.start)
        before = plain[max(start, mention.start - 45) : mention.start]
        found = [q.lower() for q in _QUALIFIER_WORD_RE.findall(before)]
        strong = [q for q in found if q not in _PLAIN]
        qualifier = strong[-1] if strong else found[-1] if found else ""
        joined = _WITH_RE.match(plain, mention.end)
        if joined is not None and any(o.start == joined.end() for o in mentions):
            continue  # "depression with psychosis": the criterion is about the psychosis
        if qualifier == "chronic" and mention.concept in {
            "cluster_headache",
            "chronic_pain",
            "liver_disease",
            "kidney_disease",
        }:
            qualifier = ""
        negated = (
            is_negated(plain, mention.start) or re.search(r"\bnon-?\s?$", plain[: mention.start], re.I) is not None
        )
        if mention.concept == "menopause" and re.match(r"(?:pre|peri)", mention.words, re.I):
            negated = not negated  # "premenopausal": not (yet) through the menopause
        if mention.concept == "preterm" and re.match(r"(?:full[- ])?term\b", mention.words, re.I):
            negated = not negated  # "term infant": not born prematurely
        # "hypersensitivity to benzodiazepines": the medicine is what the allergy is to, not an alternative
        if BY_KEY[mention.concept].kind in {"medicine", "treatment"} and (
            _ALLERGY_TO_RE.search(plain, max(0, mention.start - 60), mention.start)
            or _ALLERGY_AFTER_RE.match(plain, mention.end)
            or _RECEPTOR_RE.match(plain, mention.end)  # "autoantibodies to the insulin receptor"
        ):
            continue
        if _UNCONTROLLED_AFTER_RE.match(plain, mention.end):
            qualifier = "uncontrolled"  # "diabetes that is not under control"
        sentence = re.split(r"(?<=[.;])\s", plain[mention.start :], maxsplit=1)[0]
        sentence_start = max(plain.rfind(". ", 0, mention.start), plain.rfind(";", 0, mention.start)) + 1
        if mention.concept == "pregnancy" and _NEGATIVE_TEST_RE.search(
            plain[sentence_start : mention.start] + sentence
        ):
            negated = True  # "must have a negative pregnancy test": the criterion asks for no pregnancy
        after = plain[mention.end : mention.end + 30]
        heavy = re.search(
            r"\b(?:heavy|excessive|binge|hazardous|harmful|problem(?:atic)?|abuse[sd]?|misuse[sd]?|dependen(?:ce|t) on|"
            r"addict(?:ion|ed) to)\s+$",
            before,
            re.I,
        )
        if (
            heavy
            or re.search(r"\b(?:abuse|dependence|addiction|misuse|use disorder)", after, re.I)
            or (
                mention.concept == "substance_use"
                and re.search(r"abuse|dependence|addiction|misuse", mention.words, re.I)
            )
        ):
            qualifier = "abuse"
        # only words in the same stretch of text narrow the condition (a comma or bracket ends it)
        stretch = re.split(r"[,;:()\[\]/]", plain[start : mention.start])[-1]
        own = tuple(
            limit.measure
            for limit in limits
            if limit.measure in MEASURED_BY.get(mention.concept, ()) and not _or_between(plain, mention, limit, kind)
        )
        if own:
            qualifier = ""  # the limit says how severe
        use = ConceptUse(mention.concept, negated, qualifier, mention.words, modifiers(stretch), own)
        if any(u.concept == mention.concept for u in uses):
            if qualifier and qualifier not in _PLAIN:
                continue
            uses = [use if u.concept == mention.concept else u for u in uses]
            continue
        uses.append(use)
    uses = _narrowed_to_kinds(plain, mentions, uses)
    aside = _set_aside(plain, mentions)
    uses = [use for use in uses if use.concept not in aside]
    window_match = None if _DURATION_RE.search(plain) else _WINDOW_RE.search(plain)
    has_or = _OR_RE.search(plain) is not None
    has_and = _AND_RE.search(plain) is not None
    # limits on different measures joined by "and" must all hold; lists of illnesses are alternatives
    # An inclusion listing several limits ("Body weight >50kg; BMI between 19-32") asks for all of them
    # "LVEF < 50% with heart failure NYHA >= 2": limits joined by "with" must both hold too
    joined_with = any(
        re.search(r"\bwith\b", plain[min(a.end, b.end) : max(a.start, b.start)], re.I) is not None
        for a, b in itertools.combinations(_limit_spans(plain, limits), 2)
    )
    listed = has_and or joined_with or (kind == "inclusion" and re.search(r"[;,]", plain) is not None)
    any_of = not (listed and not has_or and len(measured) > 1)
    sex_only = _SEX_ONLY_RE.match(plain)
    sex_required = ""
    one_sex = not (_MALE_WORD_RE.search(plain) and _FEMALE_WORD_RE.search(plain))
    if sex_only and kind == "inclusion" and one_sex:
        sex_required = "F" if sex_only.group(1).lower().startswith(("f", "wom")) else "M"
    return ParsedCriterion(
        kind=kind,
        text=text,
        limits=tuple(limits),
        concepts=tuple(uses),
        any_of=any_of,
        window=window_match.group(0) if window_match else "",
        women_only=_WOMEN_ONLY_RE.search(plain) is not None,
        sex_required=sex_required,
        procedural=_PROCEDURAL_RE.search(plain) is not None and not limits and not uses,
        limits_and_concepts=kind == "inclusion" and bool(limits) and bool(uses) and not has_or,
        alternatives=alternatives(plain)
        if not limits and not uses and not NEGATION_CUE_RE.match(plain.lstrip("-* "))
        else (),
        specifics=tuple(
            dict.fromkeys(m.group(0).lower() for m in _SPECIFIC_RE.finditer(_EXAMPLE_BRACKET_RE.sub("", plain)))
        ),
    )


def concept_label(key: str) -> str:
    return BY_KEY[key].label
