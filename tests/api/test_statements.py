"""The API's Cypher statements: the record projection shared by several statements must stay identical."""

from __future__ import annotations

import re

import cypher

#: Statements that project records for the policy to judge, and how many times each does.
PROJECTING = {"api/person_bundles": 1, "api/household_bundles": 1, "api/network_start": 2,
              "api/person_household_counts": 1}


def _projections(name: str) -> list[str]:
    text = cypher.all_statements()[name].text
    bodies = [part.split("// record projection: end", 1)[0] for part in text.split("// record projection: begin")[1:]]
    return [re.sub(r"\s+", " ", body).strip() for body in bodies]


def test_every_statement_projects_records_alike() -> None:
    reference = _projections("api/person_bundles")[0]
    assert "mark:" in reference
    for name, count in PROJECTING.items():
        found = _projections(name)
        assert len(found) == count, name
        assert all(projection == reference for projection in found), name


def test_no_other_statement_projects_records() -> None:
    # A new statement projecting records must be listed above, so that it is checked against the others.
    projecting = {name for name, statement in cypher.all_statements().items()
                  if "// record projection: begin" in statement.text}
    assert projecting == set(PROJECTING)
