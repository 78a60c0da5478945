"""Real-time resolution of single records against the real graph."""

from __future__ import annotations

import re
import threading
from pathlib import Path

import cypher
from graph_model.db import Database
from graph_model.records import prepare
from resolvers.blocking import BLOCKING_RULES, candidate_pairs
from resolvers.features import features_from_record, features_from_row
from resolvers.incremental import _CAPS, RULES_WITHOUT_REAL_TIME_CANDIDATES, IncrementalResolver
from resolvers.pipeline import ResolveOptions
from tests.resolvers.helpers import household_of, load, person_of, resolve
from tests.resolvers.test_pipeline import TRUTH, assert_partition, family_records, rec


def push(db: Database, tmp_path: Path, records: list[dict], name: str) -> list:
    load(db, tmp_path, records, name=name)
    resolver = IncrementalResolver(db, ResolveOptions(model_path=tmp_path / "model.json"))
    return [resolver.resolve(f"{r['source']}:{r['source_id']}") for r in records]


_IDENTIFIER_RULES = ("nhs_number", "upn", "pnc_id", "other_identifier")  # one shared cap: "identifier"


def test_every_blocking_rule_is_queried_in_real_time_or_listed_as_not() -> None:
    # A new full-run blocking rule must get its real-time query (by its cap) in both candidate statements, or be
    # listed in RULES_WITHOUT_REAL_TIME_CANDIDATES; a listed rule that gains a query must leave the list.
    statements = {name: cypher.text(name) for name in ("resolve/incremental_candidates",
                                                       "resolve/candidates_for_values")}
    for name, text in statements.items():
        caps = set(re.findall(r"caps\.([a-z_]+)", text))
        for rule in BLOCKING_RULES:
            queried = ("identifier" if rule.name in _IDENTIFIER_RULES else rule.name) in caps
            assert queried != (rule.name in RULES_WITHOUT_REAL_TIME_CANDIDATES), (rule.name, name)
    assert {rule.name for rule in BLOCKING_RULES} >= RULES_WITHOUT_REAL_TIME_CANDIDATES


def test_records_pushed_one_by_one_give_the_full_run_partition(db: Database, tmp_path: Path) -> None:
    for index, record in enumerate(family_records()):
        push(db, tmp_path, [record], name=f"r{index}.jsonl")
    incremental = person_of(db)
    assert_partition(incremental, TRUTH)  # twins and juniors stay apart, one record at a time
    resolve(db, tmp_path)
    full = person_of(db)
    assert_partition(full, TRUTH)
    # Same partition, and the full run keeps the ids the pushes made.
    assert full == incremental
    assert len(set(household_of(db).values())) == 1


def test_push_links_to_an_existing_person_and_household(db: Database, tmp_path: Path) -> None:
    load(db, tmp_path, family_records())
    resolve(db, tmp_path)
    before = person_of(db)
    households = household_of(db)
    [result] = push(db, tmp_path, [rec("social_care", "S-ZAK", "Zak", "Khan", "2012-11-02", sex="M")], "zak.jsonl")
    assert result.status == "linked"
    assert result.person_id == before["health:H-ZAK"]
    assert result.household_id == households["health:H-ZAK"]
    assert {u: p for u, p in person_of(db).items() if u in before} == before


def test_push_that_bridges_two_people_merges_them_and_journals_it(db: Database, tmp_path: Path) -> None:
    load(db, tmp_path, [rec("health", "H1", "Zakariya", "Khan", "2012-11-02", identifiers={"nhs_number": "9434765919"}),
                        rec("police", "P1", "Zak", "Khan", None, addresses=[], phones=["07700 900999"])])
    resolve(db, tmp_path)
    first = person_of(db)
    assert first["health:H1"] != first["police:P1"]
    [result] = push(db, tmp_path, [rec("social_care", "S1", "Zakariya", "Khan", "2012-11-02", phones=["07700 900999"],
                                       identifiers={"nhs_number": "9434765919"})], "bridge.jsonl")
    after = person_of(db)
    assert after["health:H1"] == after["police:P1"] == after["social_care:S1"] == result.person_id
    assert result.status == "merged"
    rows, _, _ = db.driver.execute_query("MATCH (e:IdentityEvent {kind: 'merged'}) RETURN e.from_ids AS f, e.to_ids AS t")
    assert rows and rows[-1]["t"] == [result.person_id]


def test_concurrent_pushes_do_not_duplicate_people(db: Database, tmp_path: Path) -> None:
    records = [rec(src, f"{src}-{n}", "Ella", "Ng", "2016-05-20", sex="F", identifiers={"nhs_number": "9434765919"})
               for n, src in enumerate(["health", "education", "social_care", "police", "housing", "health"])]
    load(db, tmp_path, records)
    resolver = IncrementalResolver(db, ResolveOptions(model_path=tmp_path / "model.json"))
    errors: list[BaseException] = []

    def work(uid: str) -> None:
        try:
            resolver.resolve(uid)
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(f"{r['source']}:{r['source_id']}",)) for r in records]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    people = person_of(db)
    assert len(people) == len(records) and len(set(people.values())) == 1
    rows, _, _ = db.driver.execute_query(
        "MATCH (p:Person {status: 'active'}) RETURN count(p) AS n, sum(COUNT { (p)<-[:RESOLVES_TO]-() }) AS links")
    assert rows[0]["n"] == 1 and rows[0]["links"] == len(records)


