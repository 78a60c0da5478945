"""Police POLE export (JSON, NDJSON, CSV tables) and the housing tenancy CSV."""

from __future__ import annotations

import json
from pathlib import Path

from graph_model.db import Database
from graph_model.ingest import ingest_file
from graph_model.records import prepare
from tests.adapters.conftest import FIXTURES, errors_of, query, read_items, records_of

POLE = FIXTURES / "pole"
HOME = {"line1": "41 Victoria Road", "town": "Leeds", "postcode": "LS11 5EE", "uprn": "72745120"}
EXPECTED_POLE = [
    {
        "source": "police", "source_id": "N100", "given_name": "Daniel", "middle_names": "James",
        "family_name": "Walsh", "dob": "1984-05-12", "sex": "M", "recorded_at": "2024-01-03T08:15:00Z",
        "identifiers": {"pnc_id": "04/123456B", "cro_number": "012345/04K"},
        "aliases": [{"given_name": "Danny", "family_name": "Walsh"},
                    {"given_name": "Daniel", "family_name": "Welsh", "dob": "1984-12-05"}],
        "addresses": [{**HOME, "from": "2019-05-01"},
                      {"line1": "Flat 9, Cedar Court", "line2": "Harehills", "town": "Leeds", "postcode": "LS9 8AA",
                       "from": "2015-01-01", "to": "2019-04-30"}],
        "phones": ["07700 900777", "0113 496 0555"], "emails": ["d.walsh@example.net"],
        "relationships": [{"type": "parent_of", "source_id": "N102"}, {"type": "partner_of", "source_id": "N101"}],
        "other_locations": [{"id": "L4", "link_type": "WORKS_AT"}],
        "vehicles": [{"vrm": "YX19 ABC", "link_type": "OWNS"}],
        "events": [{"id": "E1", "event_type": "Domestic incident", "date": "2024-01-02", "role": "Suspect"}],
        "force_code": "WY",
    },
    {
        "source": "police", "source_id": "N101", "given_name": "Kerry", "family_name": "Walsh",
        "dob": "1986-02-03", "sex": "F", "aliases": [{"given_name": "Kerry", "family_name": "Brown"}],
        "addresses": [{**HOME, "from": "2019-05-01"}], "phones": ["0113 496 0555"],
        "relationships": [{"type": "parent_of", "source_id": "N102"}],
        "events": [{"id": "E1", "event_type": "Domestic incident", "date": "2024-01-02", "role": "Victim"}],
    },
    {
        "source": "police", "source_id": "N102", "given_name": "Jayden", "middle_names": "Lee",
        "family_name": "Walsh", "dob": "2016-02-29", "sex": "M", "addresses": [{**HOME, "from": "2019-05-01"}],
    },
    {
        "source": "police", "source_id": "N103", "given_name": "Tyler", "family_name": "Reed", "dob": "1990-07-07",
        "sex": "M", "identifiers": {"pnc_id": "11/0098765V"}, "addresses": [{**HOME, "from": "2023-06-01"}],
        "relationships": [{"type": "other", "source_id": "N101"}], "lives_with": ["N101"],
    },
]


def test_pole_json_document_field_by_field() -> None:
    items = read_items("pole", POLE / "pole_export.json")
    assert errors_of(items) == []
    assert records_of(items) == EXPECTED_POLE
    prepared = [prepare(record) for record in records_of(items)]
    assert all(p.warnings == [] for p in prepared)
    assert {i["key"]: i["valid"] for i in prepared[0].identifiers} == {"pnc_id:04/0123456B": True,
                                                                        "cro_number:012345/04K": True}


def test_pole_ndjson_and_csv_tables_give_the_same_records() -> None:
    assert records_of(read_items("pole", POLE / "pole_export.ndjson")) == EXPECTED_POLE
    assert records_of(read_items("pole", POLE / "pole_persons.csv")) == EXPECTED_POLE
    [(line, error)] = errors_of(read_items("pole", POLE / "pole_links.csv"))
    assert line == 1 and "POLE links table" in error


