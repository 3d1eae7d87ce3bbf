"""Checking parsed criteria against a profile, and the study-level verdict.

Each criterion is read as a statement about the person ("has a history of psychosis", "BMI <= 30"):
``met`` when the person's words make it true, ``not_met`` when they make it false, ``unknown``
otherwise. An exclusion that is met, or an inclusion that is clearly not met, makes the study
``likely_excluded``; every inclusion met and every exclusion cleared makes it ``likely_eligible``;
anything else is ``possible`` with the open points as questions. Always a pre-screen: the study team
decides.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Literal

from ketnav.trials.eligibility.concepts import BY_KEY
from ketnav.trials.eligibility.criteria import Kind, Limit, ParsedCriterion, parse_criterion
from ketnav.trials.eligibility.generic import generic_match
from ketnav.trials.eligibility.profile import MEASURES, Profile
from ketnav.trials.record import Eligibility

Status = Literal["met", "not_met", "unknown"]
Verdict = Literal["likely_excluded", "likely_eligible", "possible"]
NOTICE = (
    "This is a pre-screen from the registry text and what you told us, not a decision: "
    "only the study team can say whether you can take part."
)


@dataclass(frozen=True)
class CriterionResult:
    kind: Kind
    text: str
    status: Status
    because: str
    questions: tuple[str, ...] = ()
    procedural: bool = False


@dataclass(frozen=True)
class Prescreen:
    verdict: Verdict
    criteria: tuple[CriterionResult, ...]
    questions: tuple[str, ...]
    reasons: tuple[str, ...]  # the criteria that decided a likely_excluded verdict
    notice: str = NOTICE


@dataclass(frozen=True)
class ParsedStudy:
    """A study's criteria, parsed once (cached per study by CriteriaCache)."""

    criteria: tuple[ParsedCriterion, ...]
    minimum_age: float | None
    maximum_age: float | None
    sex: str  # ALL, FEMALE, MALE
    limits_text: str


def parse_study(eligibility: Eligibility) -> ParsedStudy:
    # Items with no word in them ("\\-", "*", "1.") are list debris from the registry text, not criteria.
    criteria = [parse_criterion(t, "inclusion") for t in eligibility.inclusion if _HAS_WORD.search(t)]
    criteria += [parse_criterion(t, "exclusion") for t in eligibility.exclusion if _HAS_WORD.search(t)]
    low, high = eligibility.minimum_age_text or "no minimum", eligibility.maximum_age_text or "no maximum"
    return ParsedStudy(
        tuple(criteria), eligibility.minimum_age_years, eligibility.maximum_age_years, eligibility.sex or "ALL",
        f"Age {low} to {high}",
    )  # fmt: skip


_Tri = bool | None
_HAS_WORD = re.compile(r"[^\W\d_]{2}")
# Qualifiers that do not change whether a condition counts ("chronic cluster headache" is cluster headache).
_ABUSE_RE = re.compile(r"abus|depend|addict|alcoholism|heavy|binge|\b\d+ units|disorder|misuse", re.I)
_LIGHT_USE_RE = re.compile(r"occasional|social|rarely|light|moderate", re.I)
_NUMERIC_WINDOW_RE = re.compile(r"\d|one|two|three|four|five|six|twelve|eighteen|twenty", re.I)
_CHILDBEARING_RE = re.compile(r"(?-i:\bWOCBP\b)|child-?bearing|reproductive potential", re.I)
_NOT_PREGNANT_NOW_RE = re.compile(r"\b(?:not|no|negative|denies|answered)\b", re.I)
_PLAIN_QUALIFIERS = frozenset({"current", "currently", "active", "chronic", "primary", "acute"})
# Lasting conditions: had at all means had within any recent window ("hypertension within the last 2 years")
_LASTING = frozenset(
    """
    hypertension diabetes type1_diabetes type2_diabetes heart_failure copd asthma kidney_disease liver_disease hiv
    epilepsy hyperlipidemia obesity thyroid intellectual_disability dementia parkinson multiple_sclerosis
    hemoglobinopathy autoimmune bph chronic_pain sleep_apnea pcos neurological vasculitis
    """.split()  # noqa: SIM905
)
_EVER_RE = re.compile(r"\b(?:history|prior|previous(?:ly)?|ever|past|former|had|have been|received)\b", re.I)
_WINDOW_NUMBER_RE = re.compile(
    r"(\d+|one|two|three|four|five|six|twelve|eighteen|twenty[- ]four)\s*(days?|weeks?|months?|years?)", re.I
)
_WINDOW_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "twelve": 12, "eighteen": 18}


