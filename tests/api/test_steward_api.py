"""The data steward's workflow through the API: the review queue, decisions that survive every later
resolution, revoking them, and old person ids that follow merges and splits. Real Neo4j, real resolution."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from neo4j import Driver

from api.config import ApiSettings
from graph_model.db import Database
from tests.api.conftest import empty
from tests.api.helpers import ApiServer
from tests.api.realtime_helpers import STEWARD, audit_entry, person_of, push
from tests.api.seed import load, resolve
from tests.resolvers.test_pipeline import family_records, rec

QUEUE = """query Q($first: Int, $after: String) { reviewQueue(first: $first, after: $after) {
  totalCount pageInfo { hasNextPage endCursor }
  edges { cursor node { id kind impact agencies reasons
    link { a { source sourceId givenName } b { source sourceId givenName } weight probability
           explanation { comparison level weight } }
    leftPerson { id recordCount } rightPerson { id } person { id } } } } }"""
OUTCOME = "{ personIds decision { id kind reason user agency at active records { source sourceId } } }"
PAIR = "($a: RecordRefInput!, $b: RecordRefInput!, $reason: String!)"
REJECT = "mutation R" + PAIR + " { rejectLink(a: $a, b: $b, reason: $reason) " + OUTCOME + " }"
CONFIRM = "mutation C" + PAIR + " { confirmLink(a: $a, b: $b, reason: $reason) " + OUTCOME + " }"
REVOKE = "mutation V($id: ID!, $reason: String!) { revokeDecision(id: $id, reason: $reason) " + OUTCOME + " }"
MERGE = "mutation M($ids: [ID!]!, $reason: String!) { mergePersons(ids: $ids, reason: $reason) " + OUTCOME + " }"
SPLIT = ("mutation S($id: ID!, $groups: [[RecordRefInput!]!]!, $reason: String!) { "
         "splitPerson(personId: $id, groups: $groups, reason: $reason) " + OUTCOME + " }")
DECISIONS = """query D($active: Boolean) { stewardDecisions(activeOnly: $active, first: 50) { totalCount
  edges { node { id kind reason user active records { sourceId } } } } }"""
PERSON = "query P($id: ID!) { person(id: $id) { id recordCount resolution { requestedId kind successorIds } } }"
CHANGES = """query C($since: String, $first: Int) { personChanges(since: $since, first: $first) {
  pageInfo { hasNextPage endCursor } edges { node { kind personId relatedPersonIds at decisionId } } } }"""


def ref(uid: str) -> dict[str, str]:
    source, _, source_id = uid.partition(":")
    return {"source": source, "sourceId": source_id}


@pytest.fixture(scope="module")
def steward_api(api_settings: ApiSettings, driver: Driver) -> Iterator[ApiServer]:
    """The API with a wide review band, so the small family's scored links are all uncertain."""
    server = ApiServer(api_settings.with_changes(review_lower=-10.0, review_upper=40.0)).start()
    yield server
    server.stop()


@pytest.fixture()
def family(driver: Driver, tmp_path: Path) -> Database:
    db = Database(driver)
    empty(db)
    load(db, tmp_path, family_records())
    resolve(db, tmp_path)
    return db


def uncertain_pairs(db: Database, lower: float, upper: float) -> set[tuple[str, str]]:
    rows, _, _ = db.driver.execute_query(
        "MATCH (a:Record)-[s:SIMILAR_TO]->(b:Record) WHERE s.weight >= $lower AND s.weight < $upper "
        "AND s.cannot_link IS NULL RETURN a.uid AS a, b.uid AS b", lower=lower, upper=upper)
    return {(r["a"], r["b"]) for r in rows}