def test_pole_bad_entities_are_rejected_one_by_one(tmp_path: Path) -> None:
    path = tmp_path / "mixed.ndjson"
    lines = [
        {"entity": "Person", "id": "P1", "surname": "Reed", "forenames": "Amy", "pnc_id": "97/4412W"},
        {"entity": "Person", "surname": "Noid"},
        {"entity": "Spaceship", "id": "S1"},
        "{oops",
        {"entity": "Link", "from": "P1"},
        {"entity": "Location", "id": "L1", "postcode": "LS6 2AB", "address_line_1": "1 Oak Road"},
        {"entity": "Link", "from": "P1", "to": "L1", "link_type": "lives at"},
    ]
    path.write_text("\n".join(line if isinstance(line, str) else json.dumps(line) for line in lines) + "\n")
    items = read_items("pole", path)
    errors = errors_of(items)
    assert errors.pop(2)[1].startswith("not valid JSON")
    assert errors == [
        (2, "Person has no id"),
        (3, "entity kind Spaceship is not one of Person, Object, Location, Event, Link"),
        (5, "Link needs both 'from' and 'to' entity ids"),
    ]
    assert records_of(items) == [{
        "source": "police", "source_id": "P1", "given_name": "Amy", "family_name": "Reed",
        "identifiers": {"pnc_id": "97/4412W"},
        "addresses": [{"line1": "1 Oak Road", "postcode": "LS6 2AB"}],  # "lives at" -> LIVES_AT
    }]
    assert prepare(records_of(items)[0]).warnings == []


def test_pole_loads_family_links_and_shared_phone(db: Database, tmp_path: Path) -> None:
    summary = ingest_file(db, POLE / "pole_persons.csv", quarantine_dir=tmp_path)  # sniffed
    assert (summary.read, summary.stored, summary.rejected) == (4, 4, 0)
    rows = query(db, "MATCH (a:Record)-[r:RELATED]->(b:Record) RETURN a.source_id AS a, r.type AS t, "
                     "b.source_id AS b ORDER BY a, b")
    assert rows == [{"a": "N100", "t": "partner_of", "b": "N101"}, {"a": "N100", "t": "parent_of", "b": "N102"},
                    {"a": "N101", "t": "parent_of", "b": "N102"}, {"a": "N103", "t": "other", "b": "N101"}]
    [row] = query(db, "MATCH (p:Phone {e164: '+441134960555'})<-[:HAS_PHONE]-(r) RETURN count(r) AS n")
    assert row["n"] == 2
    [row] = query(db, "MATCH (r:Record)-[:HAS_ADDRESS {current: true}]->(a:Address {uprn: '72745120'}) "
                      "RETURN count(r) AS n")
    assert row["n"] == 4
    again = ingest_file(db, POLE / "pole_export.json", quarantine_dir=tmp_path)
    assert (again.unchanged, again.stored, again.updated) == (4, 0, 0)  # the JSON form is the same data


def test_housing_uses_the_bundled_mapping() -> None:
    items = read_items("housing", FIXTURES / "housing" / "tenancies.csv")
    records = records_of(items)
    assert records[0] == {
        "source": "housing", "source_id": "TEN-3301-1", "given_name": "Kerry", "middle_names": None,
        "family_name": "Walsh", "dob": "03/02/1986", "sex": "Female", "recorded_at": None,
        "addresses": [{"line1": "41 Victoria Road", "line2": "Beeston", "town": "Leeds", "postcode": "LS115EE",
                       "from": "01/05/2019", "uprn": "72745120"}],
        "phones": ["0113 496 0555"], "emails": ["kerry.w@example.net"],
        "identifiers": {"uprn": "72745120"},
        "tenancy_ref": "T-3301", "title": "Mrs", "relationship_to_lead": "Lead tenant",
    }
    assert [r["source_id"] for r in records] == ["TEN-3301-1", "TEN-3301-2", "TEN-3301-3", "TEN-4410-1", None]
    prepared = prepare(records[0])
    assert prepared.props["dob"] == "1986-02-03" and prepared.props["sex"] == "F"
    assert prepared.addresses[0]["node"]["uprn"] == "72745120"
    assert prepared.identifiers == [{"key": "uprn:72745120", "scheme": "uprn", "value": "72745120", "valid": True}]


def test_housing_loads_with_uprn_as_the_address_key(db: Database, tmp_path: Path) -> None:
    summary = ingest_file(db, FIXTURES / "housing" / "tenancies.csv", quarantine_dir=tmp_path)  # sniffed
    assert (summary.read, summary.stored, summary.rejected) == (5, 4, 1)
    assert summary.rejection_counts == {"missing_source_id": 1}
    [row] = query(db, "MATCH (r:Record {source: 'housing'})-[:HAS_ADDRESS]->(a:Address {uprn: '72745120'}) "
                      "RETURN count(r) AS n, collect(DISTINCT a.postcode) AS postcodes")
    assert row == {"n": 3, "postcodes": ["LS11 5EE"]}