def _window_months(window: str) -> float | None:
    m = _WINDOW_NUMBER_RE.search(window)
    if m is None:
        return None
    raw = m.group(1).lower()
    count = float(raw) if raw.isdigit() else _WINDOW_WORDS.get(raw, 24.0)
    return count * {"d": 1 / 30, "w": 12 / 52, "m": 1.0, "y": 12.0}[m.group(2)[0].lower()]


def _combine(values: list[tuple[_Tri, str]], any_of: bool) -> tuple[_Tri, str]:
    if any_of:
        for value, why in values:
            if value is True:
                return True, why
        if values and all(value is False for value, _ in values):
            return False, "; ".join(why for _, why in values)
        return None, ""
    for value, why in values:
        if value is False:
            return False, why
    if values and all(value is True for value, _ in values):
        return True, "; ".join(why for _, why in values)
    return None, ""


def _check_concept(criterion: ParsedCriterion, profile: Profile, questions: list[str]) -> list[tuple[_Tri, str]]:
    results: list[tuple[_Tri, str]] = []
    for use in criterion.concepts:
        fact = profile.fact(use.concept)
        concept = BY_KEY[use.concept]
        when = f" ({criterion.window})" if criterion.window else ""
        if fact is None:
            questions.append(concept.question.rstrip("?") + (f", {criterion.window}" if criterion.window else "") + "?")
            results.append((None, ""))
            continue
        value: _Tri = fact.present
        why = f'you: "{fact.words}" · criterion: "{use.words}"{when}'
        window = _window_months(criterion.window)
        if fact.present and window is not None and fact.ago_months is not None:
            value = fact.ago_months <= window  # "surgery 4 months ago" against "within 2 months"
        elif fact.present:
            if criterion.window and concept.kind in {"substance", "medicine", "treatment"} and fact.current is not True:
                value = None
                questions.append(f"Was your {concept.label} {criterion.window}?")
            elif use.qualified == "abuse":
                value = True if _ABUSE_RE.search(fact.words) else False if _LIGHT_USE_RE.search(fact.words) else None
                if value is None:
                    questions.append(f"Has your {concept.label} ever been a problem (abuse or dependence)?")
            elif use.qualified in {"current", "currently", "active"} and concept.kind in {"substance", "medicine"}:
                value = fact.current
            elif concept.kind == "medicine" and fact.current is False and not _EVER_RE.search(criterion.text):
                value = False  # "use of beta blockers": about now, and the person stopped
            elif (
                _NUMERIC_WINDOW_RE.search(criterion.window)
                and concept.kind == "condition"
                and not (fact.current or use.concept in _LASTING)
            ):
                value = None
                questions.append(f"Was your {concept.label} {criterion.window}?")
            elif use.qualified and use.qualified not in _PLAIN_QUALIFIERS and use.qualified not in fact.words.lower():
                value = None
                questions.append(f"Would the study team call your {concept.label} {use.qualified}?")
        narrowed = use.narrowed_by and not all(stem in profile.stems for stem in use.narrowed_by)
        if value is True and criterion.kind == "inclusion" and not use.negated and narrowed:
            value = None
            questions.append(f"Ask the study team whether your {concept.label} counts as: “{criterion.text}”")
        if value is True and criterion.kind == "inclusion" and not use.negated:
            missing = [w for w in criterion.specifics if w[:7] not in fact.words.lower()]
            if missing:
                value = None
                questions.append(f"Ask the study team whether your {concept.label} meets: “{criterion.text}”")
        if use.negated:
            value = None if value is None else not value
        results.append((value, why))
    return results


