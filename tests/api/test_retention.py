"""Retention: `mashgraph retention apply` erases what the policy's periods say has expired, and nothing else;
people and households re-form from what remains; no value of an erased record survives anywhere in the graph;
the plan and the outcome are audited (ids and counts) and the audit chain still verifies."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from neo4j import Driver
from typer.testing import CliRunner

from api.cli.main import app
from graph_model.db import Database
from resolvers.retention import RetentionRules
from tests.api.helpers import ApiServer
from tests.api.seed import assignments, load, resolve

TODAY = "2026-06-01"  # criminal offence P6Y: expired before 2020-06-01; ordinary P7Y: 2019-06-01; health P8Y: 2018-06-01
POLICE_S47 = {"agency": "police", "role": "practitioner", "purpose": "s47_enquiry"}
VIEW = "query V($id: ID!) { person(id: $id) { id aliases recordCount } }"
HOME = {"line1": "12 Quarry Street", "town": "Leeds", "postcode": "LS6 2AB"}
GONE_HOME = {"line1": "3 Retention Row Zqx", "town": "Leeds", "postcode": "LS9 9ZZ"}

# Values only the expired records hold: none may survive anywhere once they are erased.
MARKERS = ("zqxalias", "zqxgone", "7700900987", "retention row", "ls9 9zz")  # compared in lower case


def rows() -> list[dict[str, Any]]:
    return [
        # Sam: a current health record and a police record from 2019 (criminal offence data, six years: expired).
        {"source": "health", "source_id": "H-SAM", "given_name": "Sam", "family_name": "Hart", "dob": "2012-03-04",
         "sex": "M", "identifiers": {"nhs_number": "9434765919"}, "addresses": [HOME], "recorded_at": "2025-01-10"},
        {"source": "police", "source_id": "N-SAM", "given_name": "Sam", "family_name": "Zqxalias",
         "dob": "2012-03-04", "sex": "M", "identifiers": {"nhs_number": "9434765919"}, "addresses": [HOME],
         "phones": ["07700 900987"], "recorded_at": "2019-11-20"},
        # Mo lives with Sam; a 2018 school record is all there is of them (ordinary, seven years: expired).
        {"source": "education", "source_id": "P-MO", "given_name": "Zqxgone", "family_name": "Hart",
         "dob": "2014-08-09", "sex": "F", "addresses": [HOME, {**GONE_HOME, "to": "2016-01-01"}],
         "recorded_at": "2018-02-01"},
        # Kept: a police record from 2021 (within six years) and a housing record with no date (counted from loading).
        {"source": "police", "source_id": "N-KEEP", "given_name": "Ria", "family_name": "Stone", "dob": "1990-01-02",
         "sex": "F", "recorded_at": "2021-01-05"},
        {"source": "housing", "source_id": "T-KEEP", "given_name": "Ria", "family_name": "Stone",
         "dob": "1990-01-02", "sex": "F", "addresses": [HOME]},
    ]


@pytest.fixture()
def graph(api: ApiServer, driver: Driver, tmp_path: Path, cli_env: dict[str, str]) -> dict[str, str]:
    db = Database(driver)
    db.run("admin/delete_all_batch", {"batch_size": 10000})
    load(db, tmp_path, rows())
    resolve(db, tmp_path)
    person_of, _ = assignments(db)
    return person_of


def values_anywhere(driver: Driver) -> str:
    """Every property value of every node and relationship but the audit trail's, as one text."""
    nodes, _, _ = driver.execute_query("MATCH (n) WHERE NOT n:AuditEntry AND NOT n:AuditHead RETURN properties(n) AS p")
    edges, _, _ = driver.execute_query("MATCH ()-[r]->() RETURN properties(r) AS p")
    return "\n".join(sorted(repr(sorted(row["p"].items())) for row in nodes + edges)).lower()


def audit_entries(driver: Driver, operation: str) -> list[dict[str, Any]]:
    found, _, _ = driver.execute_query("MATCH (e:AuditEntry) WHERE e.operation = $op RETURN properties(e) AS e "
                                       "ORDER BY e.seq", op=operation)
    return [row["e"] for row in found]


