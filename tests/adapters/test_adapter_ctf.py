"""DfE Common Transfer File adapter: pupils and contacts, the shipped subset XSD, broken XML."""

from __future__ import annotations

import json
from pathlib import Path

from graph_model.adapters.ctf import ctf_schema
from graph_model.db import Database
from graph_model.ingest import ingest_file
from graph_model.records import prepare
from tests.adapters.conftest import FIXTURES, errors_of, query, read_items, records_of

SAMPLE = FIXTURES / "ctf" / "ctf_sample.xml"
SCHOOL = {"urn": "107999", "name": "Meanwood Primary School"}
HOME = {"line1": "Flat 2, 10 High Street", "line2": "Headingley", "town": "Leeds", "uprn": "72641158",
        "postcode": "LS6 2AB"}


def test_sample_maps_pupils_and_contacts_field_by_field() -> None:
    items = read_items("ctf", SAMPLE)
    assert errors_of(items) == []
    assert records_of(items) == [
        {
            "source": "education", "source_id": "3832001/K383200139825",
            "given_name": "Ava", "middle_names": "Noor", "family_name": "Khan-Ali",
            "dob": "2015-03-04", "sex": "F",
            "addresses": [HOME], "phones": ["0113 496 0123"], "emails": ["khan.family@example.net"],
            "identifiers": {"upn": "K383200139825", "uln": "4812345670"},
            "school": SCHOOL,
            "aliases": [{"given_name": "Ava", "family_name": "Khan", "use": "preferred"},
                        {"given_name": "Ava", "family_name": "Khan", "use": "former"}],
            "dfe_establishment": "383/2001",
            "former_upn": "Z201300112345",
            "contacts_not_loaded": ["DOC"],  # the doctor is not a member of the family
        },
        {
            "source": "education", "source_id": "3832001/K383200139825/contact/1",
            "given_name": "Sara", "family_name": "Khan-Ali", "sex": "F",
            "addresses": [HOME],  # AddressAsPupil
            "phones": ["07700 900123"], "emails": ["sara.ka@example.net"],
            "relationships": [{"type": "parent_of", "source_id": "3832001/K383200139825"}],
            "title": "Mrs", "relationship_code": "PAR", "parental_responsibility": True, "contact_order": 1,
        },
        {
            "source": "education", "source_id": "3832001/K383200139825/contact/2",
            "given_name": "Imran", "family_name": "Ali", "sex": "M",
            "addresses": [{"line1": "22 Chapel Lane", "line2": "Bradford", "postcode": "BD3 9PQ"}],
            "phones": ["+44 7700 900456"],
            "relationships": [{"type": "carer_of", "source_id": "3832001/K383200139825"}],
            "title": "Mr", "relationship_code": "CAR", "parental_responsibility": True, "contact_order": 2,
        },
        {
            "source": "education", "source_id": "3832001/V383200112346",
            "given_name": "Zara", "family_name": "Khan-Ali", "dob": "2017-09-12", "sex": "F",
            "addresses": [{"line1": "Flat 2, 10 High Street", "town": "Leeds", "postcode": "LS62AB"}],
            "identifiers": {"upn": "V383200112346"}, "school": SCHOOL, "dfe_establishment": "383/2001",
        },
        {
            "source": "education", "source_id": "3832001/V383200112346/contact/1",
            "given_name": "Sara", "family_name": "Khan-Ali",
            "addresses": [{"line1": "Flat 2, 10 High Street", "town": "Leeds", "postcode": "LS62AB"}],
            "phones": ["07700900123"],
            "relationships": [{"type": "parent_of", "source_id": "3832001/V383200112346"}],
            "relationship_code": "PAR", "parental_responsibility": True, "contact_order": 1,
        },
        {
            "source": "education", "source_id": "3832001/J383200112347",
            "given_name": "Mohammed", "family_name": "Iqbal", "dob": "2009-07-21", "sex": "M",
            # AddressLines: the third line is the town
            "addresses": [{"line1": "41 Victoria Road", "line2": "Beeston", "town": "Leeds", "postcode": "LS11 5EE"}],
            "identifiers": {"upn": "J383200112347"}, "school": SCHOOL, "dfe_establishment": "383/2001",
        },
    ]
    prepared = [prepare(record) for record in records_of(items)]
    assert all(p.warnings == [] for p in prepared)
    assert prepared[0].school == SCHOOL
    assert {i["key"]: i["valid"] for i in prepared[0].identifiers} == {"upn:K383200139825": True,
                                                                        "uln:4812345670": True}
    # both sisters' home is one address node (the postcode's missing space does not matter)
    assert prepared[0].addresses[0]["key"] == prepared[3].addresses[0]["key"]


def test_a_wrong_upn_check_letter_is_kept_but_flagged(tmp_path: Path) -> None:
    text = SAMPLE.read_text().replace("K383200139825", "A383200139825").replace("Z201300112345", "B201300112345")
    path = tmp_path / "wrong_letter.xml"
    path.write_text(text)
    pupil = records_of(read_items("ctf", path))[0]
    assert pupil["former_upn"] == "B201300112345" and pupil["former_upn_valid"] is False
    prepared = prepare(pupil)
    assert "identifier:upn:check_letter" in prepared.warnings
    assert {i["key"]: i["valid"] for i in prepared.identifiers}["upn:A383200139825"] is False