def _paired(
    criterion: ParsedCriterion, limits: list[tuple[_Tri, str]], concepts: list[tuple[_Tri, str]]
) -> list[tuple[_Tri, str]]:
    """A condition and the limits on its own measure count together ("diabetes (HbA1c > 9%)": both)."""
    used: set[int] = set()
    out: list[tuple[_Tri, str]] = []
    for use, (value, why) in zip(criterion.concepts, concepts, strict=True):
        own = [i for i, limit in enumerate(criterion.limits) if limit.measure in use.measured_by]
        if not own:
            out.append((value, why))
            continue
        used.update(own)
        measured, measured_why = _combine([limits[i] for i in own], any_of=True)
        if value is False or measured is False:
            out.append((False, why if value is False else measured_why))
        elif value is True and measured is True:
            out.append((True, f"{why}; {measured_why}"))
        else:
            out.append((None, ""))
    return [result for i, result in enumerate(limits) if i not in used] + out


def _interval_holds(limit: Limit, low: float | None, high: float | None) -> _Tri:
    """Whether every value between low and high meets the limit (True), none does (False), or some do."""
    lo = -math.inf if low is None else low
    hi = math.inf if high is None else high
    lim_lo = -math.inf if limit.low is None else limit.low
    lim_hi = math.inf if limit.high is None else limit.high
    inside = (lo > lim_lo or (lo == lim_lo and limit.low_inclusive)) and (
        hi < lim_hi or (hi == lim_hi and limit.high_inclusive)
    )
    if inside:
        return True
    if hi < lim_lo or lo > lim_hi or (hi == lim_lo and not limit.low_inclusive):
        return False
    return None


def _check_limits(criterion: ParsedCriterion, profile: Profile, questions: list[str]) -> list[tuple[_Tri, str]]:
    results: list[tuple[_Tri, str]] = []
    for limit in criterion.limits:
        value = profile.value(limit.measure)
        bound = profile.bound(limit.measure) if value is None else None
        if value is None and bound is not None:
            decided = _interval_holds(limit, bound[0], bound[1])
            if decided is not None:
                results.append((decided, f'you: "{bound[2]}" · criterion: "{limit.words.strip()}"'))
                continue
        if value is None:
            questions.append(f"What is your {MEASURES[limit.measure]}?")
            results.append((None, ""))
            continue
        results.append((limit.holds(value.number), f'you: "{value.words}" · criterion: "{limit.words.strip()}"'))
    return results


def assess(criterion: ParsedCriterion, profile: Profile) -> CriterionResult:
    """One criterion against one person."""
    kind, text = criterion.kind, criterion.text
    if criterion.women_only and profile.sex == "M":
        status: Status = "met" if kind == "inclusion" else "not_met"
        return CriterionResult(kind, text, status, "applies to women only; you: male")
    if criterion.women_only and profile.sex == "F" and _CHILDBEARING_RE.search(text):
        # "Women of childbearing potential must ...": not for a woman who cannot become pregnant (age,
        # menopause, sterilisation); a woman who is only "not pregnant" now still could
        pregnancy = profile.fact("pregnancy")
        if pregnancy is not None and not pregnancy.present and not _NOT_PREGNANT_NOW_RE.search(pregnancy.words):
            status = "met" if kind == "inclusion" else "not_met"
            return CriterionResult(
                kind, text, status, f'applies to women who could become pregnant; you: "{pregnancy.words}"'
            )
    questions: list[str] = []
    limit_checks = _check_limits(criterion, profile, questions)
    concept_checks = _check_concept(criterion, profile, questions)
    checks = _paired(criterion, limit_checks, concept_checks)
    any_of = criterion.any_of
    if criterion.limits_and_concepts and checks:
        # "Non-pregnant women aged 18-45": the limits (as the item combines them) and one of the conditions
        alone = len(checks) - len(concept_checks)
        groups = [_combine(checks[:alone], criterion.any_of)] if alone else []
        checks, any_of = [*groups, _combine(checks[alone:], True)], False
    if criterion.sex_required and profile.sex:
        # "Men between 45 and 80 years old": the sex and the age must both hold
        ok = criterion.sex_required == profile.sex
        sex_words = "female" if profile.sex == "F" else "male"
        sex_why = f'you: {sex_words} · criterion: "{text[:40]}"'
        if not ok or not checks:
            return CriterionResult(kind, text, "met" if ok else "not_met", sex_why)
        value, why = _combine(checks, any_of)
        if value is None:
            return CriterionResult(kind, text, "unknown", "not stated", tuple(dict.fromkeys(questions)))
        return CriterionResult(kind, text, "met" if value else "not_met", f"{sex_why}; {why}" if value else why)
    if not checks:
        if criterion.procedural:
            return CriterionResult(kind, text, "unknown", "for you and the study team to agree", (), True)
        if profile.stems and criterion.alternatives:
            found = generic_match(criterion.alternatives, profile.stems)
            if found is not None and found.said:
                if found.qualified:
                    question = f"Ask the study team whether your condition counts as: “{found.words}”"
                    return CriterionResult(kind, text, "unknown", "not stated", (question,))
                return CriterionResult(kind, text, "met", f'you mention: "{found.words}"')
        return CriterionResult(
            kind,
            text,
            "unknown",
            "not understood by the pre-screen",
            (f"Ask the study team: does this apply to you? “{text}”",),
        )
    value, why = _combine(checks, any_of)
    if value is None:
        return CriterionResult(kind, text, "unknown", "not stated", tuple(dict.fromkeys(questions)))
    return CriterionResult(kind, text, "met" if value else "not_met", why)