def test_review_queue_lists_uncertain_links_side_by_side_most_impactful_first(steward_api: ApiServer,
                                                                             family: Database) -> None:
    expected = uncertain_pairs(family, -10.0, 40.0)
    assert expected
    data = steward_api.data(QUEUE, variables={"first": 100}, **STEWARD)["reviewQueue"]
    items = [e["node"] for e in data["edges"]]
    links = [i for i in items if i["kind"] == "UNCERTAIN_LINK"]
    found = {(f"{i['link']['a']['source']}:{i['link']['a']['sourceId']}",
              f"{i['link']['b']['source']}:{i['link']['b']['sourceId']}") for i in links}
    assert found == expected and data["totalCount"] == len(items)
    assert [i["impact"] for i in items] == sorted((i["impact"] for i in items), reverse=True)
    people = person_of(family)
    for item in links:
        a = f"{item['link']['a']['source']}:{item['link']['a']['sourceId']}"
        assert item["leftPerson"]["id"] == people[a] and item["link"]["explanation"]
        assert item["link"]["a"]["givenName"] and item["reasons"] == ["uncertain_link"] and item["agencies"]
    # Pages follow each other without overlap.
    first = steward_api.data(QUEUE, variables={"first": 2}, **STEWARD)["reviewQueue"]
    second = steward_api.data(QUEUE, variables={"first": 2, "after": first["pageInfo"]["endCursor"]},
                              **STEWARD)["reviewQueue"]
    assert first["pageInfo"]["hasNextPage"]
    assert [e["node"]["id"] for e in first["edges"] + second["edges"]] == [i["id"] for i in items[:4]]


def test_the_default_band_leaves_confident_links_out(api: ApiServer, family: Database) -> None:
    settings = api.settings
    expected = uncertain_pairs(family, settings.review_lower, settings.review_upper)
    data = api.data(QUEUE, variables={"first": 100}, **STEWARD)["reviewQueue"]
    assert len([e for e in data["edges"] if e["node"]["kind"] == "UNCERTAIN_LINK"]) == len(expected)
    assert len(expected) < len(uncertain_pairs(family, -10.0, 40.0))


def test_a_rejection_survives_full_and_real_time_resolution_and_revoking_undoes_it(
        steward_api: ApiServer, family: Database, tmp_path: Path) -> None:
    a, b = "health:H-ZAK", "education:P-ZAK"
    assert person_of(family)[a] == person_of(family)[b]
    reason = "Different boys: checked with the school office"
    outcome = steward_api.execute(REJECT, variables={"a": ref(a), "b": ref(b), "reason": reason}, **STEWARD)
    assert "errors" not in outcome.payload, outcome.payload
    result = outcome.payload["data"]["rejectLink"]
    people = person_of(family)
    assert people[a] != people[b] and sorted(result["personIds"]) == sorted({people[a], people[b]})
    decision = result["decision"]
    assert decision["kind"] == "REJECT_LINK" and decision["reason"] == reason and decision["user"] == "s.jones"
    assert decision["agency"] == "mash" and decision["active"] and decision["at"]
    assert sorted(r["sourceId"] for r in decision["records"]) == ["H-ZAK", "P-ZAK"]
    # Audited: who, the decision, the people affected and a hash of the reason (never the reason itself).
    entry = audit_entry(family, outcome.payload["extensions"]["requestId"])
    assert entry["user"] == "s.jones" and entry["role"] == "steward" and entry["decision"] == "permitted"
    assert entry["justification_sha256"] == hashlib.sha256(reason.encode()).hexdigest()
    assert decision["id"] in entry["requested"] and set(result["personIds"]) <= set(entry["subjects"])
    assert "steward:rejectLink" in entry["rules"] and reason not in str(entry)
    # Decided pairs leave the queue.
    queue = steward_api.data(QUEUE, variables={"first": 100}, **STEWARD)["reviewQueue"]["edges"]
    assert not [e for e in queue if e["node"]["link"] and {e["node"]["link"]["a"]["sourceId"],
                                                           e["node"]["link"]["b"]["sourceId"]} == {"H-ZAK", "P-ZAK"}]

    resolve(family, tmp_path)
    assert person_of(family)[a] != person_of(family)[b]
    [pushed] = push(steward_api, [rec("social_care", "S-ZAK", "Zakariya", "Khan", "2012-11-02", sex="M")])
    assert pushed["status"] == "CREATED"
    people = person_of(family)
    assert people[a] != people[b]

    listed = steward_api.data(DECISIONS, variables={"active": True}, **STEWARD)["stewardDecisions"]
    assert [e["node"]["id"] for e in listed["edges"]] == [decision["id"]] and listed["totalCount"] == 1
    revoked = steward_api.data(REVOKE, variables={"id": decision["id"], "reason": "Entered against the wrong boy"},
                               **STEWARD)["revokeDecision"]
    assert revoked["decision"]["active"] is False
    assert person_of(family)[a] == person_of(family)[b]
    assert steward_api.data(DECISIONS, variables={"active": True}, **STEWARD)["stewardDecisions"]["totalCount"] == 0
    assert steward_api.data(DECISIONS, variables={"active": False}, **STEWARD)["stewardDecisions"]["totalCount"] == 1
    resolve(family, tmp_path)
    assert person_of(family)[a] == person_of(family)[b]


