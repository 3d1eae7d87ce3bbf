"""The single bibliography: every entry is well formed and used somewhere a reader can see it."""

from __future__ import annotations

import datetime as dt

from ketnav.citations.bibliography import bibliography


def citations_in_use() -> set[str]:
    from ketnav.clinics.checklist import ITEMS
    from ketnav.guide.render import guide_citations
    from ketnav.pharmacology.compartments import MODELS, RACEMIC_ABSORPTION
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


def test_no_reference_is_a_placeholder() -> None:
    """Search links and made-up titles are not references; what could not be checked says so."""
    for ref in bibliography().values():
        assert "?term=" not in ref.url and "/search" not in ref.url, ref.id
        assert "as transcribed" not in ref.title and "Pharmacotherapy authors" not in ref.authors, ref.id
        if "not verified" in ref.authors.lower():
            assert ref.note.startswith("UNVERIFIED"), ref.id


def test_the_references_issue_14_named_are_corrected() -> None:
    refs = bibliography()
    domino = refs["domino-1982"]
    assert (domino.year, domino.pmid) == (1982, "7198883") and "Anesthesia and Analgesia" in domino.venue
    assert "written from memory" in domino.note  # the paper itself could not be opened
    assert refs["intranasal-pk-2022"].doi == "10.1002/phar.2669"
    assert "42(4):298-310" in refs["intranasal-pk-2022"].venue
    assert refs["otto-2021"].title.startswith("Predictive performance of parent-metabolite")
    assert refs["mendez-2024"].pmid == "38523533" and refs["mendez-2024"].title.startswith("Trajectory and magnitude")
    assert refs["spravato-label"].year >= 2023 and "respiratory depression" in refs["spravato-label"].note
    assert "176 were in stable remission" in refs["daly-2019"].note
    assert refs["fda-compounded-ketamine-2023"].year == 2023