def _registry_limits(study: ParsedStudy, profile: Profile) -> list[CriterionResult]:
    out: list[CriterionResult] = []
    if study.minimum_age is not None or study.maximum_age is not None:
        if profile.age is None:
            out.append(CriterionResult("inclusion", study.limits_text, "unknown", "not stated", ("How old are you?",)))
        else:
            ok = (study.minimum_age is None or profile.age >= study.minimum_age) and (
                study.maximum_age is None or profile.age <= study.maximum_age
            )
            out.append(
                CriterionResult(
                    "inclusion",
                    study.limits_text,
                    "met" if ok else "not_met",
                    f"you: age {profile.age:g} · registry: {study.limits_text}",
                )
            )
    if study.sex in {"FEMALE", "MALE"}:
        text = f"Sex: {study.sex.lower()} only"
        if profile.sex is None:
            out.append(CriterionResult("inclusion", text, "unknown", "not stated", ("What is your sex?",)))
        else:
            ok = profile.sex == study.sex[0]
            you = "female" if profile.sex == "F" else "male"
            out.append(CriterionResult("inclusion", text, "met" if ok else "not_met", f"you: {you} · registry: {text}"))
    return out


def prescreen(study: ParsedStudy, profile: Profile) -> Prescreen:
    results = _registry_limits(study, profile) + [assess(c, profile) for c in study.criteria]
    decided = [r for r in results if not r.procedural]
    reasons = tuple(
        f"{'Exclusion' if r.kind == 'exclusion' else 'Inclusion'} {'met' if r.status == 'met' else 'not met'}: {r.text}"
        for r in decided
        if (r.kind == "exclusion" and r.status == "met") or (r.kind == "inclusion" and r.status == "not_met")
    )
    questions = tuple(dict.fromkeys(q for r in results if r.status == "unknown" for q in r.questions))
    if reasons:
        verdict: Verdict = "likely_excluded"
    elif decided and all(
        (r.kind == "inclusion" and r.status == "met") or (r.kind == "exclusion" and r.status == "not_met")
        for r in decided
    ):
        verdict = "likely_eligible"
    else:
        verdict = "possible"
    return Prescreen(verdict, tuple(results), questions, reasons)


def prescreen_eligibility(eligibility: Eligibility, profile: Profile) -> Prescreen:
    return prescreen(parse_study(eligibility), profile)


@dataclass(frozen=True)
class FormQuestion:
    """One yes/no question (a concept) or number (a measure) of a study's "Could I take part?" form."""

    key: str
    text: str


def form_questions(
    study: ParsedStudy, *, max_concepts: int = 16
) -> tuple[tuple[FormQuestion, ...], tuple[FormQuestion, ...]]:
    """The concepts and measures this study's criteria mention, in the order they first appear.

    A short form generated from the criteria asks only what this study's team will ask; age and sex
    are always asked by the page itself.
    """
    concepts: dict[str, FormQuestion] = {}
    measures: dict[str, FormQuestion] = {}
    for criterion in study.criteria:
        for use in criterion.concepts:
            if use.concept not in concepts:
                concepts[use.concept] = FormQuestion(use.concept, BY_KEY[use.concept].question)
        for limit in criterion.limits:
            if limit.measure != "age" and limit.measure not in measures:
                label = MEASURES[limit.measure]
                measures[limit.measure] = FormQuestion(limit.measure, label[0].upper() + label[1:])
    return tuple(concepts.values())[:max_concepts], tuple(measures.values())[:6]
