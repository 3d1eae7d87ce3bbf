"""Turning a long patient description into a search: key terms, age, sex, and what to leave out.

Pure and rule-based (no model fitted to any judged data): sentences are split, negated findings
("denies chest pain", "no history of diabetes") are dropped, boilerplate clinical wording ("presents
with", "physical examination") is removed, and the remaining words are kept in order of appearance,
the chief complaint first, up to the engine's limit for long descriptions. Age and sex become filters, because trial
eligibility is stated in those terms.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ketnav.text.query import MAX_QUERY_CHARS, MAX_TERMS_LONG, STOPWORDS, tokens_adjacent

# Words that describe the encounter, not the patient's condition.
_BOILERPLATE_TEXT = """
    year years old yo month months week weeks day days hour hours ago today yesterday recently recent
    presents presented presenting present complains complaining complaint reports reported reporting states
    noted notes note found finds shows showed shown reveals revealed revealing examination exam physical
    history hx currently current also past prior previous since last first time times admitted admission
    emergency department er ed clinic hospital visit visits brought evaluation evaluated referred follow
    mr mrs ms woman women man men male female boy girl gentleman lady infant child baby son daughter mother
    father wife husband he she his her him patient patients pt denies deny denied negative unremarkable
    normal within limits significant otherwise well known diagnosed diagnosis increasing increased
    decreased worsening worse better mild moderate severe several multiple new started starting began
    takes taking take medication medications including include includes like around approximately about
    per daily twice while during after before without due because however although who which whose
    following followed left right both bilateral general appears appearance vital signs temperature
    pulse rate blood pressure mmhg bpm respiratory bmi kg cm mg ml lab labs laboratory results level
    levels value values test tests testing show work up workup
"""
CLINICAL_BOILERPLATE = frozenset(_BOILERPLATE_TEXT.split())
NEGATION_RE = re.compile(
    r"\b(?:denies|denied|deny|no|not|without|negative for|free of|absence of|never)\b[^.;,]*", re.I
)
AGE_RE = re.compile(
    r"\b(\d{1,3})[- ]?(?:year|yr)s?[- ]?old\b|\b(\d{1,3})[- ]?(?:yo|y/o)\b|\baged? (\d{1,3})\b"
    # "a 41 year man": the age before a word for the person, without "old"
    r"|\b(\d{1,3})[- ](?:year|yr)s? (?=(?:man|woman|male|female|boy|girl|gentleman|lady)\b)",
    re.I,
)
AGE_MONTHS_RE = re.compile(r"\b(\d{1,2})[- ]?months?[- ]?old\b", re.I)
AGE_DAYS_RE = re.compile(r"\b(\d{1,3})[- ]?(day|week)s?[- ]?old\b", re.I)
# A clinical note's header, "48 M with ..." or "74M hx of ...": age and sex at the very start, in
# capitals (elsewhere "101 F" is a temperature).
HEADER_RE = re.compile(r"^\W*(?:(?:a|an|the) )?(\d{1,3}) ?([MF])\b")
FEMALE_RE = re.compile(r"\b(?:woman|female|girl|lady|she|her|mrs|ms|mother|pregnant)\b", re.I)
MALE_RE = re.compile(r"\b(?:man|male|boy|gentleman|he|his|him|mr|father)\b", re.I)


@dataclass(frozen=True)
class PatientQuery:
    text: str  # the words to search for: words adjacent in the description space-separated, runs by commas
    age: float | None
    sex: str  # "", "F", "M"
    dropped: tuple[str, ...]  # negated phrases left out


def age_in_years(description: str) -> float | None:
    """A person's age as they or their note wrote it ("45-year-old", "aged 45", "48 M ...", "3 months old",
    "10-day-old"), in years; None when absent or impossible. The one reading of an age for the search and
    for the pre-screen (ketnav.trials.eligibility.profile), so both filter a person by the same age."""
    age: float | None = None
    header = HEADER_RE.search(description)
    m = AGE_RE.search(description)
    if m:
        age = float(next(g for g in m.groups() if g))
    elif header is not None:
        age = float(header.group(1))
    elif (months := AGE_MONTHS_RE.search(description)) is not None:
        age = round(int(months.group(1)) / 12, 2)
    elif (young := AGE_DAYS_RE.search(description)) is not None:
        age = round(int(young.group(1)) * (7 if young.group(2).lower() == "week" else 1) / 365.25, 3)
    return age if age is not None and 0 <= age <= 120 else None


def patient_query(description: str, *, max_terms: int = MAX_TERMS_LONG) -> PatientQuery:
    age = age_in_years(description)
    header = HEADER_RE.search(description)
    female = len(FEMALE_RE.findall(description))
    male = len(MALE_RE.findall(description))
    sex = "F" if female > male else "M" if male > female else ""
    if not sex and header is not None:
        sex = header.group(2)
    dropped = tuple(n.group(0).strip() for n in NEGATION_RE.finditer(description))
    kept_text = NEGATION_RE.sub(" ", description)
    words: list[str] = []
    runs: list[list[str]] = [[]]  # words adjacent in the description (nothing left out between them)
    for token, adjacent in tokens_adjacent(kept_text):
        if not adjacent and runs[-1]:
            runs.append([])
        if token in STOPWORDS or token in CLINICAL_BOILERPLATE or token.isdigit() or len(token) < 3:
            runs.append([])
            continue
        if token not in words:
            words.append(token)
        runs[-1].append(token)  # a word said again is searched once, but makes its pairs ("aortic stenosis")
        if len(words) >= max_terms:
            break
    # Runs are joined by commas, which the search reads as a break between words (text.query's pairs of
    # adjacent words): "cluster headache, glaucoma", not the phrase "headache glaucoma". The same words
    # either way; without the commas if they would make the text too long for a query.
    seen: set[str] = set()
    kept: list[str] = []
    for run in runs:
        if len(run) > 1 or (run and run[0] not in seen):
            kept.append(" ".join(run))
        seen.update(run)
    text = ", ".join(kept)
    if len(text) > MAX_QUERY_CHARS:
        text = " ".join(words)
    return PatientQuery(text, age, sex, dropped)
