"""FHIR R4 Patient/RelatedPerson adapter: sample files to canonical records, restricted flag, rejections."""

from __future__ import annotations

import json
from pathlib import Path

from graph_model.db import Database
from graph_model.ingest import ingest_file
from graph_model.records import prepare
from tests.adapters.conftest import FIXTURES, errors_of, query, read_items, records_of

FHIR = FIXTURES / "fhir"


def test_bundle_maps_patients_and_related_persons_field_by_field() -> None:
    records = records_of(read_items("fhir", FHIR / "bundle.json"))
    assert records == [
        {
            "source": "health", "source_id": "9995260182",
            "given_name": "Ava", "middle_names": "Noor", "family_name": "Khan-Ali",
            # the current usual name is the main one; the nickname (current) and the old name are aliases
            "aliases": [
                {"given_name": "Avi", "use": "nickname"},
                {"given_name": "Ava", "family_name": "Khan", "use": "old",
                 "period": {"start": "2015-03-04", "end": "2019-08-31"}},
            ],
            "dob": "2015-03-04", "sex": "F",
            "addresses": [
                {"line1": "Flat 2, 10 High Street", "town": "Leeds", "postcode": "LS6 2AB", "from": "2022-01-10",
                 "uprn": "72641158", "use": "home"},
                {"line1": "5 Oak Road", "town": "Leeds", "postcode": "LS7 1AA", "from": "2015-03-04",
                 "to": "2022-01-09", "use": "home"},
            ],
            "phones": ["0113 496 0123"], "emails": ["khan.family@example.net"],
            "identifiers": {"nhs_number": "9995260182"},
            "nhs_number_verification": "01",
            "other_identifiers": [{"system": "https://example.org/leeds-hospitals/mrn", "value": "MRN4471002"}],
            "confidentiality": "U",
            "recorded_at": "2024-03-05T14:02:11+00:00",
            "gp_ods_code": "Y12345",
        },
        {
            "source": "health", "source_id": "9991590838",
            "given_name": "Sara", "family_name": "Khan-Ali",
            "aliases": [{"given_name": "Sara", "family_name": "Begum", "use": "maiden"}],
            "dob": "1988-11", "sex": "F",
            "addresses": [{"line1": "Flat 2, 10 High Street", "town": "Leeds", "postcode": "ls62ab",
                           "from": "2022-01-10", "use": "home"}],
            "phones": ["+44 7700 900123", "07700 900124"],
            "identifiers": {"nhs_number": "9991590838"},
        },
        {
            "source": "health", "source_id": "RelatedPerson/RP-77",
            "relationships": [{"type": "parent_of", "source_id": "9995260182"}],
            "fhir_resource_type": "RelatedPerson", "relationship_codes": ["MTH"],
            "given_name": "Sara", "family_name": "Khan-Ali", "sex": "F",
            "phones": ["07700 900123"], "identifiers": {"nhs_number": "9991590838"},
        },
        {
            "source": "health", "source_id": "RelatedPerson/RP-78",
            # referenced by the patient's NHS number rather than Patient/<id>
            "relationships": [{"type": "carer_of", "source_id": "9995260182"}],
            "fhir_resource_type": "RelatedPerson", "relationship_codes": ["GUARD"],
            "given_name": "Imran", "family_name": "Ali", "sex": "M",
            "addresses": [{"line1": "22 Chapel Lane", "town": "Bradford", "postcode": "BD3 9PQ"}],
        },
    ]
    for record in records:
        prepared = prepare(record)
        assert prepared.warnings == []
    child = prepare(records[0])
    assert [i["key"] for i in child.identifiers] == ["nhs_number:9995260182"]
    assert [a["current"] for a in child.addresses] == [True, False]
    assert child.addresses[0]["node"]["uprn"] == "72641158"
    assert json.loads(child.props["extra"])["nhs_number_verification"] == "01"
    mother = prepare(records[2])
    assert mother.relationships == [{"type": "parent_of", "target_uid": "health:9995260182",
                                     "target_source_id": "9995260182"}]


def test_single_restricted_patient() -> None:
    [record] = records_of(read_items("fhir", FHIR / "patient_restricted.json"))
    assert record == {
        "source": "health", "source_id": "9993909963",
        "given_name": "Lily", "middle_names": "Rose", "family_name": "Fenwick",
        "dob": "2012-06-14", "sex": "F",
        "addresses": [{"line1": "7 Larch Grove", "town": "Leeds", "postcode": "LS8 4QT", "from": "2023-09-01",
                       "use": "home"}],
        "identifiers": {"nhs_number": "9993909963"},
        "nhs_number_verification": "01",
        "restricted": True, "confidentiality": "R",
        "recorded_at": "2024-02-01T09:30:00+00:00",
    }
    assert json.loads(prepare(record).props["extra"])["restricted"] is True


def test_ndjson_streams_one_resource_per_line() -> None:
    items = read_items("fhir", FHIR / "patients.ndjson")
    assert [item.line for item in items] == [1, 2, 4]  # the blank line 3 is skipped
    assert records_of(items) == [
        {"source": "health", "source_id": "9990166137", "given_name": "Mohammed", "family_name": "Iqbal",
         "dob": "2009-07-21", "sex": "M",
         "addresses": [{"line1": "41 Victoria Road", "town": "Leeds", "postcode": "LS11 5EE", "from": "2018-04-01"}],
         "phones": ["07700 900311"], "identifiers": {"nhs_number": "9990166137"}},
        {"source": "health", "source_id": "9991860916", "given_name": "Olivia", "family_name": "Smith",
         "aliases": [{"given_name": "Liv", "family_name": "Smith", "use": "temp",
                      "period": {"start": "2020-01-01", "end": "2020-12-31"}}],
         "dob": "2011", "sex": "F", "identifiers": {"nhs_number": "9991860916"},
         "restricted": True, "confidentiality": "V"},
        {"source": "health", "source_id": "9990308241", "given_name": "Jayden", "middle_names": "Lee",
         "family_name": "Walsh", "dob": "2016-02-29", "sex": "U", "identifiers": {"nhs_number": "9990308241"}},
    ]
    assert prepare(records_of(items)[1]).props["dob_precision"] == "year"


