"""Parsed criteria kept per study, in an object (never a module global: see tests/test_module_state.py).

Pre-screening the top 50 results for a person re-reads the same studies' criteria on every search;
parsing them once per study version leaves only the cheap per-person checks. The version is whatever
changes when the record does: the stored raw record's hash, the one key every caller uses (search
results, the study page's form, the API's pre-screen and the server's warm-up all go through
``ketnav.trials.selectors.parsed_criteria``), so a study parsed by one is found by the others. Bounded
and locked, because web server threads share the owner's cache.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from ketnav.trials.eligibility.assess import ParsedStudy


class CriteriaCache:
    def __init__(self, max_studies: int = 5_000) -> None:
        self._max = max_studies
        self._lock = threading.Lock()
        self._entries: OrderedDict[tuple[str, str], ParsedStudy] = OrderedDict()
        self.hits = 0
        self.misses = 0

    @property
    def capacity(self) -> int:
        return self._max

    def lookup(self, nct_id: str, version: str) -> ParsedStudy | None:
        with self._lock:
            found = self._entries.get((nct_id, version))
            if found is None:
                self.misses += 1
                return None
            self._entries.move_to_end((nct_id, version))
            self.hits += 1
            return found

    def store(self, nct_id: str, version: str, parsed: ParsedStudy) -> None:
        with self._lock:
            self._entries[(nct_id, version)] = parsed
            while len(self._entries) > self._max:
                self._entries.popitem(last=False)

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)