def test_the_shipped_schema_accepts_the_whole_sample() -> None:
    from lxml import etree

    assert ctf_schema().validate(etree.parse(str(SAMPLE)))


def test_xsd_violations_are_rejected_per_pupil() -> None:
    items = read_items("ctf", FIXTURES / "malformed" / "ctf_xsd_violation.xml")
    assert [r["source_id"] for r in records_of(items)] == ["3832001/K383200139825", "3832001/J383200112347"]
    errors = errors_of(items)
    assert [line for line, _ in errors] == [23, 30]
    assert "Pupil fails the CTF schema" in errors[0][1] and "'DOB'" in errors[0][1]
    assert "12/09/2017" not in errors[0][1]  # the offending value is not repeated
    assert "'UPN'" in errors[1][1] and "12345" not in errors[1][1].split("pattern")[0]


def test_broken_xml_loads_what_came_before_and_reports_the_break() -> None:
    items = read_items("ctf", FIXTURES / "malformed" / "ctf_broken.xml")
    assert [r["source_id"] for r in records_of(items)] == ["3832001/K383200139825"]
    [(line, error)] = errors_of(items)
    assert line == 24 and error.startswith("XML is not well-formed at line 24") and "nothing after" in error


def test_a_header_violation_or_another_document_rejects_the_file(tmp_path: Path) -> None:
    bad_header = tmp_path / "bad_header.xml"
    bad_header.write_text(SAMPLE.read_text().replace("<LEA>383</LEA>\n      <Estab>2001</Estab>",
                                                     "<LEA>38</LEA>\n      <Estab>2001</Estab>", 1))
    [item] = read_items("ctf", bad_header)
    assert item.error is not None and item.error.startswith("CTF Header fails the CTF schema")
    other = tmp_path / "other.xml"
    other.write_text("<Message><Header/></Message>")
    assert errors_of(read_items("ctf", other)) == [(1, "not a Common Transfer File: the root element is 'Message'")]


def test_xml_entities_are_not_expanded(tmp_path: Path) -> None:
    # An external entity must not be read (XXE): the pupil keeps the literal reference or fails, never the file.
    secret = tmp_path / "secret.txt"
    secret.write_text("TOPSECRET")
    text = SAMPLE.read_text().replace('<?xml version="1.0" encoding="UTF-8"?>',
                                      f'<?xml version="1.0"?><!DOCTYPE CTfile [<!ENTITY x SYSTEM "file://{secret}">]>')
    text = text.replace("<Forename>Mohammed</Forename>", "<Forename>&x;</Forename>")
    path = tmp_path / "xxe.xml"
    path.write_text(text)
    items = read_items("ctf", path)
    assert "TOPSECRET" not in json.dumps([(item.record, item.error, item.text) for item in items])
    assert len(records_of(items)) == 5
    [(_line, error)] = errors_of(items)
    assert error.startswith("Pupil fails the CTF schema")


def test_sample_loads_with_school_and_family_links(db: Database, tmp_path: Path) -> None:
    summary = ingest_file(db, SAMPLE, quarantine_dir=tmp_path)  # sniffed
    assert (summary.read, summary.stored, summary.rejected) == (6, 6, 0)
    rows = query(db, "MATCH (c:Record)-[r:RELATED]->(p:Record)-[:ATTENDS]->(s:School {urn: '107999'}) "
                     "RETURN c.source_id AS contact, r.type AS type, p.given_name AS pupil ORDER BY contact")
    assert rows == [
        {"contact": "3832001/K383200139825/contact/1", "type": "parent_of", "pupil": "Ava"},
        {"contact": "3832001/K383200139825/contact/2", "type": "carer_of", "pupil": "Ava"},
        {"contact": "3832001/V383200112346/contact/1", "type": "parent_of", "pupil": "Zara"},
    ]
    [row] = query(db, "MATCH (r:Record) WHERE r.stub IS NOT NULL RETURN count(r) AS n")
    assert row["n"] == 0


def test_xsd_violation_and_broken_files_load_the_rest(db: Database, tmp_path: Path) -> None:
    summary = ingest_file(db, FIXTURES / "malformed" / "ctf_xsd_violation.xml", fmt="ctf", quarantine_dir=tmp_path)
    assert (summary.read, summary.stored, summary.rejected) == (4, 2, 2)
    assert summary.rejection_counts == {"unreadable": 2}
    quarantined = [json.loads(line) for line in summary.quarantine.read_text().splitlines()]
    assert all("CTF schema" in q["message"] for q in quarantined)
    assert quarantined[0]["input"].startswith("<Pupil>")
    summary = ingest_file(db, FIXTURES / "malformed" / "ctf_broken.xml", fmt="ctf", quarantine_dir=tmp_path)
    assert (summary.read, summary.rejected) == (2, 1)
    assert summary.stored + summary.updated + summary.unchanged == 1  # Ava again: upserted, not duplicated
    [row] = query(db, "MATCH (r:Record) RETURN count(r) AS n")
    assert row["n"] == 2