def test_source_option_names_the_agency() -> None:
    [record] = records_of(read_items("fhir", FHIR / "patient_restricted.json", source="gp_leeds"))
    assert record["source"] == "gp_leeds"


def test_malformed_resources_are_rejected_one_by_one() -> None:
    items = read_items("fhir", FIXTURES / "malformed" / "fhir_mixed.ndjson")
    assert [r["source_id"] for r in records_of(items)] == ["9996281949", "9992319488"]
    errors = dict(errors_of(items))
    assert errors[2] == "resource type Observation is not supported (Patient and RelatedPerson are)"
    assert errors[3] == "identifier[0] has a value but no system, so its scheme is unknown"
    assert errors[4].startswith("Patient failed FHIR R4 validation: birthDate")
    assert "14/10/2014" not in errors[4]  # reasons never repeat personal values
    assert errors[5].startswith("not valid JSON")


def test_other_shapes_are_rejected_with_reasons(tmp_path: Path) -> None:
    path = tmp_path / "odd.json"
    path.write_text(json.dumps({"resourceType": "Bundle", "type": "collection", "entry": [
        {"resource": {"resourceType": "Patient", "name": [{"family": "Nobody"}]}},
        {"fullUrl": "urn:uuid:1"},
        {"resource": {"resourceType": "RelatedPerson", "patient": {"reference": "Patient/X"}}},
        {"resource": {"resourceType": "Patient", "id": "P1", "identifier": [
            {"system": "https://fhir.nhs.uk/Id/nhs-number", "value": "9997574915"}]}},
    ]}))
    items = read_items("fhir", path)
    assert errors_of(items) == [
        (1, "Patient has neither an id nor an NHS number to key it by"),
        (2, "Bundle entry 2 has no resource"),
        (3, "RelatedPerson has no id to key it by"),
    ]
    assert records_of(items) == [{"source": "health", "source_id": "P1", "identifiers": {"nhs_number": "9997574915"}}]
    broken = tmp_path / "broken.json"
    broken.write_text('{"resourceType": "Patient", "id": ')
    assert errors_of(read_items("fhir", broken))[0][1].startswith("not valid JSON")


def test_restricted_flag_reaches_the_stored_record(db: Database, tmp_path: Path) -> None:
    summary = ingest_file(db, FHIR / "patient_restricted.json", fmt="fhir", quarantine_dir=tmp_path)
    assert (summary.read, summary.stored, summary.rejected) == (1, 1, 0)
    [row] = query(db, "MATCH (r:Record {uid: 'health:9993909963'}) RETURN r.extra AS extra")
    extra = json.loads(row["extra"])
    assert extra["restricted"] is True and extra["confidentiality"] == "R"
    assert extra["nhs_number_verification"] == "01"


def test_bundle_loads_with_relationships(db: Database, tmp_path: Path) -> None:
    summary = ingest_file(db, FHIR / "bundle.json", quarantine_dir=tmp_path)  # format sniffed
    assert (summary.read, summary.stored, summary.rejected) == (4, 4, 0)
    rows = query(db, "MATCH (a:Record)-[r:RELATED]->(b:Record) RETURN a.source_id AS a, r.type AS t, "
                     "b.source_id AS b ORDER BY a")
    assert rows == [{"a": "RelatedPerson/RP-77", "t": "parent_of", "b": "9995260182"},
                    {"a": "RelatedPerson/RP-78", "t": "carer_of", "b": "9995260182"}]
    # the mother's Patient record and her RelatedPerson record share the NHS number node
    [row] = query(db, "MATCH (i:Identifier {key: 'nhs_number:9991590838'})<-[:HAS_IDENTIFIER]-(r) "
                      "RETURN count(r) AS n")
    assert row["n"] == 2
    [row] = query(db, "MATCH (:Record {uid: 'health:9995260182'})-[h:HAS_ADDRESS {current: true}]->(a:Address) "
                      "RETURN a.uprn AS uprn, a.postcode AS postcode")
    assert row == {"uprn": "72641158", "postcode": "LS6 2AB"}


def test_malformed_file_loads_the_good_records(db: Database, tmp_path: Path) -> None:
    summary = ingest_file(db, FIXTURES / "malformed" / "fhir_mixed.ndjson", quarantine_dir=tmp_path)
    assert (summary.read, summary.stored, summary.rejected) == (6, 2, 4)
    assert summary.rejection_counts == {"unreadable": 4}
    quarantined = [json.loads(line) for line in summary.quarantine.read_text().splitlines()]
    assert [q["line"] for q in quarantined] == [2, 3, 4, 5]
    assert "Observation" in quarantined[0]["message"]
    assert "no system" in quarantined[1]["message"]
    rows = query(db, "MATCH (r:Record) RETURN r.source_id AS id ORDER BY id")
    assert rows == [{"id": "9992319488"}, {"id": "9996281949"}]