def test_a_dry_run_counts_and_changes_nothing(graph: dict[str, str], driver: Driver) -> None:
    before = values_anywhere(driver)
    result = CliRunner().invoke(app, ["retention", "apply", "--dry-run", "--today", TODAY])
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "5 records examined, 2 expired" in text and "nothing was erased" in text
    assert values_anywhere(driver) == before
    (entry,) = audit_entries(driver, "retention.dry_run")
    assert entry["decision"] == "planned" and "records_expired=2" in entry["counts"]
    assert "erased" not in entry  # a dry run names nothing to erase


def test_apply_erases_expired_records_and_every_trace_of_their_values(graph: dict[str, str], driver: Driver,
                                                                     api: ApiServer) -> None:
    sam, mo, ria = graph["health:H-SAM"], graph["education:P-MO"], graph["police:N-KEEP"]
    assert graph["police:N-SAM"] == sam and all(marker in values_anywhere(driver) for marker in MARKERS)

    result = CliRunner().invoke(app, ["retention", "apply", "--today", TODAY])
    assert result.exit_code == 0, result.output

    person_of, household_of = assignments(Database(driver))
    assert set(person_of) == {"health:H-SAM", "police:N-KEEP", "housing:T-KEEP"}
    assert person_of["health:H-SAM"] == sam and person_of["police:N-KEEP"] == ria  # ids are stable
    left = values_anywhere(driver)
    assert not [marker for marker in MARKERS if marker in left]

    # Sam's single view is rebuilt from the health record alone; Mo no longer exists for anyone.
    view = api.data(VIEW, variables={"id": sam}, **POLICE_S47)["person"]
    assert view["recordCount"] == 1 and "Sam Zqxalias" not in (view["aliases"] or [])
    assert api.data(VIEW, variables={"id": mo}, **POLICE_S47)["person"] is None
    erased, _, _ = driver.execute_query("MATCH (p:Person {id: $id}) RETURN properties(p) AS p", id=mo)
    assert erased[0]["p"]["status"] == "erased" and set(erased[0]["p"]) <= {"id", "status", "created_at",
                                                                           "erased_at"}
    assert mo not in household_of

    planned, done = audit_entries(driver, "retention.apply")
    assert planned["decision"] == "erasing" and done["decision"] == "erased"
    assert planned["seq"] < done["seq"]
    assert done["erased"] == ["education:P-MO", "police:N-SAM"] and sorted(done["subjects"]) == sorted({sam, mo})
    assert "records_erased=2" in done["counts"] and "people_erased=1" in done["counts"]
    verify = CliRunner().invoke(app, ["audit", "verify"])
    assert verify.exit_code == 0, verify.output

    again = CliRunner().invoke(app, ["retention", "apply", "--today", TODAY])
    assert again.exit_code == 0 and "3 records examined, 0 expired" in " ".join(again.output.split())


def test_a_restricted_record_waits_for_the_restricted_address_period() -> None:
    rules = RetentionRules(category_of_source={"health": "special_category_health"},
                           cutoffs={"special_category_health": date(2018, 6, 1),
                                    "restricted_address": date(2016, 6, 1)},
                           restricted_category="restricted_address")
    category = rules.category("health", None)
    assert rules.expired(category, date(2017, 1, 1), restricted=False)
    assert not rules.expired(category, date(2017, 1, 1), restricted=True)
    assert rules.expired(category, date(2015, 1, 1), restricted=True)
    assert rules.category("health", "owner_restricted") == "owner_restricted"
    assert not rules.expired("owner_restricted", date(2000, 1, 1), restricted=False)  # no period: kept
    assert not rules.expired(None, date(2000, 1, 1), restricted=False)  # uncategorised: kept


def test_the_policy_refuses_a_period_it_cannot_count() -> None:
    from api.errors import PolicyInvalid
    from api.policy import DEFAULT_POLICY, parse_policy

    text = DEFAULT_POLICY.read_text(encoding="utf-8")
    with pytest.raises(PolicyInvalid, match=r"retention\.ordinary"):
        parse_policy(text.replace("  ordinary: P7Y", "  ordinary: seven years"))
    with pytest.raises(PolicyInvalid, match=r"retention\.ordinary"):
        parse_policy(text.replace("  ordinary: P7Y", "  ordinary: PT7H"))
    assert parse_policy(text.replace("  ordinary: P7Y", "  ordinary: P6Y6M")).retention_cutoff(
        "ordinary", date(2026, 6, 1)) == date(2019, 12, 1)
