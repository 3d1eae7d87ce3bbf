"""A structured search term (intervention:WORD, condition:WORD) is checked against texts read straight
from an API v2 record's source (normalize_v2.structured_texts_v2) instead of the whole normalized record:
they must be the very texts the full record gives (search.fields.field_texts), on every real record and on
malformed ones."""

from __future__ import annotations

import gzip
from pathlib import Path
from typing import Any

import orjson
import pytest

from ketnav.trials.normalize_v2 import normalize_v2, structured_texts_v2
from ketnav.trials.parsing import RecordRejected
from ketnav.trials.search.fields import record_texts

V2_FILES = ("ctgov_v2_studies.jsonl.gz", "ctgov_v2_minimal_from_stories.jsonl.gz")


def full_texts(study: Any) -> dict[str, list[str]]:
    return record_texts(normalize_v2(study).record)


@pytest.mark.parametrize("name", V2_FILES)
def test_every_real_record_gives_the_full_records_texts(shared_data: Path, name: str) -> None:
    checked = carrying = 0
    with gzip.open(shared_data / "ctgov" / name, "rb") as lines:
        for line in lines:
            study = orjson.loads(line)
            try:
                expected = full_texts(study)
            except RecordRejected:
                continue
            assert structured_texts_v2(study) == expected, study.get("protocolSection", {}).get("identificationModule")
            checked += 1
            carrying += bool(expected["intervention"] and expected["condition"])
    assert checked > 1000  # real records; the full ones mostly with both parts, the minimal ones without
    assert carrying > checked // 2 if name == "ctgov_v2_studies.jsonl.gz" else carrying == 0


SYNTHETIC = {"protocolSection": {"identificationModule": {"nctId": "NCT09999991"}}}  # a synthetic record


@pytest.mark.parametrize(
    "parts",
    [
        {},
        {"protocolSection": {"armsInterventionsModule": "not an object"}},
        {"protocolSection": {"armsInterventionsModule": {"interventions": [{"name": "Ketamine"}, "x", 3, None]}}},
        {"protocolSection": {"armsInterventionsModule": {"interventions": [{"name": 5, "otherNames": "Ketalar"}]}}},
        {"protocolSection": {"armsInterventionsModule": {"interventions": [{"otherNames": ["Ketalar", 7, None]}]}}},
        {"protocolSection": {"conditionsModule": {"conditions": ["PTSD", {"x": 1}, "  Anxiety  "]}}},
        {"derivedSection": {"interventionBrowseModule": {"meshes": [{"term": "Ketamine"}, {"id": "D1"}, "y"]}}},
        {"derivedSection": {"conditionBrowseModule": {"meshes": "Depression"}}},
        {"derivedSection": []},
    ],
)
def test_malformed_parts_read_as_the_full_normalization_reads_them(parts: dict[str, Any]) -> None:
    study: dict[str, Any] = {**SYNTHETIC, **parts}
    protocol = {**SYNTHETIC["protocolSection"], **parts.get("protocolSection", {})}
    study["protocolSection"] = protocol
    assert structured_texts_v2(study) == full_texts(study)
