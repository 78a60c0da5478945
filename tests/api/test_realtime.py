"""Agency systems push records through the API and each is resolved at once: per-record errors, the policy's
role, purpose and own-source checks (audited), matchRecord storing nothing, consistency with a full run, twins
and juniors one record at a time, concurrent pushes over real HTTP, and the identity change feed."""

from __future__ import annotations

import itertools
import threading
from collections import defaultdict
from pathlib import Path

import httpx
import orjson
import pytest
from neo4j import Driver

from graph_model.db import Database
from graph_model.synthetic import generate
from tests.api.conftest import empty
from tests.api.helpers import ApiServer
from tests.api.realtime_helpers import PUSH, STEWARD, SYSTEM, as_input, audit_entry, counts, owner, person_of, push
from tests.api.seed import load, resolve
from tests.resolvers.test_pipeline import TRUTH, assert_partition, family_records, rec

MATCH = """query M($record: RecordInput!) { matchRecord(record: $record, first: 5) { totalCount
  edges { node { person { id recordCount } score weight explanation { comparison level weight } matchedRecordIds } } } }"""
CHANGES = """query C($since: String, $first: Int) { personChanges(since: $since, first: $first) {
  totalCount pageInfo { hasNextPage endCursor } edges { cursor node { kind personId relatedPersonIds decisionId } } } }"""


@pytest.fixture()
def db(driver: Driver) -> Database:
    database = Database(driver)
    empty(database)
    return database


def test_a_mixed_batch_stores_the_valid_records_and_says_why_the_others_were_not(api: ApiServer, db: Database) -> None:
    records = [
        rec("health", "H-A", "Amira", "Patel", "2014-02-03", sex="F", identifiers={"nhs_number": "9434765919"}),
        {"source": "health", "source_id": "H-NONAME", "dob": "2014-02-03"},  # no name and no identifier
        rec("police", "N-A", "Amira", "Patel", "2014-02-03"),  # not health's source
        rec("health", "H-B", "Yusuf", "Patel", "2099-13-45", sex="M"),  # an impossible dob: kept, flagged
    ]
    response = api.post(PUSH, token=api.token(agency="health", role="system", user="pas-gateway"),
                        purpose="data_submission", variables={"records": [as_input(r) for r in records]})
    assert response.status_code == 200
    body = response.json()
    results = body["data"]["ingestRecords"]
    assert [r["status"] for r in results] == ["CREATED", "REJECTED", "REJECTED", "CREATED"]
    assert [r["sourceId"] for r in results] == ["H-A", "H-NONAME", "N-A", "H-B"]
    assert results[1]["error"]["code"] == "INVALID_ARGUMENT" and results[1]["personId"] is None
    assert results[2]["error"] == {"code": "FORBIDDEN", "message": "agency health may push only its own sources' records",
                                   "field": "source"}
    assert any(w.startswith("dob:") for w in results[3]["warnings"]) and results[3]["error"] is None
    people = person_of(db)
    assert set(people) == {"health:H-A", "health:H-B"}
    assert results[0]["personId"] == people["health:H-A"] and results[3]["personId"] == people["health:H-B"]
    assert results[0]["householdId"]
    # The refusal is audited with the request: partial, the rule that refused, the people disclosed.
    entry = audit_entry(db, body["extensions"]["requestId"])
    assert entry["decision"] == "partial" and entry["reason"] == "FORBIDDEN" and entry["user"] == "pas-gateway"
    assert "ingest:own-source-only" in entry["rules"] and "OP-SUBMIT" in entry["rules"]
    assert {"health:H-A", "police:N-A", "health:H-B"} <= set(entry["requested"])
    assert set(entry["subjects"]) == {people["health:H-A"], people["health:H-B"]}
    # The same record again: nothing written, the same person.
    before = counts(db)
    [again] = push(api, records[:1])
    assert again["status"] == "UNCHANGED" and again["personId"] == results[0]["personId"]
    assert counts(db) == before


@pytest.mark.parametrize(("agency", "role", "purpose"), [
    ("mash", "steward", "data_stewardship"),  # wrong role
    ("health", "system", "s47_enquiry"),  # wrong purpose
    ("health", "practitioner", "data_submission"),  # wrong role for the purpose
])
def test_pushes_by_the_wrong_role_or_purpose_are_refused_and_audited(api: ApiServer, db: Database, agency: str,
                                                                    role: str, purpose: str) -> None:
    response = api.post(PUSH, token=api.token(agency=agency, role=role), purpose=purpose,
                        variables={"records": [as_input(rec("health", "H-A", "Amira", "Patel", "2014-02-03"))]})
    body = response.json()
    assert body["data"] is None and body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert counts(db)["records"] == 0
    entry = audit_entry(db, body["extensions"]["requestId"])
    assert entry["decision"] == "refused" and entry["reason"] == "FORBIDDEN" and entry["role"] == role
    assert entry["root_fields"] == ["ingestRecords"]


