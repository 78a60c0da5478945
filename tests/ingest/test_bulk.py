"""The offline bulk import (`mashgraph ingest --bulk`) against the real local Neo4j: it builds exactly the
graph the transactional path builds, refuses a database holding data, and leaves an empty, working
database when the importer fails. Each bulk import restarts the test server, so there are few of them."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from graph_model.config import Settings
from graph_model.db import Database
from graph_model.errors import DatabaseError, InputError
from graph_model.ingest import ingest_file
from graph_model.ingest.bulk import bulk_ingest, forget_old_bookmarks
from graph_model.localdb import LocalNeo4j
from graph_model.synthetic.generator import write_demo_data
from tests.cli.test_cli import run

pytestmark = pytest.mark.slow

_IDENTITY = {"Record": "uid", "Address": "key", "Phone": "e164", "Email": "address", "Identifier": "key",
             "School": "urn", "ResolveLock": "name"}


def _node_key(labels: list[str], props: dict[str, Any]) -> str:
    label = next(label for label in labels if label in _IDENTITY)
    return f"{label}:{props[_IDENTITY[label]]}"


def _graph(db: Database) -> tuple[dict[str, dict[str, Any]], Counter[str]]:
    """Every node (labels and properties, ingest time aside) and the multiset of relationships."""
    rows, _, _ = db.driver.execute_query("MATCH (n) RETURN labels(n) AS labels, properties(n) AS props")
    nodes: dict[str, dict[str, Any]] = {}
    for row in rows:
        props = dict(row["props"])
        ingested = props.pop("ingested_at", None)
        assert ingested is not None or "Record" not in row["labels"] or props.get("stub"), props
        nodes[_node_key(row["labels"], props)] = {"labels": sorted(row["labels"]), **props}
    rows, _, _ = db.driver.execute_query(
        "MATCH (a)-[r]->(b) RETURN labels(a) AS al, properties(a) AS ap, type(r) AS type, properties(r) AS rp, "
        "labels(b) AS bl, properties(b) AS bp")
    relationships = Counter(
        json.dumps([_node_key(row["al"], row["ap"]), row["type"], row["rp"], _node_key(row["bl"], row["bp"])],
                   sort_keys=True)
        for row in rows)
    return nodes, relationships


def _inputs(folder: Path) -> list[Path]:
    """Demo data plus the cases the bulk path handles apart: a later line of a record, a relationship to a
    record never loaded, an address whose UPRN and a school whose name come with a later record, a bad line.
    housing_tenancies.csv holds the housing records again: later lines of records already loaded."""
    write_demo_data(folder, households=40, seed=3)
    extra = folder / "zz_extra.jsonl"
    lines = [
        {"source": "police", "source_id": "P-X1", "given_name": "Ava", "family_name": "Stone", "dob": "2012-02-03",
         "addresses": [{"line1": "7 Mill Lane", "town": "Leeds", "postcode": "LS6 1AA"}],
         "relationships": [{"type": "child_of", "source_id": "P-NEVER-LOADED"}], "school": {"urn": "100001"}},
        {"source": "housing", "source_id": "HX-2", "given_name": "Ben", "family_name": "Stone",
         "addresses": [{"line1": "7 Mill Lane", "town": "Leeds", "postcode": "LS6 1AA", "uprn": "100023336956"}],
         "school": {"urn": "100001", "name": "Mill Lane Primary"}},
        {"source": "police", "source_id": "P-X1", "given_name": "Ava", "family_name": "Stone-Ray", "dob": "2012-02-03",
         "phones": ["07700 900456"], "addresses": [{"line1": "9 Mill Lane", "town": "Leeds", "postcode": "LS6 1AA"}]},
    ]
    too_long = {"source": "health", "source_id": "H-LONG", "given_name": "Al", "identifiers": {"other_ref": "x" * 9000}}
    extra.write_text("\n".join(json.dumps(line) for line in [*lines, too_long]) + "\n{not json\n")
    # An address abroad: its postcode is kept as a token (other_postcode), not as a UK postcode.
    # An address without a house number outside a UK postcode: no Address node, its street and postal code
    # kept on the record for resolution (street_address, unkeyed_postcodes).
    (folder / "zz_abroad.jsonl").write_text(json.dumps(
        {"source": "health", "source_id": "H-IE1", "given_name": "Cian", "family_name": "Byrne",
         "addresses": [{"line1": "12 Main Street", "town": "Dublin", "postcode": "D02 X285"}]}) + "\n" + json.dumps(
        {"source": "health", "source_id": "H-AU1", "given_name": "Jacob", "family_name": "Tilley",
         "addresses": [{"line1": "Studley Street", "town": "Riverwood", "postcode": "4869"}]}) + "\n")
    return [*sorted(folder.glob("*.jsonl")), folder / "housing_tenancies.csv"]


def test_bulk_import_builds_the_same_graph_as_transactional_ingest(
        db: Database, cli_env: dict[str, str], tmp_path: Path) -> None:
    files = _inputs(tmp_path / "demo")
    db.ensure_schema()  # as `mashgraph ingest` does (it also creates the lock node of real-time resolution)
    for path in files:
        # One worker process: the pooled preparation path, in input order.
        ingest_file(db, path, quarantine_dir=tmp_path / "q1", workers=1)
    transactional = _graph(db)
    assert transactional[0]["Record:police:P-NEVER-LOADED"]["stub"] is True
    assert transactional[0]["Address:LS61AA|7|"]["uprn"] == "100023336956"
    assert transactional[0]["School:100001"]["name"] == "Mill Lane Primary"
    assert transactional[0]["Address:main street|12||dublin"]["other_postcode"] == "D02X285"
    assert transactional[0]["Record:health:H-AU1"]["street_address"] == "studley street|||riverwood"
    assert transactional[0]["Record:health:H-AU1"]["unkeyed_postcodes"] == ["4869"]

    db.run("admin/delete_all_batch", {"batch_size": 10000})
    result = run(["ingest", "--bulk", "--workers", "0", "--quarantine-dir", str(tmp_path / "q2"),
                  *map(str, files)], cli_env)
    forget_old_bookmarks(db)  # this test's own driver saw the database before the import too
    assert result.returncode == 3, result.stdout + result.stderr  # the bad line was rejected, the rest loaded
    quarantined = [json.loads(line) for line in (tmp_path / "q2" / "zz_extra.jsonl.rejected.jsonl").read_text().splitlines()]
    assert [(q["line"], q["reason"]) for q in quarantined] == [(4, "database_refused"), (5, "unreadable")]

    bulk = _graph(db)
    assert bulk[0].keys() == transactional[0].keys()
    different = [key for key in bulk[0] if bulk[0][key] != transactional[0][key]]
    assert not different, [(bulk[0][k], transactional[0][k]) for k in different[:3]]
    assert bulk[1] == transactional[1]
    assert len(bulk[0]) > 300 and sum(bulk[1].values()) > 300
    # The schema is back: the uniqueness constraint refuses a second record with the same uid.
    with pytest.raises(DatabaseError):
        db.run("ingest/create_records", {"rows": [{"uid": "police:P-X1", "props": {"uid": "police:P-X1"}}]})


def test_bulk_refuses_a_database_holding_data(db: Database, test_settings: Settings, tmp_path: Path) -> None:
    path = tmp_path / "one.jsonl"
    path.write_text(json.dumps({"source": "health", "source_id": "H1", "given_name": "Ava"}) + "\n")
    ingest_file(db, path)
    with pytest.raises(InputError, match="empty database"):
        bulk_ingest(test_settings, db, [(path, iter(()), None)])
    rows, _, _ = db.driver.execute_query("MATCH (r:Record) RETURN count(r) AS n")
    assert rows[0]["n"] == 1


def test_failed_import_leaves_an_empty_working_database(db: Database, test_settings: Settings, tmp_path: Path) -> None:
    if test_settings.external:
        pytest.skip("the offline importer needs the project's local server")
    server = LocalNeo4j(test_settings)
    with pytest.raises(DatabaseError, match="neo4j-admin database import full failed"):
        server.bulk_import([f"--nodes=Record={tmp_path / 'missing.csv'}"], report=tmp_path / "import.report")
    forget_old_bookmarks(db)
    assert server.state().running
    assert not (server.home / "bulk-import-incomplete").exists()
    assert db.run("ingest/any_data") == []
    db.ensure_schema()


def test_bulk_given_up_while_preparing_leaves_the_server_running_and_the_database_empty(
        db: Database, test_settings: Settings, tmp_path: Path) -> None:
    """The server is stopped while the records are prepared: a failure then starts it again, untouched."""
    if test_settings.external:
        pytest.skip("the offline importer needs the project's local server")
    from graph_model.ingest.readers import SourceItem

    def items() -> Any:
        yield SourceItem(1, record={"source": "health", "source_id": "H1", "given_name": "Ava"})
        raise OSError("the disk went away")

    with pytest.raises(OSError, match="disk went away"):
        bulk_ingest(test_settings, db, [(tmp_path / "in.jsonl", items(), None)])
    server = LocalNeo4j(test_settings)
    assert server.state().running
    assert not (server.home / "bulk-import-incomplete").exists()
    forget_old_bookmarks(db)
    assert db.run("ingest/any_data") == []
    db.ensure_schema()
