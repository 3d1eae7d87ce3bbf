"""Whether what a person told the pre-screen touches suicidal thoughts or self-harm.

Deliberately separate from the rest of the pre-screen and deliberately over-inclusive: it reads only the
raw text and the one structured answer, never the parsed profile, negations or the study's criteria, so
no other rule can hide the crisis contacts. "No suicidal thoughts" shows them too: showing help to
someone who did not need it costs a line of screen; missing someone who did is what this must avoid.
"""

from __future__ import annotations

import re

from ketnav.trials.eligibility.profile import Answers

_WORDS = re.compile(
    r"suicid|self[- ]?harm|hurt(ing)? myself|kill(ing)? myself|end(ing)? (my|it all)|take my (own )?life|"
    r"better off dead|want(ed)? to die|wish(ed)? (i (was|were) )?(dead|not here|not alive)|"
    r"(don'?t|do not) want to (be here|be alive|live)",
    re.IGNORECASE,
)


def touches_suicidal_thoughts(text: str, answers: Answers | None = None) -> bool:
    """True when the words mention suicide or self-harm at all, or the answers say yes to it."""
    return bool((answers is not None and answers.facts.get("suicidal") is True) or _WORDS.search(text or ""))