def test_too_many_records_in_one_call_are_refused(api: ApiServer, db: Database) -> None:
    records = [as_input(rec("health", f"H-{n}", "Amira", "Patel", "2014-02-03")) for n in range(101)]
    outcome = api.execute(PUSH, variables={"records": records}, agency="health", **SYSTEM)
    assert outcome.payload["errors"][0]["extensions"]["code"] == "INVALID_ARGUMENT"
    assert counts(db)["records"] == 0


def test_match_record_ranks_people_and_stores_nothing(api: ApiServer, db: Database, tmp_path: Path) -> None:
    load(db, tmp_path, family_records())
    resolve(db, tmp_path)
    people = person_of(db)
    before, audited = counts(db), api.audit_count()
    probe = as_input(rec("social_care", "S-NEW", "Zak", "Khan", "2012-11-02", sex="M"))
    data = api.data(MATCH, variables={"record": probe}, **STEWARD)["matchRecord"]
    best = data["edges"][0]["node"]
    assert best["person"]["id"] == people["health:H-ZAK"] and best["score"] > 0.9
    assert {e["comparison"] for e in best["explanation"]} >= {"given_name", "family_name", "dob"}
    assert [e["node"]["weight"] for e in data["edges"]] == sorted((e["node"]["weight"] for e in data["edges"]),
                                                                   reverse=True)
    # An education system sees only people its own records belong to.
    own = api.data(MATCH, variables={"record": probe}, agency="education", **SYSTEM)["matchRecord"]["edges"]
    assert own[0]["node"]["person"]["id"] == people["education:P-ZAK"]
    assert {e["node"]["person"]["id"] for e in own} <= {p for uid, p in people.items() if uid.startswith("education:")}
    police = api.data(MATCH, variables={"record": probe}, agency="police", **SYSTEM)["matchRecord"]["edges"]
    assert police == []
    assert counts(db) == before and api.audit_count() == audited + 3


def test_twins_and_juniors_pushed_one_by_one_stay_apart_and_a_full_run_agrees(api: ApiServer, db: Database,
                                                                            tmp_path: Path) -> None:
    for record in family_records():
        [result] = push(api, [record])
        assert result["status"] == "CREATED" and result["personId"]
    pushed = person_of(db)
    assert_partition(pushed, TRUTH)
    resolve(db, tmp_path)
    assert person_of(db) == pushed  # the same people, under the same ids


def test_incremental_and_full_resolution_agree_on_demo_data(api: ApiServer, db: Database, tmp_path: Path) -> None:
    records = [record for record, _truth in generate(30, seed=5)]
    for record in records:
        [result] = push(api, [record])
        assert result["status"] in ("CREATED", "UPDATED") and result["personId"], result
    pushed = person_of(db)
    resolve(db, tmp_path)
    full = person_of(db)
    disagreements = _pairs(pushed) ^ _pairs(full)
    # The stated margin: records the two runs group differently are linked only by scores within 4 bits of the
    # 2-bit link threshold (the order records arrive in can decide such close calls).
    rows, _, _ = db.driver.execute_query("MATCH (a:Record)-[s:SIMILAR_TO]-(b:Record) WHERE s.cannot_link IS NULL "
                                         "RETURN a.uid AS a, b.uid AS b, s.weight AS w")
    close = {frozenset((r["a"], r["b"])) for r in rows if abs(r["w"] - 2.0) <= 4.0}
    involved = {uid for pair in disagreements for uid in pair}
    assert all(any(uid in pair for pair in close) for uid in involved), sorted(involved)
    agreement = 1 - len(disagreements) / max(1, len(_pairs(pushed) | _pairs(full)))
    assert agreement >= 0.97, (agreement, len(disagreements))


def _pairs(people: dict[str, str]) -> set[frozenset[str]]:
    members: dict[str, list[str]] = defaultdict(list)
    for uid, person in people.items():
        members[person].append(uid)
    return {frozenset(p) for group in members.values() for p in itertools.combinations(sorted(group), 2)}


