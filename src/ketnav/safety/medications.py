"""Recognizing what people type as medication names, and mapping them to the classes the rules use.

Exact generic or brand names first, then known misspellings, then close spellings (difflib ratio at
least 0.85, a single best candidate). Anything else is "not recognized — ask your clinician".
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

import yaml

FUZZY_CUTOFF = 0.85


@dataclass(frozen=True)
class Medication:
    generic: str
    brands: tuple[str, ...]
    classes: tuple[str, ...]


@dataclass(frozen=True)
class Recognized:
    entered: str
    medication: Medication | None
    how: str  # generic | brand | misspelling | close spelling | not recognized

    @property
    def recognized(self) -> bool:
        return self.medication is not None


def _key(text: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"[^\w\s'.]", " ", text.casefold())).strip().rstrip(".")


@cache
def vocabulary() -> tuple[dict[str, Medication], dict[str, tuple[Medication, str]]]:
    """(generic -> medication, any known spelling -> (medication, how))."""
    raw = yaml.safe_load(resources.files("ketnav.safety").joinpath("medications.yaml").read_text(encoding="utf-8"))
    meds: dict[str, Medication] = {}
    names: dict[str, tuple[Medication, str]] = {}
    for generic, entry in raw.items():
        med = Medication(generic=generic, brands=tuple(entry.get("brands", [])), classes=tuple(entry["classes"]))
        meds[generic] = med
        names.setdefault(_key(generic), (med, "generic"))
        for brand in med.brands:
            names.setdefault(_key(brand), (med, "brand"))
        for spelling in entry.get("misspellings", []):
            names.setdefault(_key(spelling), (med, "misspelling"))
    return meds, names


_DOSE_RE = re.compile(r"\b\d+(?:\.\d+)?\s*(?:mg|mcg|µg|g|ml|iu|units?)\b.*$", re.I)
_FORM_RE = re.compile(r"\b(?:xr|er|sr|xl|cr|la|dr|ir|odt|cd|hcl|tablets?|capsules?|patch)\b", re.I)


def recognize(entered: str) -> Recognized:
    _meds, names = vocabulary()
    key = _key(_FORM_RE.sub(" ", _DOSE_RE.sub("", entered)))  # "Xanax XR 0.5 mg twice daily" -> "xanax"
    if not key:
        return Recognized(entered, None, "not recognized")
    if key in names:
        med, how = names[key]
        return Recognized(entered, med, how)
    first_word = key.split(" ")[0]
    if first_word in names:
        med, how = names[first_word]
        return Recognized(entered, med, how)
    close = difflib.get_close_matches(key, list(names), n=2, cutoff=FUZZY_CUTOFF)
    if len(close) == 1 or (len(close) == 2 and names[close[0]][0] == names[close[1]][0]):
        return Recognized(entered, names[close[0]][0], "close spelling")
    return Recognized(entered, None, "not recognized")
