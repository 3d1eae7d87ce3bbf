"""Parsed criteria kept per study, in an object (never a module global: see tests/test_module_state.py).

Pre-screening the top 50 results for a person re-reads the same studies' criteria on every search;
parsing them once per study version (keyed by NCT id and the criteria text's hash) leaves only the
cheap per-person checks. Bounded and locked, because web server threads share the owner's cache.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from ketnav.trials.eligibility.assess import ParsedStudy, parse_study
from ketnav.trials.record import Eligibility


class CriteriaCache:
    def __init__(self, max_studies: int = 5_000) -> None:
        self._max = max_studies
        self._lock = threading.Lock()
        self._entries: OrderedDict[tuple[str, int], ParsedStudy] = OrderedDict()
        self.hits = 0
        self.misses = 0

    def get(self, nct_id: str, eligibility: Eligibility) -> ParsedStudy:
        key = (
            nct_id,
            hash((eligibility.criteria, eligibility.minimum_age_years, eligibility.maximum_age_years, eligibility.sex)),
        )
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
                self.hits += 1
                return found
        parsed = parse_study(eligibility)
        with self._lock:
            self.misses += 1
            self._entries[key] = parsed
            while len(self._entries) > self._max:
                self._entries.popitem(last=False)
        return parsed

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)