def test_a_confirmed_link_holds_when_scores_drop(api: ApiServer, driver: Driver, tmp_path: Path) -> None:
    db = Database(driver)
    empty(db)
    # A name change the model cannot see: the same child after adoption.
    load(db, tmp_path, [rec("health", "H1", "Amelia", "Reed", "2015-01-01"),
                        rec("social_care", "S1", "Grace", "Okafor", "2015-01-01", addresses=[])])
    resolve(db, tmp_path)
    assert person_of(db)["health:H1"] != person_of(db)["social_care:S1"]
    result = api.data(CONFIRM, variables={"a": ref("health:H1"), "b": ref("social_care:S1"),
                                          "reason": "Adoption order seen by the steward"}, **STEWARD)["confirmLink"]
    assert result["decision"]["kind"] == "CONFIRM_LINK"
    together = person_of(db)["health:H1"]
    assert person_of(db)["social_care:S1"] == together and result["personIds"] == [together]
    # The social care record changes so that it scores even lower: the link holds.
    [pushed] = push(api, [rec("social_care", "S1", "Grace", "Okafor", "2016-02-02", addresses=[])])
    assert pushed["status"] == "UPDATED" and pushed["personId"] == together
    resolve(db, tmp_path)
    assert person_of(db)["health:H1"] == person_of(db)["social_care:S1"]


@pytest.mark.parametrize(("query", "variables", "caller", "code"), [
    (REJECT, {"a": ref("health:H-ZAK"), "b": ref("education:P-ZAK"), "reason": "short"}, STEWARD, "INVALID_ARGUMENT"),
    (REJECT, {"a": ref("health:H-ZAK"), "b": ref("education:P-ZAK"), "reason": "x" * 2001}, STEWARD,
     "INVALID_ARGUMENT"),
    (CONFIRM, {"a": ref("health:H-ZAK"), "b": ref("health:NOPE"), "reason": "Same boy, checked"}, STEWARD,
     "INVALID_ARGUMENT"),
    (REJECT, {"a": ref("health:H-ZAK"), "b": ref("education:P-ZAK"), "reason": "Different boys, checked"},
     {"agency": "police", "role": "practitioner", "purpose": "s47_enquiry"}, "FORBIDDEN"),
    (REJECT, {"a": ref("health:H-ZAK"), "b": ref("education:P-ZAK"), "reason": "Different boys, checked"},
     {"agency": "mash", "role": "steward", "purpose": "mash_enquiry"}, "FORBIDDEN"),
    (QUEUE, {"first": 5}, {"agency": "health", "role": "system", "purpose": "data_submission"}, "FORBIDDEN"),
    (MERGE, {"ids": ["per_0000000000000000", "per_1111111111111111"], "reason": "Same child, checked"}, STEWARD,
     "INVALID_ARGUMENT"),
])
def test_refused_decisions_change_nothing_and_are_audited(api: ApiServer, family: Database, query: str,
                                                          variables: dict, caller: dict, code: str) -> None:
    before = person_of(family)
    outcome = api.execute(query, variables=variables, **caller)
    assert outcome.payload["errors"][0]["extensions"]["code"] == code
    assert person_of(family) == before
    rows, _, _ = family.driver.execute_query("MATCH (d:StewardDecision) RETURN count(d) AS n")
    assert rows[0]["n"] == 0
    entry = audit_entry(family, outcome.payload["extensions"]["requestId"])
    assert entry["decision"] == "refused" and entry["reason"] == code and entry["user"] == caller.get("user", "tester")


