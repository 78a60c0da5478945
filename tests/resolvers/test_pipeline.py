"""Full resolution against the real Neo4j on hand-made hard cases."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from graph_model.db import Database
from resolvers.clustering import components_igraph, components_networkx
from resolvers.pipeline import ResolveOptions, _Background, gds_components, resolve_all, stable_ids
from tests.resolvers.helpers import household_of, load, person_of, resolve

HOME = {"line1": "10 High Street", "town": "Leeds", "postcode": "LS6 2AB"}
NEW_HOME = {"line1": "5 Oak Road", "town": "Leeds", "postcode": "LS7 1AA", "from": "2025-06-01"}


def rec(source: str, source_id: str, given: str, family: str, dob: str | None = None, **extra: Any) -> dict[str, Any]:
    record = {"source": source, "source_id": source_id, "given_name": given, "family_name": family, "dob": dob}
    if "addresses" not in extra:
        record["addresses"] = [HOME]
    record.update(extra)
    return record


def family_records() -> list[dict[str, Any]]:
    """The Khan family at 10 High Street, as five agencies hold it."""
    landline = "0113 496 0000"
    return [
        # Mother Sara: health, housing, education contact (no dob).
        rec("health", "H-SARA", "Sara", "Khan", "1985-03-12", sex="F", phones=["07700 900111", landline]),
        rec("housing", "T-SARA", "Sarah", "Khan", "12/03/1985", sex="F", phones=[landline]),
        rec("education", "C-SARA", "Sara", "Khan", None, phones=["07700 900111"],
            relationships=[{"type": "parent_of", "source_id": "P-AVA"}, {"type": "parent_of", "source_id": "P-ZAK"}]),
        # Father Daniel and son Daniel (junior): same full name and address.
        rec("health", "H-DAN", "Daniel", "Khan", "1983-07-01", sex="M", phones=["07700 900222"]),
        rec("police", "N-DAN", "Dan", "Khan", "1983-07-01", sex="M", identifiers={"pnc_id": "05/0012345P"}),
        rec("health", "H-DANJR", "Daniel", "Khan", "2009-07-01", sex="M"),
        rec("social_care", "S-DANJR", "Daniel", "Khan", "2009-01-07", sex="M"),  # day/month swapped
        # Twins Ava and Ella: same dob, surname, address.
        rec("health", "H-AVA", "Ava", "Khan", "2016-05-20", sex="F"),
        rec("education", "P-AVA", "Ava", "Khan", "2016-05-20", sex="F", school={"urn": "107999", "name": "Meanwood"}),
        rec("health", "H-ELLA", "Ella", "Khan", "2016-05-20", sex="F"),
        rec("education", "P-ELLA", "Ella", "Khan", "2016-05-20", sex="F", school={"urn": "107999", "name": "Meanwood"}),
        # Zak, with a nickname at school.
        rec("health", "H-ZAK", "Zakariya", "Khan", "2012-11-02", sex="M"),
        rec("education", "P-ZAK", "Zak", "Khan", "2012-11-02", sex="M", school={"urn": "107999", "name": "Meanwood"}),
    ]


TRUTH = {
    "sara": ["health:H-SARA", "housing:T-SARA", "education:C-SARA"],
    "dan": ["health:H-DAN", "police:N-DAN"],
    "danjr": ["health:H-DANJR", "social_care:S-DANJR"],
    "ava": ["health:H-AVA", "education:P-AVA"],
    "ella": ["health:H-ELLA", "education:P-ELLA"],
    "zak": ["health:H-ZAK", "education:P-ZAK"],
}


def assert_partition(people: dict[str, str], truth: dict[str, list[str]]) -> None:
    for name, uids in truth.items():
        assert len({people[u] for u in uids}) == 1, f"{name}'s records were not merged"
    persons = [people[uids[0]] for uids in truth.values()]
    assert len(set(persons)) == len(persons), "different people were merged"


def test_family_resolves_into_people_and_one_household(db: Database, tmp_path: Path) -> None:
    load(db, tmp_path, family_records())
    summary = resolve(db, tmp_path)
    people = person_of(db)
    assert_partition(people, TRUTH)
    assert summary.people == 6
    households = household_of(db)
    assert len(set(households.values())) == 1
    assert summary.households == 1


def test_gds_networkx_and_igraph_components_give_the_same_people(db: Database, tmp_path: Path) -> None:
    load(db, tmp_path, family_records())
    gds = resolve(db, tmp_path, component_engine="gds")
    by_gds = person_of(db)
    nx = resolve(db, tmp_path, component_engine="networkx")
    by_nx = person_of(db)
    in_memory = resolve(db, tmp_path, component_engine="igraph")
    by_igraph = person_of(db)
    default = resolve(db, tmp_path)
    assert gds.component_engine == "gds" and nx.component_engine == "networkx"
    assert in_memory.component_engine == "igraph"
    assert default.component_engine == "gds"  # the test server has GDS: the design's engine where present
    assert gds.components == nx.components == in_memory.components == default.components
    assert by_gds == by_nx == by_igraph == person_of(db)  # ids are stable too, so the mappings are equal


def test_in_memory_components_are_the_connected_components() -> None:
    rng = np.random.default_rng(3)
    edges = rng.integers(0, 3000, size=(2500, 2))
    assert _same_partition(components_igraph(3000, edges), components_networkx(3000, map(tuple, edges.tolist())))
    assert _same_partition(components_igraph(4, np.zeros((0, 2), dtype=np.int64)), np.arange(4))


def test_gds_components_from_record_positions_are_the_connected_components(db: Database) -> None:
    rng = np.random.default_rng(5)
    edges = rng.integers(0, 3000, size=(2500, 2))
    by_gds = gds_components(db, 3000, edges)
    assert _same_partition(by_gds, components_networkx(3000, map(tuple, edges.tolist())))
    assert _same_partition(gds_components(db, 4, np.zeros((0, 2), dtype=np.int64)), np.arange(4))
    graphs, _, _ = db.driver.execute_query("CALL gds.graph.list() YIELD graphName RETURN graphName")
    assert not [g for g in graphs if g["graphName"].startswith("mashgraph-links-")]  # projections are dropped


def _same_partition(a: np.ndarray, b: np.ndarray) -> bool:
    pairs = set(zip(a.tolist(), b.tolist(), strict=True))
    return len(pairs) == len(set(a.tolist())) == len(set(b.tolist()))


def test_a_background_write_stops_at_its_next_batch_when_abandoned_and_reports_its_error() -> None:
    batches: list[int] = []
    started = threading.Event()

    def writer(stop: threading.Event) -> int:
        while not stop.is_set():
            batches.append(len(batches))
            started.set()
            time.sleep(0.01)
        return len(batches)

    background = _Background(writer)
    started.wait(5)
    background.abandon()
    written = len(batches)
    time.sleep(0.05)
    assert written >= 1 and len(batches) == written  # nothing after abandon returned

    def failing(stop: threading.Event) -> None:
        raise ValueError("write failed")

    with pytest.raises(ValueError, match="write failed"):
        _Background(failing).finish()


def test_edges_are_all_written_when_a_run_returns_and_the_leiden_and_gds_paths_read_them(
        db: Database, tmp_path: Path) -> None:
    load(db, tmp_path, family_records())
    for options in ({}, {"component_engine": "gds"}, {"clustering": "leiden"}):
        summary = resolve(db, tmp_path, **options)
        rows, _, _ = db.driver.execute_query("MATCH (:Record)-[s:SIMILAR_TO]->(:Record) RETURN count(s) AS n")
        assert rows[0]["n"] == summary.edges > 0
        assert summary.seconds.keys() >= {"edges", "edges_written", "people"}
        assert_partition(person_of(db), TRUTH)


@pytest.mark.parametrize("clustering", ["constrained", "leiden"])
def test_cannot_links_are_never_inside_a_person(db: Database, tmp_path: Path, clustering: str) -> None:
    load(db, tmp_path, family_records())
    resolve(db, tmp_path, clustering=clustering)
    rows, _, _ = db.driver.execute_query(
        "MATCH (a:Record)-[s:SIMILAR_TO]->(b:Record) WHERE s.cannot_link IS NOT NULL "
        "MATCH (a)-[:RESOLVES_TO]->(p:Person)<-[:RESOLVES_TO]-(b) RETURN count(*) AS n")
    assert rows[0]["n"] == 0
    rows, _, _ = db.driver.execute_query(
        "MATCH (a:Record)-[:RELATED]-(b:Record) MATCH (a)-[:RESOLVES_TO]->(p:Person)<-[:RESOLVES_TO]-(b) "
        "RETURN count(*) AS n")
    assert rows[0]["n"] == 0


def test_links_are_explained_field_by_field(db: Database, tmp_path: Path) -> None:
    from resolvers.link_evidence import decode_explanation
    from resolvers.model import LinkageModel
    from resolvers.pipeline import DEFAULT_MODEL

    load(db, tmp_path, family_records())
    resolve(db, tmp_path)
    rows, _, _ = db.driver.execute_query(
        "MATCH (:Record {uid: 'health:H-ZAK'})-[s:SIMILAR_TO]-(:Record {uid: 'education:P-ZAK'}) "
        "RETURN s.weight AS weight, s.probability AS p, s.explanation AS explanation, s.rules AS rules")
    row = rows[0]
    assert len(row["explanation"]) < 120  # one block of Neo4j's string store, not JSON's six
    items = decode_explanation(row["explanation"])
    explanation = {e["comparison"]: e for e in items}
    assert explanation["given_name"]["level"] == "nickname"
    assert explanation["dob"]["level"] == "exact"
    # The items (names' frequency adjustment included) add up to the edge's weight with the model's prior.
    prior = LinkageModel.load(DEFAULT_MODEL).prior_weight  # 13 records: the shipped model
    assert abs(prior + sum(e["weight"] for e in items) - row["weight"]) < 0.001 * (len(items) + 1)
    assert row["p"] > 0.9
    assert "dob_initial" in row["rules"] or "dob_surname_initial" in row["rules"]


def test_person_ids_are_stable_when_a_record_is_added_or_removed(db: Database, tmp_path: Path) -> None:
    load(db, tmp_path, family_records())
    resolve(db, tmp_path)
    before = person_of(db)
    load(db, tmp_path, [rec("social_care", "S-ZAK", "Zak", "Khan", "2012-11-02", sex="M")], name="more.jsonl")
    resolve(db, tmp_path)
    after = person_of(db)
    assert after["social_care:S-ZAK"] == before["health:H-ZAK"]
    assert {u: after[u] for u in before} == before
    db.driver.execute_query("MATCH (r:Record {uid: 'education:P-AVA'}) DETACH DELETE r")
    resolve(db, tmp_path)
    again = person_of(db)
    assert again["health:H-AVA"] == before["health:H-AVA"]


def test_household_ids_are_stable_across_re_runs(db: Database, tmp_path: Path) -> None:
    # Practitioners' systems keep household ids: a re-run, and a re-run after a new member's record
    # arrives, must keep them (the memberships are read before the run clears its assignments).
    load(db, tmp_path, family_records())
    resolve(db, tmp_path)
    before = household_of(db)
    assert before and len(set(before.values())) == 1
    resolve(db, tmp_path)
    assert household_of(db) == before
    load(db, tmp_path, [rec("social_care", "S-ZAK", "Zak", "Khan", "2012-11-02", sex="M")], name="more.jsonl")
    resolve(db, tmp_path)
    after = household_of(db)
    assert after["social_care:S-ZAK"] == before["health:H-ZAK"]
    assert {u: after[u] for u in before} == before
    rows, _, _ = db.driver.execute_query(
        "MATCH (h:Household) OPTIONAL MATCH (h)-[:AT]->(a:Address) RETURN h.id AS id, h.size AS size, "
        "count(a) AS addresses")
    assert [(r["id"], r["addresses"]) for r in rows] == [(before["health:H-ZAK"], 1)]


def _assignments(db: Database) -> dict[str, Any]:
    """Every RESOLVES_TO, MEMBER_OF and AT link by elementId with its ends, and when each person and household was
    last updated: a link deleted and created again has a new elementId."""
    links, _, _ = db.driver.execute_query(
        "MATCH (a)-[x:RESOLVES_TO|MEMBER_OF|AT]->(b) "
        "RETURN elementId(x) AS link, type(x) AS type, coalesce(a.uid, a.id) AS start, coalesce(b.id, b.key) AS end, "
        "x.evidence AS evidence")
    nodes, _, _ = db.driver.execute_query(
        "MATCH (n) WHERE n:Person OR n:Household RETURN n.id AS id, n.updated_at AS updated_at, n.status AS status")
    return {"links": {r["link"]: (r["type"], r["start"], r["end"], r["evidence"]) for r in links},
            "updated": {r["id"]: (r["updated_at"], r["status"]) for r in nodes}}


def test_a_re_run_where_nothing_changed_writes_no_link_and_no_node_again(db: Database, tmp_path: Path) -> None:
    load(db, tmp_path, family_records())
    resolve(db, tmp_path)
    before = _assignments(db)
    assert {t for t, *_ in before["links"].values()} == {"RESOLVES_TO", "MEMBER_OF", "AT"}
    resolve(db, tmp_path)
    assert _assignments(db) == before


def test_a_re_run_moves_only_the_links_that_changed(db: Database, tmp_path: Path) -> None:
    # The father's records first place him with the family; then two agencies record his move: he leaves the
    # household (a new one at his new address), Zak gains a record, and everything else keeps its links.
    records = [
        rec("health", "H-MUM", "Amy", "Reed", "1990-01-01", phones=["0113 496 0001"]),
        rec("health", "H-KID", "Leo", "Reed", "2018-02-02", phones=["0113 496 0001"]),
        rec("education", "P-KID", "Leo", "Reed", "2018-02-02"),
        rec("health", "H-DAD", "Tom", "Reed", "1988-04-04"),
        rec("police", "N-DAD", "Tom", "Reed", "1988-04-04"),
    ]
    load(db, tmp_path, records)
    resolve(db, tmp_path)
    before = _assignments(db)
    households = household_of(db)
    assert len(set(households.values())) == 1
    family = households["health:H-MUM"]
    moved_out = [NEW_HOME, {**HOME, "to": "2025-05-31"}]
    load(db, tmp_path, [rec("health", "H-DAD", "Tom", "Reed", "1988-04-04", addresses=moved_out),
                        rec("police", "N-DAD", "Tom", "Reed", "1988-04-04", addresses=[NEW_HOME]),
                        rec("housing", "T-KID", "Leo", "Reed", "2018-02-02")], name="moved.jsonl")
    resolve(db, tmp_path)
    after = _assignments(db)
    households = household_of(db)
    people = person_of(db)
    assert households["health:H-MUM"] == households["housing:T-KID"] == family
    assert households["health:H-DAD"] != family
    assert people["housing:T-KID"] == people["health:H-KID"]
    kept = {link for link, (kind, start, *_) in before["links"].items()
            if kind == "RESOLVES_TO" or start != people["health:H-DAD"]}
    # Every link that still holds is the same relationship as before; the father's membership is a new one.
    assert kept <= set(after["links"])
    assert {after["links"][link] for link in kept} == {before["links"][link] for link in kept}
    new = {after["links"][link] for link in set(after["links"]) - kept}
    assert ("RESOLVES_TO", "housing:T-KID", people["health:H-KID"], None) in new
    assert [(kind, end) for kind, start, end, _ in new if start == people["health:H-DAD"]] == [
        ("MEMBER_OF", households["health:H-DAD"])]
    # One person per record, one household per person, one address per household; the family's size changed.
    rows, _, _ = db.driver.execute_query(
        "MATCH (r:Record) RETURN COUNT { (r)-[:RESOLVES_TO]->() } AS n UNION ALL "
        "MATCH (p:Person {status: 'active'}) RETURN COUNT { (p)-[:MEMBER_OF]->() } AS n UNION ALL "
        "MATCH (h:Household) RETURN COUNT { (h)-[:AT]->() } AS n")
    assert {r["n"] for r in rows} == {1}
    rows, _, _ = db.driver.execute_query("MATCH (h:Household {id: $id}) RETURN h.size AS size", id=family)
    assert rows[0]["size"] == 2
    assert before["updated"][people["health:H-MUM"]] == after["updated"][people["health:H-MUM"]]
    assert before["updated"][people["health:H-KID"]] != after["updated"][people["health:H-KID"]]  # one more record


def _similarity(db: Database) -> dict[str, tuple[Any, ...]]:
    rows, _, _ = db.driver.execute_query(
        "MATCH (a:Record)-[s:SIMILAR_TO]->(b:Record) RETURN elementId(s) AS id, a.uid AS a, b.uid AS b, "
        "s.weight AS weight, s.probability AS probability, s.explanation AS explanation, s.rules AS rules, "
        "s.cannot_link AS cannot_link")
    return {r["id"]: (r["a"], r["b"], r["weight"], r["probability"], r["explanation"], tuple(r["rules"] or ()),
                      r["cannot_link"]) for r in rows}


def test_a_re_run_keeps_the_similarity_edges_it_finds_again_and_mends_the_rest(db: Database, tmp_path: Path) -> None:
    load(db, tmp_path, family_records())
    resolve(db, tmp_path)
    before = _similarity(db)
    assert len(before) >= 3
    resolve(db, tmp_path)
    assert _similarity(db) == before  # nothing changed: every edge is the same relationship, untouched
    changed, removed, *_ = sorted(before)
    db.driver.execute_query("MATCH ()-[s]->() WHERE elementId(s) = $id SET s.weight = 99.0, s.rules = ['x']", id=changed)
    db.driver.execute_query("MATCH ()-[s]->() WHERE elementId(s) = $id DELETE s", id=removed)
    a, b = before[changed][:2]
    db.driver.execute_query(  # the same pair the wrong way round: not an edge a run writes
        "MATCH (a:Record {uid: $a}), (b:Record {uid: $b}) CREATE (b)-[:SIMILAR_TO {weight: 1.0}]->(a)", a=a, b=b)
    resolve(db, tmp_path)
    after = _similarity(db)
    assert after[changed] == before[changed]  # set back on the same relationship
    assert before[removed] in set(after.values())  # written again (its id may be reused)
    others = {k: v for k, v in before.items() if k != removed}
    assert {k: v for k, v in after.items() if k in others} == others  # every other edge kept as it was
    assert sorted(after.values()) == sorted(before.values())  # the reversed edge is gone


def test_people_whose_records_were_deleted_leave_their_household(db: Database, tmp_path: Path) -> None:
    load(db, tmp_path, family_records())
    resolve(db, tmp_path)
    people = person_of(db)
    db.driver.execute_query("MATCH (r:Record) WHERE r.uid IN ['health:H-ZAK', 'education:P-ZAK'] DETACH DELETE r")
    resolve(db, tmp_path)
    rows, _, _ = db.driver.execute_query(
        "MATCH (p:Person {id: $id}) RETURN COUNT { (p)-[:MEMBER_OF]->() } AS households", id=people["health:H-ZAK"])
    assert rows[0]["households"] == 0


def test_merge_and_split_are_journaled(db: Database, tmp_path: Path) -> None:
    # Zak's two records start apart (no shared key), then a record that links them arrives.
    load(db, tmp_path, [rec("health", "H1", "Zakariya", "Khan", "2012-11-02", identifiers={"nhs_number": "9434765919"}),
                        rec("education", "E1", "Zak", "Khan", None, addresses=[NEW_HOME])])
    resolve(db, tmp_path)
    first = person_of(db)
    if first["health:H1"] == first["education:E1"]:
        pytest.skip("the two records already link on this model")
    load(db, tmp_path, [rec("education", "E1", "Zak", "Khan", "2012-11-02", addresses=[HOME],
                            identifiers={"nhs_number": "9434765919"})], name="update.jsonl")
    resolve(db, tmp_path)
    second = person_of(db)
    assert second["health:H1"] == second["education:E1"]
    retired = ({first["health:H1"], first["education:E1"]} - {second["health:H1"]}).pop()
    rows, _, _ = db.driver.execute_query(
        "MATCH (old:Person {id: $id})-[:SUCCEEDED_BY]->(new:Person) RETURN old.status AS status, new.id AS new",
        id=retired)
    assert rows[0]["status"] == "merged" and rows[0]["new"] == second["health:H1"]


def test_moved_family_stays_one_household(db: Database, tmp_path: Path) -> None:
    # Health has the new address with a move-in date; education still holds the old one.
    records = [
        rec("health", "H-MUM", "Amy", "Reed", "1990-01-01", addresses=[NEW_HOME, {**HOME, "to": "2025-05-31"}]),
        rec("education", "C-MUM", "Amy", "Reed", None, addresses=[HOME], phones=["07700 900333"]),
        rec("health", "H-KID", "Leo", "Reed", "2018-02-02", addresses=[NEW_HOME, {**HOME, "to": "2025-05-31"}]),
        rec("education", "P-KID", "Leo", "Reed", "2018-02-02", addresses=[HOME]),
    ]
    load(db, tmp_path, records)
    resolve(db, tmp_path)
    households = household_of(db)
    assert len(set(households.values())) == 1
    rows, _, _ = db.driver.execute_query("MATCH (h:Household)-[:AT]->(a:Address) RETURN a.postcode AS postcode")
    assert [r["postcode"] for r in rows] == ["LS7 1AA"]


def test_split_family_gives_two_households(db: Database, tmp_path: Path) -> None:
    records = [
        rec("health", "H-MUM", "Amy", "Reed", "1990-01-01"),
        rec("health", "H-KID", "Leo", "Reed", "2018-02-02"),
        rec("health", "H-DAD", "Tom", "Reed", "1988-04-04", addresses=[NEW_HOME, {**HOME, "to": "2025-05-31"}]),
        rec("housing", "T-DAD", "Tom", "Reed", "1988-04-04", addresses=[NEW_HOME]),
        rec("police", "N-DAD", "Tom", "Reed", "1988-04-04"),  # police still hold the family home
    ]
    load(db, tmp_path, records)
    summary = resolve(db, tmp_path)
    households = household_of(db)
    assert households["health:H-MUM"] == households["health:H-KID"]
    assert households["health:H-DAD"] != households["health:H-MUM"]
    # The father's records place him in both homes: flagged for analysts, member of one household only.
    assert summary.flagged_several_households == 1
    rows, _, _ = db.driver.execute_query(
        "MATCH (:Record {uid: 'health:H-DAD'})-[:RESOLVES_TO]->(p:Person) "
        "RETURN p.flags AS flags, COUNT { (p)-[:MEMBER_OF]->() } AS households")
    assert rows[0]["flags"] == ["linked_to_several_households"] and rows[0]["households"] == 1


def test_plain_components_is_available_for_comparison(db: Database, tmp_path: Path) -> None:
    load(db, tmp_path, family_records())
    constrained = resolve(db, tmp_path)
    components = resolve(db, tmp_path, clustering="components")
    assert components.people <= constrained.people


def test_a_postcode_from_abroad_is_compared_from_the_graph(db: Database, tmp_path: Path) -> None:
    """A family newly arrived from Ireland: two agencies spell the street differently and only the
    Eircode agrees. Resolution reads the token back from the graph (full run and explain) and the
    location comparison sees one postcode; a different Eircode is no such evidence."""
    from resolvers.explain import explain_pair
    from resolvers.pipeline import fetch_features

    abroad = {"line1": "12 Main Street", "town": "Dublin", "postcode": "D02 X285"}
    load(db, tmp_path, [
        rec("health", "H-CIAN", "Cian", "Byrne", "2014-02-03", addresses=[abroad]),
        rec("education", "P-CIAN", "Cian", "Byrne", "2014-02-03",
            addresses=[{"line1": "12 Mian Stret", "town": "Dublin 2", "postcode": "d02x285"}]),
        rec("police", "N-CIAN", "Cian", "Byrne", "2014-02-03",
            addresses=[{"line1": "4 Quay Road", "town": "Cork", "postcode": "T12 AB34"}]),
    ])
    features = {f.uid: f for f in fetch_features(db)}
    assert features["health:H-CIAN"].other_postcodes == {"D02X285"}
    assert features["health:H-CIAN"].postcodes == frozenset()  # never a UK postcode
    resolve(db, tmp_path)
    same = explain_pair(db, "health:H-CIAN", "education:P-CIAN", tmp_path / "model.json")
    other = explain_pair(db, "health:H-CIAN", "police:N-CIAN", tmp_path / "model.json")
    assert {c["comparison"]: c["level"] for c in same.contributions}["location"] == "same_postcode"
    assert {c["comparison"]: c["level"] for c in other.contributions}["location"] == "else"


def test_a_run_makes_full_collections_rare_and_restores_the_thresholds(db: Database, tmp_path: Path) -> None:
    import gc

    from graph_model.gc_policy import BATCH_GC_THRESHOLDS

    load(db, tmp_path, family_records())
    before = gc.get_threshold()
    seen: list[tuple[int, ...]] = []
    resolve_all(db, ResolveOptions(model_path=tmp_path / "model.json"), on_stage=lambda _s: seen.append(gc.get_threshold()))
    assert seen and set(seen) == {BATCH_GC_THRESHOLDS} != {before}
    assert gc.get_threshold() == before and gc.isenabled()


def test_the_records_read_for_a_run_are_built_without_collections_and_kept_out_of_the_collectors_sight(
        db: Database, tmp_path: Path) -> None:
    import gc

    load(db, tmp_path, family_records())
    frozen_before = gc.get_freeze_count()
    at_stage: dict[str, tuple[int, bool]] = {}
    collections: list[str] = []
    stage_now = [""]

    def collected(phase: str, _info: dict[str, int]) -> None:
        if phase == "start":
            collections.append(stage_now[0])

    def on_stage(name: str) -> None:
        stage_now[0] = name
        at_stage[name] = (gc.get_freeze_count(), gc.isenabled())

    gc.callbacks.append(collected)
    try:
        gc.collect()
        collections.clear()
        resolve_all(db, ResolveOptions(model_path=tmp_path / "model.json"), on_stage=on_stage)
    finally:
        gc.callbacks.remove(collected)
    assert "fetch" not in collections  # no collection while the features are built
    # After the read the features are frozen (out of every collection's walk), the collector runs again ...
    frozen, enabled = at_stage["blocking"]
    assert frozen > frozen_before and enabled
    # ... and the run's end gives them back to it.
    assert gc.get_freeze_count() == frozen_before and gc.isenabled()


def test_collections_paused_outside_a_batch_job_only_pauses() -> None:
    import gc

    from graph_model.gc_policy import collections_paused

    frozen_before = gc.get_freeze_count()
    with collections_paused():
        assert not gc.isenabled()
        with collections_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the outer pause still holds
    assert gc.isenabled() and gc.get_freeze_count() == frozen_before
    gc.disable()
    try:
        with collections_paused():
            pass
        assert not gc.isenabled()  # as it was before
    finally:
        gc.enable()


def test_records_read_for_a_run_share_one_parsed_date_per_date_of_birth(db: Database, tmp_path: Path) -> None:
    from graph_model.normalise import parse_date
    from resolvers.pipeline import fetch_features

    load(db, tmp_path, family_records())
    features = fetch_features(db)
    sara = [f for f in features if f.uid in ("health:H-SARA", "housing:T-SARA")]
    assert len(sara) == 2 and sara[0].dob is sara[1].dob
    for feature in features:
        stored = feature.dob.value
        assert feature.dob == parse_date(stored)
    assert len({id(f.dob) for f in features}) == len({f.dob.value for f in features})


@pytest.mark.parametrize("size", [0, 1, 2, 7, 5000])
def test_distinct_values_are_numpy_unique_without_its_hash_table(size: int) -> None:
    import numpy as np

    from resolvers.blocking import distinct_sorted

    values = np.random.default_rng(size).integers(0, max(size // 3, 1), size, dtype=np.int64)
    expected = np.unique(values)
    assert np.array_equal(distinct_sorted(values), expected)


def test_element_ids_read_for_a_run_are_the_records_own_in_uid_order(db: Database, tmp_path: Path) -> None:
    from resolvers.pipeline import fetch_records

    load(db, tmp_path, family_records())
    features, element_ids, previous = fetch_records(db)
    assert previous.person_of == {} and previous.household_of == {}  # never resolved
    stored = {row["uid"]: row["element_id"] for row in db.driver.execute_query(
        "MATCH (r:Record) WHERE r.stub IS NULL RETURN r.uid AS uid, elementId(r) AS element_id",
        database_=db.database).records}
    assert [f.uid for f in features] == sorted(stored)
    assert element_ids.of(list(range(len(features)))) == [stored[f.uid] for f in features]
    assert element_ids.strings is None  # Neo4j's shape (prefix:number) is kept compactly


def test_a_run_reads_the_people_and_households_the_records_resolved_to_with_the_records(
        db: Database, tmp_path: Path) -> None:
    from resolvers.pipeline import fetch_records

    load(db, tmp_path, family_records())
    resolve_all(db, ResolveOptions(model_path=tmp_path / "model.json"))
    _features, _element_ids, previous = fetch_records(db)
    rows = db.driver.execute_query(
        "MATCH (r:Record)-[:RESOLVES_TO]->(p:Person) OPTIONAL MATCH (p)-[:MEMBER_OF]->(h:Household) "
        "RETURN r.uid AS uid, p.id AS person, h.id AS household", database_=db.database).records
    assert previous.person_of == {row["uid"]: row["person"] for row in rows} and len(rows) == len(family_records())
    assert previous.household_of == {row["person"]: row["household"] for row in rows if row["household"]}
    assert previous.household_of


def test_records_are_fetched_many_to_a_row_with_the_features_fetch_by_uid_gives(db: Database, tmp_path: Path) -> None:
    from resolvers.features import COLUMNS, SharedValues, features_from_row, features_from_values

    records = family_records()
    load(db, tmp_path, records)
    rows = db.run("resolve/fetch_records", {"batch_size": 5})
    # 13 records, 5 a row: one Bolt message carries many records (the driver's cost is per message).
    assert [len(row["records"]) for row in rows] == [5, 5, 3]
    fetched = {values[0]: values for row in rows for values in row["records"]}
    assert len(fetched) == len(records)
    by_uid = db.run("resolve/fetch_records_by_uid", {"uids": sorted(fetched)})
    assert len(by_uid) == len(records)
    for row in by_uid:
        values = fetched[row["uid"]]
        # The values, then the elementId and the ids of the person and household (none before a first resolve).
        assert len(values) == len(COLUMNS) + 3 and values[-3].startswith("4:") and values[-2:] == [None, None]
        assert features_from_values(values[:-3]) == features_from_row(row), row["uid"]
    # Read together, as a full run reads them, records share what they read alike (a family's address lists,
    # built once) and each gets the features it gets read alone.
    shared = SharedValues()
    together = [features_from_values(values[:-3], shared) for values in fetched.values()]
    assert together == [features_from_values(values[:-3]) for values in fetched.values()]
    histories = [f.address_history for f in together if f.address_history]
    assert len({id(h) for h in histories}) == len(set(histories)) < len(histories)


@pytest.mark.parametrize("ids", [["4:db:7", "4:db:12", "4:db:3"], ["4:db:7", "other-shape", "4:db:07"]])
def test_element_ids_give_back_what_was_read_in_the_new_order(ids: list[str]) -> None:
    import numpy as np

    from resolvers.pipeline import ElementIds

    element_ids = ElementIds()
    for element_id in ids:
        element_ids.append(element_id)
    element_ids.reorder(np.array([2, 0, 1]))
    assert element_ids.of([0, 1, 2]) == [ids[2], ids[0], ids[1]]
    assert element_ids.of(np.array([1])) == [ids[0]]


def test_ids_minted_in_one_run_are_distinct_and_old_ids_are_kept() -> None:
    groups = {label: [f"s:{label}-{k}" for k in range(label % 3 + 1)] for label in range(5000)}
    ids, events = stable_ids(groups, {}, "per_")
    assert len(set(ids.values())) == 5000
    assert all(len(i) == 20 and i.startswith("per_") and int(i[4:], 16) >= 0 for i in ids.values())
    assert [e["kind"] for e in events] == ["created"] * 5000
    old = {member: ids[label] for label, members in groups.items() for member in members}
    groups[5000] = ["s:new"]
    again, events = stable_ids(groups, old, "per_")
    assert all(again[label] == ids[label] for label in ids) and again[5000] not in ids.values()
    assert events == [{"kind": "created", "from_ids": [], "to_ids": [again[5000]], "records": 1}]
