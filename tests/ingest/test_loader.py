"""Ingest against the real Neo4j: upserts, shared identifier nodes, flags, rejections, batches."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from graph_model.db import Database
from graph_model.ingest import ingest_file

NHS_VALID = "9434765919"  # Modulus 11 valid, from the 999/943 documentation ranges
NHS_INVALID = "9434765918"


def _person(source_id: str, **fields: Any) -> dict[str, Any]:
    record = {"source": "health", "source_id": source_id, "given_name": "Ava", "family_name": "Khan",
              "dob": "2015-03-04", "sex": "F",
              "addresses": [{"line1": "Flat 2, 10 High St", "town": "Leeds", "postcode": "LS6 2AB"}],
              "phones": ["0113 496 0123"], "identifiers": {"nhs_number": NHS_VALID}}
    record.update(fields)
    return record


def _write(path: Path, lines: list[Any]) -> Path:
    with open(path, "w") as fh:
        for line in lines:
            fh.write(line if isinstance(line, str) else json.dumps(line))
            fh.write("\n")
    return path


def _count(db: Database, cypher_text: str) -> int:
    records, _, _ = db.driver.execute_query(cypher_text)
    return records[0][0]


def test_load_then_reingest_is_idempotent(db: Database, tmp_path: Path) -> None:
    path = _write(tmp_path / "health.jsonl", [_person("H1"), _person("H2", given_name="Zara", phones=["+44 113 496 0123"])])
    first = ingest_file(db, path, batch_size=10)
    assert (first.read, first.stored, first.updated, first.rejected) == (2, 2, 0, 0)
    second = ingest_file(db, path, batch_size=10)
    assert (second.stored, second.updated, second.unchanged) == (0, 0, 2)
    assert _count(db, "MATCH (r:Record) RETURN count(r)") == 2
    # Identifier nodes are shared, never duplicated: one address, one phone (two spellings), one NHS number.
    assert _count(db, "MATCH (a:Address) RETURN count(a)") == 1
    assert _count(db, "MATCH (p:Phone) RETURN count(p)") == 1
    assert _count(db, "MATCH (:Record)-[:HAS_PHONE]->(p:Phone {e164: '+441134960123'}) RETURN count(*)") == 2
    assert _count(db, "MATCH (i:Identifier {scheme: 'nhs_number'}) RETURN count(i)") == 1


def test_update_replaces_values_and_links(db: Database, tmp_path: Path) -> None:
    ingest_file(db, _write(tmp_path / "a.jsonl", [_person("H1")]))
    moved = _person("H1", family_name="Khan-Ali", phones=["07700 900123"],
                    addresses=[{"line1": "5 Oak Road", "town": "Leeds", "postcode": "ls7 1aa"}])
    summary = ingest_file(db, _write(tmp_path / "b.jsonl", [moved]))
    assert (summary.stored, summary.updated) == (0, 1)
    rows, _, _ = db.driver.execute_query(
        "MATCH (r:Record {uid: 'health:H1'}) "
        "OPTIONAL MATCH (r)-[:HAS_ADDRESS]->(a) OPTIONAL MATCH (r)-[:HAS_PHONE]->(p) "
        "RETURN r.family_name AS family, r.family_parts AS parts, collect(DISTINCT a.postcode) AS postcodes, "
        "collect(DISTINCT p.e164) AS phones")
    row = rows[0]
    assert row["family"] == "Khan-Ali"
    assert row["parts"] == ["khan", "ali"]
    assert row["postcodes"] == ["LS7 1AA"]
    assert row["phones"] == ["+447700900123"]
    # The old shared nodes stay (other records may use them) but this record no longer links to them.
    assert _count(db, "MATCH (:Record)-[:HAS_ADDRESS]->(a:Address {postcode: 'LS6 2AB'}) RETURN count(a)") == 0


def test_rejections_are_reported_with_line_and_reason(db: Database, tmp_path: Path) -> None:
    lines = [
        _person("H1"),
        "{not json",
        "[1, 2]",
        {"source": "", "source_id": "X", "given_name": "A"},
        {"source": "health", "given_name": "A"},
        {"source": "health", "source_id": "H9"},
        {"source": "health", "source_id": "H10", "given_name": "A", "addresses": "10 High St"},
        _person("H2"),
    ]
    path = _write(tmp_path / "mixed.jsonl", lines)
    summary = ingest_file(db, path)
    assert (summary.read, summary.stored, summary.rejected) == (8, 2, 6)
    assert summary.rejection_counts == {"unreadable": 1, "not_an_object": 1, "missing_source": 1,
                                        "missing_source_id": 1, "no_name_or_identifier": 1, "bad_type": 1}
    quarantine = [json.loads(line) for line in summary.quarantine.read_text().splitlines()]
    assert [q["line"] for q in quarantine] == [2, 3, 4, 5, 6, 7]
    assert all(q["file"] == str(path) and q["message"] for q in quarantine)
    assert _count(db, "MATCH (r:Record) RETURN count(r)") == 2


def test_rejection_keeps_what_was_stored(db: Database, tmp_path: Path) -> None:
    ingest_file(db, _write(tmp_path / "a.jsonl", [_person("H1")]))
    ingest_file(db, _write(tmp_path / "b.jsonl", [{"source": "health", "source_id": "H1"}]))
    rows, _, _ = db.driver.execute_query("MATCH (r:Record {uid: 'health:H1'}) RETURN r.given_name AS g")
    assert rows[0]["g"] == "Ava"


def test_flagged_values_are_kept_but_not_linked(db: Database, tmp_path: Path) -> None:
    record = _person("H1", dob="2019-02-30", phones=["not a phone", "07000 000000"],
                     identifiers={"nhs_number": NHS_INVALID},
                     addresses=[{"line1": "10 High Street", "postcode": "ZZ99 ZZZ9"}])
    summary = ingest_file(db, _write(tmp_path / "f.jsonl", [record]))
    assert summary.stored == 1 and summary.rejected == 0
    assert {"dob:impossible", "phone:unparseable", "phone:placeholder", "postcode:invalid"} <= set(summary.warning_counts)
    rows, _, _ = db.driver.execute_query(
        "MATCH (r:Record {uid: 'health:H1'}) OPTIONAL MATCH (r)-[:HAS_IDENTIFIER]->(i) "
        "RETURN r.dob AS dob, r.dob_raw AS dob_raw, r.dob_flag AS flag, r.flags AS flags, "
        "i.valid AS valid, COUNT { (r)-[:HAS_PHONE]->() } AS phones")
    row = rows[0]
    assert row["dob"] is None and row["dob_raw"] == "2019-02-30" and row["flag"] == "impossible"
    assert row["valid"] is False
    assert row["phones"] == 0
    assert any(flag.startswith("identifier:nhs_number") for flag in row["flags"])


def test_unknown_fields_are_kept(db: Database, tmp_path: Path) -> None:
    ingest_file(db, _write(tmp_path / "x.jsonl", [_person("H1", gp_practice="B86001", ethnicity="A1")]))
    rows, _, _ = db.driver.execute_query("MATCH (r:Record {uid: 'health:H1'}) RETURN r.extra AS extra")
    assert json.loads(rows[0]["extra"]) == {"ethnicity": "A1", "gp_practice": "B86001"}


def test_relationships_link_records_and_fill_stubs(db: Database, tmp_path: Path) -> None:
    parent = {"source": "education", "source_id": "C1", "given_name": "Sara", "family_name": "Khan",
              "relationships": [{"type": "parent_of", "source_id": "P1"}]}
    pupil = {"source": "education", "source_id": "P1", "given_name": "Ava", "family_name": "Khan",
             "school": {"urn": "107999", "name": "Meanwood Primary"}}
    ingest_file(db, _write(tmp_path / "parent.jsonl", [parent]), batch_size=1)
    assert _count(db, "MATCH (r:Record {uid: 'education:P1', stub: true}) RETURN count(r)") == 1
    ingest_file(db, _write(tmp_path / "pupil.jsonl", [pupil]), batch_size=1)
    assert _count(db, "MATCH (r:Record) WHERE r.stub IS NOT NULL RETURN count(r)") == 0
    assert _count(db, "MATCH (:Record {uid: 'education:C1'})-[:RELATED {type: 'parent_of'}]->"
                      "(:Record {uid: 'education:P1'})-[:ATTENDS]->(:School {urn: '107999'}) RETURN count(*)") == 1


def test_a_batch_the_database_refuses_is_retried_record_by_record(db: Database, tmp_path: Path) -> None:
    # A property map nested in "extra" is fine, but a record whose props the database cannot store
    # (an identifier value too large for the index key) fails its batch; the others still load.
    huge = _person("H2", identifiers={"other_ref": "x" * 40000})
    summary = ingest_file(db, _write(tmp_path / "b.jsonl", [_person("H1"), huge, _person("H3")]), batch_size=10)
    assert summary.stored == 2
    assert summary.rejection_counts == {"database_refused": 1}
    assert _count(db, "MATCH (r:Record) WHERE r.stub IS NULL RETURN count(r)") == 2


def test_csv_with_mapping(db: Database, tmp_path: Path) -> None:
    path = tmp_path / "tenancies.csv"
    path.write_text(
        "tenancy_ref,person_ref,title,forename,surname,date_of_birth,gender,address_line_1,address_line_2,town,"
        "post_code,uprn,home_phone,mobile,email,relationship_to_lead,tenancy_start\n"
        "T1,TEN-1-1,Mrs,Sara,Khan,04/03/1985,Female,10 High Street,,Leeds,LS62AB,100023336956,0113 496 0123,,"
        "sara@example.net,Lead tenant,01/02/2020\n"
        "T1,TEN-1-2,,,,,,,,,,,,,,Son,\n"
    )
    summary = ingest_file(db, path, mapping="housing")
    assert (summary.stored, summary.rejected) == (1, 1)
    rows, _, _ = db.driver.execute_query(
        "MATCH (r:Record {uid: 'housing:TEN-1-1'})-[:HAS_ADDRESS]->(a:Address) "
        "RETURN r.dob AS dob, r.sex AS sex, a.uprn AS uprn, a.postcode AS postcode, r.extra AS extra")
    assert rows[0]["dob"] == "1985-03-04" and rows[0]["sex"] == "F"
    assert rows[0]["uprn"] == "100023336956" and rows[0]["postcode"] == "LS6 2AB"
    assert json.loads(rows[0]["extra"])["relationship_to_lead"] == "Lead tenant"


def test_csv_without_mapping_is_a_clear_error(db: Database, tmp_path: Path) -> None:
    from graph_model.errors import InputError

    path = tmp_path / "x.csv"
    path.write_text("a,b\n1,2\n")
    with pytest.raises(InputError, match="--mapping"):
        ingest_file(db, path)


def test_lines_of_one_record_apply_in_order_whatever_the_batch(db: Database, tmp_path: Path) -> None:
    first = _person("H1", phones=["0113 496 0001"])
    second = _person("H1", phones=["0113 496 0002"], family_name="Khan-Ali")
    summary = ingest_file(db, _write(tmp_path / "twice.jsonl", [first, second]), batch_size=100)
    assert (summary.read, summary.stored, summary.updated) == (2, 1, 1)
    rows, _, _ = db.driver.execute_query(
        "MATCH (r:Record {uid: 'health:H1'})-[:HAS_PHONE]->(p) RETURN r.family_name AS family, collect(p.e164) AS phones")
    assert rows[0]["family"] == "Khan-Ali" and rows[0]["phones"] == ["+441134960002"]
    # The earlier line was written (as with a smaller batch): its phone node exists, unlinked.
    assert _count(db, "MATCH (p:Phone {e164: '+441134960001'}) RETURN count(p)") == 1


def test_worker_processes_prepare_in_input_order(tmp_path: Path) -> None:
    from graph_model.ingest import PreparePool
    from graph_model.ingest.preparing import prepare_items
    from graph_model.ingest.readers import read_jsonl

    lines = [_person(f"H{i}") if i % 7 else "{broken" for i in range(1, 60)]
    path = _write(tmp_path / "many.jsonl", lines)
    inline = list(prepare_items(read_jsonl(path), str(path), None))
    with PreparePool(2, chunk_size=5, records_per_worker=10) as pool:  # workers replaced every 4 chunks
        pooled = list(prepare_items(read_jsonl(path), str(path), None, pool))
        peaks = pool.peak_rss_mb()
        assert peaks and all(peak > 0 for peak in peaks)
        assert pool.generations == 3  # 12 chunks of 5: the workers were replaced twice
    assert pooled == inline
    assert sum(1 for outcome in pooled if not hasattr(outcome, "record")) == 8


def test_neo4j_heap_is_reported(db: Database) -> None:
    row = db.run("ingest/jvm_heap")[0]
    assert 0 < row["heap_used"] <= row["heap_max"] and row["old_gen_peak"] >= 0