def test_old_ids_follow_a_merge_and_a_split(api: ApiServer, driver: Driver, tmp_path: Path) -> None:
    db = Database(driver)
    empty(db)
    load(db, tmp_path, [*family_records(), rec("health", "H1", "Amelia", "Reed", "2015-01-01"),
                        rec("police", "P1", "Millie", "Stone", None, addresses=[])])
    resolve(db, tmp_path)
    start = api.data(CHANGES, variables={"first": 100}, **STEWARD)["personChanges"]
    while start["pageInfo"]["hasNextPage"]:
        start = api.data(CHANGES, variables={"since": start["pageInfo"]["endCursor"], "first": 100},
                         **STEWARD)["personChanges"]
    cursor = start["pageInfo"]["endCursor"]

    people = person_of(db)
    amelia, millie = people["health:H1"], people["police:P1"]
    merged = api.data(MERGE, variables={"ids": [amelia, millie], "reason": "Same child, known alias"},
                      **STEWARD)["mergePersons"]
    (survivor,) = merged["personIds"]
    (retired,) = {amelia, millie} - {survivor}
    assert merged["decision"]["kind"] == "MERGE_PERSONS"
    view = api.data(PERSON, variables={"id": retired}, **STEWARD)["person"]
    assert view == {"id": survivor, "recordCount": 2,
                    "resolution": {"requestedId": retired, "kind": "MERGED", "successorIds": [survivor]}}

    sara = people["health:H-SARA"]
    split = api.data(SPLIT, variables={"id": sara, "reason": "Two women with the same name",
                                       "groups": [[ref("health:H-SARA"), ref("housing:T-SARA")],
                                                  [ref("education:C-SARA")]]}, **STEWARD)["splitPerson"]
    after = person_of(db)
    other = after["education:C-SARA"]
    assert split["decision"]["kind"] == "SPLIT_PERSON" and sorted(split["personIds"]) == sorted({sara, other})
    assert after["health:H-SARA"] == after["housing:T-SARA"] == sara != other
    assert api.data(PERSON, variables={"id": sara}, **STEWARD)["person"]["recordCount"] == 2

    # Systems following the journal hear of both, with the decisions behind them.
    changes = [e["node"] for e in api.data(CHANGES, variables={"since": cursor, "first": 100},
                                           **STEWARD)["personChanges"]["edges"]]
    assert {"kind": "MERGED", "personId": retired, "relatedPersonIds": [survivor],
            "decisionId": merged["decision"]["id"]} in [{k: c[k] for k in ("kind", "personId", "relatedPersonIds",
                                                                          "decisionId")} for c in changes]
    [split_change] = [c for c in changes if c["kind"] == "SPLIT"]
    assert split_change["personId"] == sara and sorted(split_change["relatedPersonIds"]) == sorted({sara, other})
    assert split_change["decisionId"] == split["decision"]["id"] and split_change["at"]
    # Full resolution keeps both decisions.
    resolve(db, tmp_path)
    final = person_of(db)
    assert final["health:H1"] == final["police:P1"] and final["education:C-SARA"] != final["health:H-SARA"]
