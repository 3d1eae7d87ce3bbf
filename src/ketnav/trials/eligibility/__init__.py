"""Per-criterion eligibility pre-screen: pure, typed, no Django (issue 18 section 4).

A study's criterion items (split by ``ketnav.trials.criteria.split_criteria``) are parsed into concepts,
limits and time windows; a person's words and answers become a ``Profile``; each criterion is then
``met``, ``not_met`` or ``unknown`` with the words that decided it, and the study gets a verdict. A
pre-screen, never a decision: the study team decides.
"""

from ketnav.trials.eligibility.assess import (
    NOTICE,
    CriterionResult,
    FormQuestion,
    ParsedStudy,
    Prescreen,
    assess,
    form_questions,
    parse_study,
    prescreen,
    prescreen_eligibility,
)
from ketnav.trials.eligibility.cache import CriteriaCache
from ketnav.trials.eligibility.criteria import ParsedCriterion, parse_criterion
from ketnav.trials.eligibility.output import MAX_DESCRIPTION_CHARS, check_description, prescreen_dict
from ketnav.trials.eligibility.profile import Answers, Profile, build_profile, parse_profile

__all__ = [
    "MAX_DESCRIPTION_CHARS",
    "NOTICE",
    "Answers",
    "CriteriaCache",
    "CriterionResult",
    "FormQuestion",
    "ParsedCriterion",
    "ParsedStudy",
    "Prescreen",
    "Profile",
    "assess",
    "build_profile",
    "check_description",
    "form_questions",
    "parse_criterion",
    "parse_profile",
    "parse_study",
    "prescreen",
    "prescreen_dict",
    "prescreen_eligibility",
]
