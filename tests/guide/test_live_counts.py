"""The guide's live counts are true: each equals the total of its linked query in the CLI and the API, and
every study it counts has a ketamine-family intervention and the topic among its conditions.

Loads the real shared records with status and interventions (API v2 and legacy XML). The minimal
records rebuilt from stories carry neither a status nor interventions, so they can never be counted as
open studies of a drug; the search tests cover them. Runs on SQLite and, with KETNAV_TEST_DATABASE_URL,
on PostgreSQL.
"""

from __future__ import annotations

import json
import subprocess
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client

from ketnav.guide.knowledge import knowledge
from ketnav.guide.registry import registry_counts
from ketnav.trials.models import Study
from ketnav.trials.search.engine import SearchRequest, search
from ketnav.trials.search.filters import build_filters
from ketnav.trials.selectors import study_record
from tests.conftest import current_database_url, ketnav_cmd

pytestmark = pytest.mark.django_db

FAMILY = ("ketamine", "esketamine", "arketamine")


def _cli_total(query: str, *status: str) -> int:
    env = {"PATH": "/usr/bin:/bin", "KETNAV_DATABASE_URL": current_database_url()}
    args = ["search", query, "--json"] + (["--status", *status] if status else [])
    done = subprocess.run(ketnav_cmd(*args), env=env, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    total: int = json.loads(done.stdout)["total"]
    return total


def test_every_live_box_equals_its_linked_query_everywhere(shared_registry: None, client: Client) -> None:
    kb = knowledge()
    topics = list(kb.registry.values())
    counts = registry_counts(topics, top=3)
    guide_api = {r["key"]: r for t in kb.topics for r in client.get(f"/api/guide/{t.slug}").json()["registry"]}
    for count in counts:
        query = count.topic.query
        link = parse_qs(urlsplit(count.search_url).query)
        assert link == {"q": [query], "status": ["open"]}
        assert count.open_studies == _cli_total(query), query
        api = client.get("/api/trials", {"q": query, "status": "open"}).json()
        assert api["total"] == count.open_studies, query
        if count.topic.key in guide_api:
            assert guide_api[count.topic.key]["open_studies"] == count.open_studies
        page = client.get("/trials/", {"q": query, "status": "open"}).content.decode()
        assert f">{count.open_studies} stud" in page, query


def test_every_counted_study_is_a_ketamine_study_of_the_topic(shared_registry: None) -> None:
    """With any status (more studies to check), every study a box's query finds has a ketamine-family
    intervention (name, other name or MeSH) and a condition naming the topic; and every study that has
    both is found."""
    topics = {
        "anxiety": ("anxiety",),
        "ptsd": ("ptsd", "post-traumatic stress", "posttraumatic stress", "post traumatic stress"),
        "depression": ("depressi",),
        "pain": ("chronic pain",),
        "ketamine": ("",),
    }
    everything = [study_record(s) for s in Study.objects.only("nct_id", "raw", "source_format")]
    kb = knowledge()
    for key, words in topics.items():
        query = kb.registry[key].query
        found = {
            h.nct_id
            for h in search(
                SearchRequest(text=query, filters=build_filters(status=["any"]), page_size=100, snippets=False)
            ).hits
        }
        expected = set()
        for record in everything:
            drugs = [i.name for i in record.interventions] + [o for i in record.interventions for o in i.other_names]
            drugs += [m.term for m in record.intervention_mesh]
            conditions = [*record.conditions, *(m.term for m in record.condition_mesh)]
            if any(f in d.lower() for d in drugs for f in FAMILY) and any(
                w in c.lower() for c in conditions for w in words
            ):
                expected.add(record.nct_id)
        assert found == expected, key
    assert found  # the ketamine box finds the registry's ketamine studies
