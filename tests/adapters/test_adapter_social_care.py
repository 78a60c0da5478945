"""Children's social care adapters: Standard Safeguarding Dataset CSV tables and the CIN census XML."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from graph_model.db import Database
from graph_model.ingest import ingest_file
from graph_model.records import prepare
from tests.adapters.conftest import FIXTURES, errors_of, query, read_items, records_of

SSD = FIXTURES / "ssd"
CIN = FIXTURES / "cin" / "cin_census.xml"


def test_ssd_person_with_side_tables_field_by_field() -> None:
    items = read_items("ssd", SSD / "ssd_person.csv")
    assert errors_of(items) == [
        (9, "ssd_linked_identifiers.csv line 9: row has no link_person_id"),
        (6, "row has no pers_person_id"),
    ]
    assert records_of(items) == [
        {
            "source": "social_care", "source_id": "100234", "given_name": "Ava", "family_name": "Khan-Ali",
            "dob": "2015-03-04", "sex": "F",  # "2015-03-04 00:00:00.000" from SQL Server
            "identifiers": {"upn": "K383200139825", "nhs_number": "9995260182"},
            "former_upn": "Z201300112345",
            "linked_identifiers": [
                {"type": "Unique Pupil Number", "value": "K383200139825", "from": "2019-09-01"},
                {"type": "Former Unique Pupil Number", "value": "Z201300112345", "from": "2018-09-01",
                 "to": "2019-08-31"},
            ],
            "addresses": [
                {"line1": "Flat 2, 10 High Street", "town": "Leeds", "uprn": "72641158", "postcode": "LS6 2AB",
                 "from": "2022-01-10"},
                {"line1": "5 Oak Road", "town": "Leeds", "postcode": "LS7 1AA", "from": "2015-03-04",
                 "to": "2022-01-09"},
            ],
            "ssd_family_ids": ["FAM-77"],
            "pers_legacy_id": "LEG-5501", "pers_ethnicity": "ASIN", "pers_send_flag": "N",
            "pers_nationality": "British",
        },
        {
            "source": "social_care", "source_id": "100235", "given_name": "Zara", "family_name": "Khan-Ali",
            "dob": "12/09/2017", "sex": "F",
            "identifiers": {"upn": "V383200112346"},  # from the linked-identifier table
            # a case number is kept but never used as an identifier (it can be shared)
            "linked_identifiers": [
                {"type": "Unique Pupil Number", "value": "V383200112346", "from": "2021-09-01"},
                {"type": "Case Number", "value": "CN-88812", "from": "2022-01-10"},
            ],
            "ssd_family_ids": ["FAM-77"], "pers_ethnicity": "ASIN", "pers_send_flag": "N",
        },
        {
            "source": "social_care", "source_id": "100236", "given_name": "Sara", "family_name": "Khan-Ali",
            "dob": "1988-11-20", "sex": "F", "identifiers": {"nhs_number": "9991590838"},
            "linked_identifiers": [{"type": "NHS Number", "value": "9991590838", "from": "01/01/2010"}],
            "addresses": [{"line1": "Flat 2, 10 High Street", "town": "Leeds", "postcode": "LS6 2AB",
                           "from": "2022-01-10"}],
            "ssd_family_ids": ["FAM-77"], "pers_ethnicity": "ASIN", "pers_is_mother": "Y",
            "pers_nationality": "British",
        },
        {
            "source": "social_care", "source_id": "100237", "given_name": "Lily", "family_name": "Fenwick",
            "dob": "2012-06-14", "sex": "F", "identifiers": {"nhs_number": "9993909963"},
            "address_protected": True,  # postcode CON: the SSD's protected address
            "pers_ethnicity": "WBRI",
        },
        {
            "source": "social_care", "source_id": "100239", "given_name": "Jayden", "family_name": "Walsh",
            "dob": "2016-02-29", "sex": "U",
            "identifiers": {"nhs_number": "9990308241"},  # the current one; the ended one stays in history
            "linked_identifiers": [
                {"type": "NHS Number", "value": "9998219930", "from": "2016-03-01", "to": "2020-01-01"},
                {"type": "NHS Number", "value": "9990308241", "from": "2020-01-02"},
            ],
            "addresses": [{"line1": "41 Victoria Road, Leeds", "postcode": "LS11 5EE", "from": "2019-05-01"}],
            "pers_ethnicity": "WBRI", "pers_upn_unknown": "UN3",
        },
    ]
    prepared = [prepare(record) for record in records_of(items)]
    assert all(p.warnings == [] for p in prepared)
    assert prepared[1].props["dob"] == "2017-09-12"
    assert [a["current"] for a in prepared[0].addresses] == [True, False]


def test_ssd_person_table_alone_and_side_tables_given_directly(tmp_path: Path) -> None:
    shutil.copy(SSD / "ssd_person.csv", tmp_path / "2024_ssd_person.csv")
    shutil.copy(SSD / "ssd_linked_identifiers.csv", tmp_path / "2024_ssd_linked_identifiers.csv")
    records = records_of(read_items("ssd", tmp_path / "2024_ssd_person.csv"))
    assert records[1]["identifiers"] == {"upn": "V383200112346"}  # prefixed sibling found
    assert "addresses" not in records[0]  # no address table beside it
    [(line, error)] = errors_of(read_items("ssd", SSD / "ssd_linked_identifiers.csv"))
    assert line == 1 and "ssd_linked_identifiers table" in error and "ssd_person.csv" in error


def test_ssd_side_table_without_its_columns_is_reported(tmp_path: Path) -> None:
    shutil.copy(SSD / "ssd_person.csv", tmp_path / "ssd_person.csv")
    (tmp_path / "ssd_family.csv").write_text("fami_person_id,other\n100234,x\n")
    errors = errors_of(read_items("ssd", tmp_path / "ssd_person.csv"))
    assert (1, "ssd_family.csv lacks columns ['fami_family_id']: the table was not read") in errors


def test_ssd_loads_and_rejects_per_row(db: Database, tmp_path: Path) -> None:
    summary = ingest_file(db, SSD / "ssd_person.csv", quarantine_dir=tmp_path)  # sniffed
    assert (summary.read, summary.stored, summary.rejected) == (7, 5, 2)
    assert summary.rejection_counts == {"unreadable": 2}
    rows = query(db, "MATCH (r:Record {source: 'social_care'})-[:HAS_IDENTIFIER]->(i:Identifier) "
                     "RETURN r.source_id AS id, collect(i.key) AS keys ORDER BY id")
    assert {row["id"]: sorted(row["keys"]) for row in rows} == {
        "100234": ["nhs_number:9995260182", "upn:K383200139825"],
        "100235": ["upn:V383200112346"],
        "100236": ["nhs_number:9991590838"],
        "100237": ["nhs_number:9993909963"],
        "100239": ["nhs_number:9990308241"],
    }
    [row] = query(db, "MATCH (r:Record {uid: 'social_care:100237'}) RETURN r.extra AS extra, "
                      "COUNT { (r)-[:HAS_ADDRESS]->() } AS addresses")
    assert json.loads(row["extra"])["address_protected"] is True and row["addresses"] == 0


def test_cin_census_maps_ids_and_dates_only() -> None:
    items = read_items("cin", CIN)
    assert errors_of(items) == []
    records = records_of(items)
    assert records == [
        {"source": "social_care", "source_id": "cin/383/100234", "dob": "2015-03-04", "sex": "F",
         "identifiers": {"la_child_id": "383/100234", "upn": "K383200139825"},
         "former_upn": "Z201300112345",
         "cin_episodes": [{"referral_date": "2023-10-02", "closure_date": "2024-02-20"},
                          {"referral_date": "2024-03-11"}],
         "census_year": "2024", "census_reference_date": "2024-03-31"},
        {"source": "social_care", "source_id": "cin/383/100240", "sex": "U",
         "identifiers": {"la_child_id": "383/100240"}, "upn_unknown": "UN1", "expected_dob": "2024-06-30",
         "cin_episodes": [{"referral_date": "2024-01-15"}],
         "census_year": "2024", "census_reference_date": "2024-03-31"},
        {"source": "social_care", "source_id": "cin/383/100239", "dob": "2016-02-29", "sex": "M",
         "identifiers": {"la_child_id": "383/100239", "upn": "J383200112347"},
         "census_year": "2024", "census_reference_date": "2024-03-31"},
    ]
    for record in records:
        assert not record.keys() & {"given_name", "family_name", "addresses"}
        prepared = prepare(record)  # identifiers only, no name: accepted
        assert prepared.warnings == [] and "given_norm" not in prepared.props
    # needs codes, referral sources and the like are case information: not read
    allowed = {"source", "source_id", "dob", "sex", "identifiers", "former_upn", "upn_unknown", "expected_dob",
               "death_date", "cin_episodes", "census_year", "census_reference_date"}
    assert set().union(*(r.keys() for r in records)) <= allowed


def test_cin_rejects_a_child_without_id_and_reports_a_break() -> None:
    items = read_items("cin", FIXTURES / "malformed" / "cin_mixed.xml")
    assert [r["source_id"] for r in records_of(items)] == ["cin/383/100234", "cin/383/100239"]
    errors = errors_of(items)
    assert errors[0] == (12, "Child has no ChildIdentifiers/LAchildID to key it by")
    assert errors[1][0] == 19 and errors[1][1].startswith("XML is not well-formed at line 19")


def test_cin_loads_beside_the_ssd_records_without_overwriting_them(db: Database, tmp_path: Path) -> None:
    ingest_file(db, SSD / "ssd_person.csv", quarantine_dir=tmp_path)
    summary = ingest_file(db, CIN, quarantine_dir=tmp_path)  # sniffed
    assert (summary.read, summary.stored, summary.rejected) == (3, 3, 0)
    # the census record is a separate record; the UPN node links it to the SSD record of the same child
    rows = query(db, "MATCH (i:Identifier {key: 'upn:K383200139825'})<-[:HAS_IDENTIFIER]-(r:Record) "
                     "RETURN r.source_id AS id, r.given_name AS name ORDER BY id")
    assert rows == [{"id": "100234", "name": "Ava"}, {"id": "cin/383/100234", "name": None}]
    summary = ingest_file(db, FIXTURES / "malformed" / "cin_mixed.xml", fmt="cin", quarantine_dir=tmp_path)
    assert (summary.read, summary.rejected) == (4, 2)
    assert summary.rejection_counts == {"unreadable": 2}