def test_push_takes_the_full_runs_candidates_skipping_keys_over_their_cap(db: Database, tmp_path: Path) -> None:
    # 61 Smiths born in 2012, each with another given name, date and address: with the pushed one, the key surname
    # sound + birth year holds 62 records, over its rule's cap (60). Only the one who shares the pushed record's
    # given name (surname + given-name group) is a candidate, in the full run's blocking as in the push.
    givens = [f"{first}{second}" for first in ("Al", "Bo", "Cy", "Di", "Ed", "Fa", "Gu", "Ha") for second in
              ("ma", "ne", "ri", "to", "vu", "xo", "ye", "zi")]
    common = [rec("health", f"H{n}", givens[n], "Smith", f"2012-{1 + n % 12:02d}-{1 + n % 27:02d}",
                  addresses=[{"line1": f"{n} Mill Lane", "postcode": "LS6 2AB"}]) for n in range(61)]
    pushed = rec("police", "P1", givens[0], "Smith", "2012-12-31",
                 addresses=[{"line1": "1 Elm Way", "postcode": "LS2 7AB"}])
    load(db, tmp_path, common)
    [result] = push(db, tmp_path, [pushed], "pushed.jsonl")
    everyone = [features_from_record(r) for r in [*common, pushed]]
    pairs, _, report = candidate_pairs(everyone)
    full = {everyone[j if i == len(common) else i].uid for i, j in pairs.tolist() if len(common) in (i, j)}
    assert report.capped_blocks.get("phonetic_surname_birth_year") == 1
    assert full == {"health:H0"}
    assert result.candidates == len(full)
    rows, _, _ = db.driver.execute_query("MATCH (:Record {uid: 'police:P1'})-[:SIMILAR_TO]-(o:Record) "
                                         "RETURN collect(o.uid) AS others")
    assert set(rows[0]["others"]) <= full


def test_real_time_reads_give_the_same_feature_rows_as_fetch_records_by_uid(db: Database, tmp_path: Path) -> None:
    # The real-time statements repeat resolve/fetch_records_by_uid's row (one statement per file): they must not drift.
    load(db, tmp_path, family_records())
    resolve(db, tmp_path)
    people = person_of(db)
    uids = sorted(people)
    reference = {row["uid"]: row for row in db.run("resolve/fetch_records_by_uid", {"uids": uids})}
    known = {"givens": {}, "families": {}}
    candidates = db.run("resolve/incremental_candidates", {"uid": uids[0], "caps": _CAPS, "limit": 500,
                                                           "known_counts": known})[0]["rows"]
    around = db.run("resolve/incremental_component", {"input": {
        "person_ids": sorted(set(people.values())), "address_keys": [], "known": [], "counted_givens": [],
        "counted_families": []}})[0]["rows"]
    record = prepare(family_records()[0])
    matched = db.run("resolve/candidates_for_values", {"input": {
        "identifiers": [], "phones": [p["e164"] for p in record.phones], "emails": [], "addresses": [],
        "family_phonetic": record.props["family_phonetic"], "dob": record.props["dob"],
        "family_norm": record.props["family_norm"], "given_groups": record.props["given_groups"],
        "given_norm": record.props["given_norm"], "caps": _CAPS, "limit": 500, "known_counts": known}})[0]["rows"]
    for rows in (candidates, around, matched):
        assert len(rows) > 1
        for row in rows:
            assert set(row) == set(reference[row["uid"]])
            assert features_from_row(row) == features_from_row(reference[row["uid"]]), row["uid"]
            assert row["person_id"] == reference[row["uid"]]["person_id"] == people[row["uid"]]


def test_a_pushed_records_links_are_explained_field_by_field(db: Database, tmp_path: Path) -> None:
    from resolvers.link_evidence import decode_explanation
    from resolvers.model import LinkageModel
    from resolvers.pipeline import DEFAULT_MODEL

    load(db, tmp_path, family_records())
    resolve(db, tmp_path)
    push(db, tmp_path, [rec("social_care", "S-ZAK", "Zak", "Khan", "2012-11-02", sex="M")], "zak.jsonl")
    rows, _, _ = db.driver.execute_query(
        "MATCH (:Record {uid: 'social_care:S-ZAK'})-[s:SIMILAR_TO]-(o:Record) "
        "RETURN o.uid AS other, s.weight AS weight, s.explanation AS explanation")
    by_other = {row["other"]: row for row in rows}
    assert {"health:H-ZAK", "education:P-ZAK"} <= set(by_other)
    prior = LinkageModel.load(DEFAULT_MODEL).prior_weight  # 14 records: the shipped model
    for row in rows:
        items = decode_explanation(row["explanation"])
        assert [e["comparison"] for e in items][:3] == ["given_name", "family_name", "dob"]
        # Real time folds the names' frequency into each name's weight: the items add up to the edge's weight.
        assert abs(prior + sum(e["weight"] for e in items) - row["weight"]) < 0.001 * (len(items) + 1)
    assert {e["comparison"]: e["level"] for e in decode_explanation(by_other["health:H-ZAK"]["explanation"])}["dob"] \
        == "exact"
