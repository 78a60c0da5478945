"""What a (:Person) node stores: counts, agencies and flags, never a copy of its records' values (the golden
record is computed on read, from the records the caller may see)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from graph_model.db import Database
from resolvers.golden import person_properties
from tests.resolvers.helpers import features, load, person_of, resolve
from tests.resolvers.test_incremental import push
from tests.resolvers.test_pipeline import family_records, rec

# Copies of record values that earlier versions stored on (:Person) nodes.
_LEGACY_GOLDEN = ("given_name", "family_name", "middle_names", "dob", "sex", "current_address", "aliases", "provenance")


def test_a_person_holds_its_record_count_agencies_and_flags_and_no_record_value() -> None:
    a = features(source_id="a", given_name="Sara", family_name="Khan", dob="1985-03-12", sex="F")
    b = dataclasses.replace(features(source_id="b", given_name="Sarah", family_name="Khan"), source="health")
    c = dataclasses.replace(features(source_id="c", given_name="Sara", family_name="Khan"), source="health")
    assert person_properties([a, b, c], ["linked_to_several_households"]) == {
        "sources": sorted({"t", "health"}), "record_count": 3, "flags": ["linked_to_several_households"]}
    assert person_properties([a]) == {"sources": ["t"], "record_count": 1}  # no flags: the stored ones stay


def _people_properties(db: Database) -> list[dict]:
    rows, _, _ = db.driver.execute_query("MATCH (p:Person {status: 'active'}) RETURN properties(p) AS props")
    return [row["props"] for row in rows]


def test_a_rewritten_person_loses_the_golden_copies_earlier_versions_stored(db: Database, tmp_path: Path) -> None:
    load(db, tmp_path, family_records())
    resolve(db, tmp_path)
    first = _people_properties(db)
    assert first and all(not set(_LEGACY_GOLDEN) & set(props) for props in first)
    assert all(props["record_count"] >= 1 and props["sources"] for props in first)

    def plant_legacy_copies() -> None:
        db.driver.execute_query("MATCH (p:Person) SET p += $legacy",
                                legacy={name: "copied value" for name in _LEGACY_GOLDEN})

    # A full re-run keeps every id (resolve/write_persons): each person is rewritten without the copies.
    plant_legacy_copies()
    before = person_of(db)
    resolve(db, tmp_path)
    assert person_of(db) == before
    assert all(not set(_LEGACY_GOLDEN) & set(props) for props in _people_properties(db))

    # A real-time resolve rewrites the people of the record's component (resolve/incremental_write).
    plant_legacy_copies()
    [result] = push(db, tmp_path, [rec("social_care", "S-ZAK", "Zak", "Khan", "2012-11-02", sex="M")], "zak.jsonl")
    assert result.person_id == before["health:H-ZAK"]
    rows, _, _ = db.driver.execute_query("MATCH (p:Person {id: $id}) RETURN properties(p) AS props",
                                         id=result.person_id)
    assert not set(_LEGACY_GOLDEN) & set(rows[0]["props"]) and rows[0]["props"]["record_count"] == 3
