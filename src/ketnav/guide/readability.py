"""Reading grade of plain text (Flesch-Kincaid), so "aim at grade 8" is measured, not hoped for.

Pure. Syllables are counted by a standard heuristic (vowel groups, minus a silent final e), which is
what readability tools do; it is within about a syllable a word of a dictionary count for English.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_WORD_RE = re.compile(r"[A-Za-z]+(?:['’][A-Za-z]+)*|\d[\d,.]*%?")
_SENTENCE_END_RE = re.compile(r"[.!?:;]+(?=\s|$)|\n\s*\n")


def syllables(word: str) -> int:
    w = word.casefold()
    if not w[0].isalpha():
        return max(1, len(re.sub(r"\D", "", w)) // 2)  # a number is read aloud as a few syllables
    w = re.sub(r"[^a-z]", "", w)
    if len(w) <= 3:
        return 1
    w = re.sub(r"(?:[^laeiouy]es|[^laeiouy]ed|[^laeiouy]e)$", "", w)
    w = re.sub(r"^y", "", w)
    return max(1, len(re.findall(r"[aeiouy]{1,2}", w)))


@dataclass(frozen=True)
class Readability:
    words: int
    sentences: int
    syllables: int

    @property
    def grade(self) -> float:
        """Flesch-Kincaid grade level (US school grade)."""
        if not self.words:
            return 0.0
        return 0.39 * self.words / self.sentences + 11.8 * self.syllables / self.words - 15.59

    @property
    def reading_ease(self) -> float:
        if not self.words:
            return 100.0
        return 206.835 - 1.015 * self.words / self.sentences - 84.6 * self.syllables / self.words


def measure(text: str) -> Readability:
    words = _WORD_RE.findall(text)
    sentences = max(1, len([s for s in _SENTENCE_END_RE.split(text) if _WORD_RE.search(s)]))
    return Readability(len(words), sentences, sum(syllables(w) for w in words))