def test_concurrent_pushes_from_parallel_http_clients(api: ApiServer, db: Database) -> None:
    # Mia is known to five agencies by her NHS number; the Khan family is pushed at the same time.
    mia = [rec(src, f"{src[0].upper()}-MIA-{n}", "Mia", "Ng", "2017-08-09", sex="F",
               identifiers={"nhs_number": "9990001006"}, addresses=[{"line1": "2 Oak Way", "postcode": "LS2 9JT"}])
            for n, src in enumerate(["health", "education", "social_care", "police", "housing", "health", "education",
                                     "social_care"])]
    work = [*mia, *family_records()]
    tokens = {agency: api.token(agency=agency, role="system") for agency in {owner(r["source"]) for r in work}}
    failures: list[str] = []

    def client(batch: list[dict]) -> None:
        with httpx.Client(base_url=api.url, timeout=60) as http:
            for record in batch:
                response = http.post("/graphql", content=orjson.dumps({"query": PUSH, "variables": {
                    "records": [as_input(record)]}}), headers={
                    "content-type": "application/json", "authorization": f"Bearer {tokens[owner(record['source'])]}",
                    "x-purpose": "data_submission"})
                body = response.json()
                if response.status_code != 200 or "errors" in body or body["data"]["ingestRecords"][0]["error"]:
                    failures.append(f"{response.status_code} {body.get('errors') or body['data']}")

    threads = [threading.Thread(target=client, args=(work[i::8],)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures, failures[:3]
    people = person_of(db)
    assert len(people) == len(work)
    assert len({people[f"{r['source']}:{r['source_id']}"] for r in mia}) == 1
    assert_partition(people, TRUTH)
    rows, _, _ = db.driver.execute_query(
        "MATCH (r:Record) WITH r, COUNT { (r)-[:RESOLVES_TO]->() } AS n WHERE n <> 1 RETURN count(r) AS bad "
        "UNION ALL MATCH (p:Person {status: 'active'}) WHERE NOT (p)<-[:RESOLVES_TO]-() RETURN count(p) AS bad "
        "UNION ALL MATCH (p:Person) WHERE COUNT { (p)-[:MEMBER_OF]->() } > 1 RETURN count(p) AS bad "
        "UNION ALL MATCH (h:Household) WHERE NOT (h)<-[:MEMBER_OF]-() RETURN count(h) AS bad")
    assert [r["bad"] for r in rows] == [0, 0, 0, 0]
    assert len(set(people.values())) == 1 + len(TRUTH)


def test_person_changes_page_through_the_journal(api: ApiServer, db: Database) -> None:
    for record in family_records():
        push(api, [record])
    rows, _, _ = db.driver.execute_query("MATCH (e:IdentityEvent) RETURN e.kind AS kind")
    expected = sorted(r["kind"].upper() for r in rows)
    seen: list[dict] = []
    cursor = None
    while True:
        page = api.data(CHANGES, variables={"since": cursor, "first": 3}, **STEWARD)["personChanges"]
        seen += [e["node"] for e in page["edges"]]
        assert len(page["edges"]) <= 3
        cursor = page["pageInfo"]["endCursor"]
        if not page["pageInfo"]["hasNextPage"]:
            break
    assert sorted(c["kind"] for c in seen) == expected and {"CREATED", "LINKED"} <= set(expected)
    assert {c["personId"] for c in seen if c["kind"] == "CREATED"} <= set(person_of(db).values())
    # Nothing new: an empty page that still hands back where to continue from.
    empty_page = api.data(CHANGES, variables={"since": cursor, "first": 3}, **STEWARD)["personChanges"]
    assert empty_page["edges"] == [] and empty_page["pageInfo"]["endCursor"] == cursor
    # A new record linked to Zak shows up after the cursor, and only it.
    [result] = push(api, [rec("social_care", "S-ZAK", "Zak", "Khan", "2012-11-02", sex="M")])
    latest = api.data(CHANGES, variables={"since": cursor}, **STEWARD)["personChanges"]["edges"]
    assert [e["node"] for e in latest] == [{"kind": "LINKED", "personId": result["personId"], "relatedPersonIds": [],
                                            "decisionId": None}]
    bad = api.execute(CHANGES, variables={"since": "bm90LWEtY3Vyc29y"}, **STEWARD)
    assert bad.payload["errors"][0]["extensions"]["code"] == "INVALID_ARGUMENT"
