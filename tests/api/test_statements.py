"""The API's Cypher statements: the record projection shared by two statements must stay identical."""

from __future__ import annotations

import re

import cypher


def _projection(name: str) -> str:
    text = cypher.all_statements()[name].text
    body = text.split("// record projection: begin", 1)[1].split("// record projection: end", 1)[0]
    return re.sub(r"\s+", " ", body).strip()


def test_person_and_household_bundles_project_records_alike() -> None:
    assert _projection("api/person_bundles") == _projection("api/household_bundles")
    assert "mark:" in _projection("api/person_bundles")
