from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import clear_registry as clear_registry  # where other test modules import it from


@pytest.fixture(scope="session")
def v2_path(shared_data: Path) -> Path:
    return shared_data / "ctgov" / "ctgov_v2_studies.jsonl.gz"


@pytest.fixture(scope="session")
def xml_path(shared_data: Path) -> Path:
    return shared_data / "ctgov" / "ctgov_legacy_xml.jsonl.gz"


@pytest.fixture(scope="session")
def v2_studies(v2_path: Path) -> dict[str, dict[str, Any]]:
    """Every real API v2 study, by NCT id."""
    out = {}
    with gzip.open(v2_path, "rt", encoding="utf-8") as handle:
        for line in handle:
            study = json.loads(line)
            out[study["protocolSection"]["identificationModule"]["nctId"]] = study
    return out


@pytest.fixture(scope="session")
def xml_docs(xml_path: Path) -> dict[str, str]:
    """Every real legacy XML document, by NCT id (first copy)."""
    out: dict[str, str] = {}
    with gzip.open(xml_path, "rt", encoding="utf-8") as handle:
        for line in handle:
            wrapper = json.loads(line)
            out.setdefault(wrapper["nct_id"], wrapper["xml"])
    return out
