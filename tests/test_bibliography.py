"""The single bibliography: every entry is well formed and used somewhere a reader can see it."""

from __future__ import annotations

import datetime as dt

from ketnav.citations.bibliography import bibliography


def citations_in_use() -> set[str]:
    from ketnav.clinics.checklist import ITEMS
    from ketnav.guide.render import guide_citations
    from ketnav.pharmacology.models import MODELS, RACEMIC_ABSORPTION
    from ketnav.safety.aftercare import plan
    from ketnav.safety.screening import rules
    from ketnav.safety.side_effects import effects
    from ketnav.scales.definitions import scales

    used = guide_citations()
    used |= {c for item in ITEMS for c in item.citations}
    used |= {c for r in rules() for c in r.citations}
    used |= {c for e in effects().values() for c in e.citations}
    used |= {r.id for r in plan(session_end=dt.datetime(2026, 1, 1, 10), route="iv").references}
    used |= {c for m in MODELS.values() for c in m.citations}
    used |= {c for a in RACEMIC_ABSORPTION.values() for c in a.citations}
    used |= {c for s in scales().values() for c in s.all_citations()}
    used |= {"whelton-2018"}  # also the journal's blood-pressure categories (ketnav.journal.vitals)
    used |= {"krystal-1994"}  # the dissociation band on the PK plots (ketnav.pharmacology.simulate)
    return used


def test_every_bibliography_entry_is_used() -> None:
    assert set(bibliography()) - citations_in_use() == set()


def test_every_citation_in_use_resolves() -> None:
    assert citations_in_use() - set(bibliography()) == set()
