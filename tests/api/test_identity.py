"""Old person ids keep resolving after resolution merges people, and the audit follows the identity."""

from __future__ import annotations

from pathlib import Path

from neo4j import Driver

from graph_model.db import Database
from tests.api.helpers import ApiServer
from tests.api.seed import assignments, load, resolve

POLICE_S47 = {"agency": "police", "role": "practitioner", "purpose": "s47_enquiry"}
VIEW = """query V($id: ID!) { person(id: $id) { id givenName recordCount resolution { requestedId kind successorIds }
  } }"""
HOME = {"line1": "4 Elm Road", "town": "Leeds", "postcode": "LS7 3BB"}


def test_an_old_id_resolves_to_the_survivor_after_a_merge(api: ApiServer, driver: Driver, tmp_path: Path) -> None:
    db = Database(driver)
    db.run("admin/delete_all_batch", {"batch_size": 10000})
    tom = {"source": "health", "source_id": "H-TOM", "given_name": "Tom", "family_name": "Reed", "dob": "2011-04-09",
           "sex": "M", "identifiers": {"nhs_number": "9434765919"}, "addresses": [HOME]}
    thomas = {"source": "education", "source_id": "P-TOM", "given_name": "Thomas", "family_name": "Reed",
              "dob": "2001-09-04", "sex": "M", "addresses": [{"line1": "1 Far Lane", "town": "York",
                                                                  "postcode": "YO1 7HH"}]}
    load(db, tmp_path, [tom, thomas], "first.jsonl")
    resolve(db, tmp_path)
    before, _ = assignments(db)
    assert before["health:H-TOM"] != before["education:P-TOM"]
    old_ids = {before["health:H-TOM"], before["education:P-TOM"]}
    for person_id in old_ids:
        api.data(VIEW, variables={"id": person_id}, **POLICE_S47)  # accesses under the old ids

    # The school corrects its record: same child, and now it carries the NHS number.
    load(db, tmp_path, [{**thomas, "dob": "2011-04-09", "addresses": [HOME], "identifiers": {"nhs_number": "9434765919"}}],
         "second.jsonl")
    resolve(db, tmp_path)
    after, _ = assignments(db)
    survivor = after["health:H-TOM"]
    assert after["education:P-TOM"] == survivor and survivor in old_ids
    (retired,) = old_ids - {survivor}

    view = api.data(VIEW, variables={"id": retired}, **POLICE_S47)["person"]
    assert view["id"] == survivor and view["recordCount"] == 2
    assert view["resolution"] == {"requestedId": retired, "kind": "MERGED", "successorIds": [survivor]}
    same = api.data(VIEW, variables={"id": survivor}, **POLICE_S47)["person"]["resolution"]
    assert same == {"requestedId": survivor, "kind": "SAME", "successorIds": []}

    # The information governance lead asking about the survivor also sees accesses under the retired id.
    trail = """query T($id: ID!) { auditTrail(personId: $id, first: 100) { edges { node { requested } } } }"""
    entries = api.data(trail, variables={"id": survivor}, agency="governance", role="ig_lead",
                       purpose="audit_review")["auditTrail"]["edges"]
    requested = {i for e in entries for i in e["node"]["requested"]}
    assert {retired, survivor} <= requested


def test_an_old_id_resolves_to_the_parts_after_a_split(api: ApiServer, driver: Driver, tmp_path: Path) -> None:
    db = Database(driver)
    db.run("admin/delete_all_batch", {"batch_size": 10000})

    def child(source: str, source_id: str, given: str, dob: str, nhs: str) -> dict[str, object]:
        return {"source": source, "source_id": source_id, "given_name": given, "family_name": "Moss", "dob": dob,
                "sex": "F", "identifiers": {"nhs_number": nhs}}

    ella = [child("health", "H-ELLA", "Ella", "2013-02-03", "9991590838"),
            child("social_care", "S-ELLA", "Ella", "2013-02-03", "9991590838")]
    emma = [child("health", "H-EMMA", "Emma", "2015-07-08", "9995260182"),
            child("social_care", "S-EMMA", "Emma", "2015-07-08", "9995260182")]
    # Two records the schools keyed with one wrong NHS number and one wrong name: they make one person.
    mixed = [child("education", "P-ONE", "Kit", "2014-01-01", "9990308241"),
             child("police", "N-ONE", "Kit", "2014-01-01", "9990308241")]
    load(db, tmp_path, [*ella, *emma, *mixed], "first.jsonl")
    resolve(db, tmp_path)
    before, _ = assignments(db)
    old = before["education:P-ONE"]
    assert before["police:N-ONE"] == old and old not in {before["health:H-ELLA"], before["health:H-EMMA"]}
    api.data(VIEW, variables={"id": old}, **POLICE_S47)

    # Corrected: one record was Ella's, the other Emma's. The person they made is split between the two.
    load(db, tmp_path, [child("education", "P-ONE", "Ella", "2013-02-03", "9991590838"),
                        child("police", "N-ONE", "Emma", "2015-07-08", "9995260182")], "second.jsonl")
    resolve(db, tmp_path)
    after, _ = assignments(db)
    ella_id, emma_id = after["health:H-ELLA"], after["health:H-EMMA"]
    assert (ella_id, emma_id) == (before["health:H-ELLA"], before["health:H-EMMA"])
    assert after["education:P-ONE"] == ella_id and after["police:N-ONE"] == emma_id and old not in after.values()

    # Whoever sees both parts is sent to one of them, told it was a split, and given both successors.
    view = api.data(VIEW, variables={"id": old}, **POLICE_S47)["person"]
    assert view["id"] in {ella_id, emma_id} and view["recordCount"] == 3
    assert view["resolution"] == {"requestedId": old, "kind": "SPLIT", "successorIds": sorted([ella_id, emma_id])}
    # A caller who may not see police records is still sent on, and told only of parts that exist for them.
    school = api.data(VIEW, variables={"id": old}, agency="education", role="practitioner",
                      purpose="early_help")["person"]
    assert school["resolution"]["kind"] == "SPLIT" and school["id"] in school["resolution"]["successorIds"]
    assert set(school["resolution"]["successorIds"]) <= {ella_id, emma_id}

    # The audit of the old id leads to both successors' accesses and back.
    trail = """query T($id: ID!) { auditTrail(personId: $id, first: 100) { edges { node { requested } } } }"""
    for successor in (ella_id, emma_id):
        entries = api.data(trail, variables={"id": successor}, agency="governance", role="ig_lead",
                           purpose="audit_review")["auditTrail"]["edges"]
        assert old in {i for e in entries for i in e["node"]["requested"]}
