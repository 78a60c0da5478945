"""The audit trail: one entry per request (refusals included), no personal values, a hash chain that names the
first edited, deleted or reordered entry, fail-closed writes, and audited reads of the audit itself."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from neo4j import Driver
from typer.testing import CliRunner

from api.audit import entry_hash
from api.cli.main import app as cli
from api.policy import load_policy
from graph_model.db import Database
from tests.api.conftest import TEST_SECRET
from tests.api.helpers import ApiServer
from tests.api.seed import Seeded, seed_family

SHIPPED_VERSION = load_policy().version  # the shipped policy's, whatever it is now

POLICE_S47 = {"agency": "police", "role": "practitioner", "purpose": "s47_enquiry"}
PERSON = "query One($id: ID!) { person(id: $id) { id givenName records { edges { node { sourceId dob } } } } }"


def entries(driver: Driver) -> list[dict[str, Any]]:
    rows, _, _ = driver.execute_query("MATCH (e:AuditEntry) RETURN properties(e) AS e ORDER BY e.seq")
    return [row["e"] for row in rows]


def run_cli(args: list[str], env: dict[str, str]) -> Any:
    from api.cli import common

    common.settings.cache_clear()
    return CliRunner().invoke(cli, args, env={**env, "COLUMNS": "200"}, catch_exceptions=False)


@pytest.fixture()
def cli_api_env(cli_env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    env = {**cli_env, "MASHGRAPH_ENV": "development", "MASHGRAPH_JWT_SECRET": TEST_SECRET}
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return env


def test_every_request_is_one_entry_refusals_included(api: ApiServer, seeded: Seeded, driver: Driver) -> None:
    ava = seeded.person("health:H-AVA")
    token = api.token(**{k: POLICE_S47[k] for k in ("agency", "role")})
    before = api.audit_count()
    responses = [
        api.post(PERSON, token=token, purpose="s47_enquiry", variables={"id": ava}),  # permitted
        api.post(PERSON, token=token, purpose="s47_enquiry", variables={"id": "per_0000000000000000"}),  # nothing
        api.post(PERSON, token=None, purpose="s47_enquiry", variables={"id": ava}),  # 401
        api.post(PERSON, token="not.a.token", purpose="s47_enquiry", variables={"id": ava}),  # 401
        api.post(PERSON, token=token, purpose=None, variables={"id": ava}),  # no purpose
        api.post(PERSON, token=token, purpose="curiosity", variables={"id": ava}),  # unknown purpose
        api.post(body=[{"query": "{ __typename }"}], token=token, purpose="s47_enquiry"),  # batching
        api.post(content=b"{not json", token=token, purpose="s47_enquiry"),  # bad body
        api.post("{ nope }", token=token, purpose="s47_enquiry"),  # validation
        api.post(f"query {{ network(personId: \"{ava}\") {{ truncated }} }}",
                 token=api.token(agency="education", role="practitioner"), purpose="early_help"),  # forbidden
    ]
    assert [r.status_code for r in responses] == [200, 200, 401, 401, 403, 403, 400, 400, 400, 200]
    assert api.audit_count() - before == len(responses)
    logged = {e["request_id"]: e for e in entries(driver)[before:]}
    assert set(logged) == {r.headers["x-request-id"] for r in responses}
    first = logged[responses[0].headers["x-request-id"]]
    assert first["decision"] == "permitted" and first["subjects"] == [ava] and first["requested"] == [ava]
    assert first["user"] == "tester" and first["agency"] == "police" and first["role"] == "practitioner"
    assert first["purpose"] == "s47_enquiry" and first["policy_version"] == SHIPPED_VERSION
    assert first["operation"] == "One" and len(first["operation_hash"]) == 64
    assert {"Query.person", "Person.givenName", "Record.dob"} <= set(first["fields"])
    assert "MASH-1" in first["rules"] or "ORD-1" in first["rules"]
    assert logged[responses[1].headers["x-request-id"]]["subjects"] == []
    assert logged[responses[2].headers["x-request-id"]]["reason"] == "UNAUTHENTICATED"
    assert logged[responses[4].headers["x-request-id"]]["reason"] == "PURPOSE_REQUIRED"
    assert logged[responses[6].headers["x-request-id"]]["reason"] == "BATCHING_NOT_SUPPORTED"
    assert logged[responses[9].headers["x-request-id"]]["decision"] == "refused"
    assert logged[responses[9].headers["x-request-id"]]["reason"] == "FORBIDDEN"


def test_entries_hold_ids_and_field_names_never_values(api: ApiServer, seeded: Seeded, driver: Driver) -> None:
    before = api.audit_count()
    search = ('query {{ searchPeople(givenName: "Connor", familyName: "{}", dob: "1990-02-14") '
              '{{ edges {{ node {{ person {{ givenName familyName }} }} }} }} }}'.format(seeded.markers["police_name"]))
    api.execute(search, **POLICE_S47)
    api.execute("query One($id: ID!) { person(id: $id) { records { edges { node { addresses { current } } } } } }",
                variables={"id": seeded.person("health:H-AVA")}, agency="education", role="practitioner",
                purpose="early_help")
    new = entries(driver)[before:]
    assert len(new) == 2
    dump = json.dumps(new)
    for value in (*seeded.markers.values(), "Connor", "1990-02-14", "Khan"):
        assert value not in dump
    redacted = new[1]["redacted"]
    assert redacted and all(":" in item for item in redacted)  # Type.field:REASON
    assert new[1]["decision"] == "partial"


def test_fail_closed_when_the_audit_cannot_be_written(api: ApiServer, seeded: Seeded, driver: Driver) -> None:
    ava = seeded.person("health:H-AVA")
    token = api.token(agency="police", role="practitioner")
    head = api.audit_count()
    # A stray entry takes the next sequence number: the next append breaks the uniqueness constraint.
    driver.execute_query("CREATE (:AuditEntry {seq: $seq, id: 'blocker'})", seq=head + 1)
    try:
        response = api.post(PERSON, token=token, purpose="s47_enquiry", variables={"id": ava})
        assert response.status_code == 503
        body = response.json()
        assert "data" not in body and body["errors"][0]["extensions"]["code"] == "AUDIT_UNAVAILABLE"
        assert "Ava" not in response.text
        refused = api.post(PERSON, token=None, purpose="s47_enquiry", variables={"id": ava})
        assert refused.status_code == 503  # even a refusal is withheld when it cannot be recorded
    finally:
        driver.execute_query("MATCH (e:AuditEntry {id: 'blocker'}) DELETE e")
    assert api.post(PERSON, token=token, purpose="s47_enquiry", variables={"id": ava}).status_code == 200
    assert api.audit_count() == head + 1


def test_reading_the_audit_trail_is_audited_and_for_ig_leads_only(api: ApiServer, seeded: Seeded) -> None:
    ava = seeded.person("health:H-AVA")
    api.execute(PERSON, variables={"id": ava}, **POLICE_S47)
    trail = """query T($id: ID!) { auditTrail(personId: $id, first: 50) { totalCount edges { node {
        seq user agency role purpose decision subjects requested operation breakGlass } } } }"""
    ig = {"agency": "governance", "role": "ig_lead", "purpose": "audit_review"}
    first = api.data(trail, variables={"id": ava}, **ig)["auditTrail"]
    assert first["totalCount"] >= 1
    assert any(e["node"]["agency"] == "police" and ava in e["node"]["subjects"] for e in first["edges"])
    second = api.data(trail, variables={"id": ava}, **ig)["auditTrail"]
    assert second["totalCount"] == first["totalCount"] + 1  # the first read is itself an entry about Ava
    assert second["edges"][0]["node"]["role"] == "ig_lead" and second["edges"][0]["node"]["requested"] == [ava]
    denied = api.execute(trail, variables={"id": ava}, **POLICE_S47).payload
    assert denied["errors"][0]["extensions"]["code"] == "FORBIDDEN"


def test_audit_query_command(api: ApiServer, seeded: Seeded, cli_api_env: dict[str, str], driver: Driver) -> None:
    ava = seeded.person("health:H-AVA")
    api.execute(PERSON, variables={"id": ava}, **POLICE_S47)
    ig_token = api.token(agency="governance", role="ig_lead", user="ig-1")
    before = api.audit_count()
    result = run_cli(["audit", "query", "--person", ava, "--token", ig_token, "--json"], cli_api_env)
    assert result.exit_code == 0, result.stdout
    listed = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    assert listed and all(ava in e["subjects"] or ava in e["requested"] for e in listed)
    assert run_cli(["audit", "query", "--person", ava, "--token", ig_token], cli_api_env).exit_code == 0
    refused = run_cli(["audit", "query", "--person", ava, "--token", api.token(agency="police", role="practitioner")],
                      cli_api_env)
    assert refused.exit_code == 1
    assert run_cli(["audit", "query", "--person", ava, "--token", "garbage"], cli_api_env).exit_code == 1
    new = entries(driver)[before:]
    assert [(e["operation"], e["decision"]) for e in new] == [
        ("audit.query", "permitted"), ("audit.query", "permitted"), ("audit.query", "refused"),
        ("audit.query", "refused")]
    assert new[0]["user"] == "ig-1" and new[0]["requested"] == [ava] and new[0]["channel"] == "cli"
    assert run_cli(["audit", "query", "--person", ava], {**cli_api_env, "MASHGRAPH_TOKEN": ""}).exit_code == 2


@pytest.fixture()
def chain(api: ApiServer, driver: Driver, tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, Any]]:
    """A fresh chain of entries (the database is re-seeded, so later modules start clean)."""
    seeded = seed_family(Database(driver), tmp_path_factory.mktemp("chain"))
    for person_id in list(seeded.person_of.values())[:6]:
        api.execute(PERSON, variables={"id": person_id}, **POLICE_S47)
    return entries(driver)


def verify(env: dict[str, str], *extra: str) -> Any:
    return run_cli(["audit", "verify", *extra], env)


def test_intact_chain_verifies(chain: list[dict[str, Any]], cli_api_env: dict[str, str]) -> None:
    result = verify(cli_api_env)
    assert result.exit_code == 0, result.stdout
    assert f"{len(chain)} entries" in result.stdout
    anchor = result.stdout.split("anchor for later checks: ")[1].split()[0]
    assert verify(cli_api_env, "--anchor", anchor).exit_code == 0


def test_an_edited_entry_is_named(chain: list[dict[str, Any]], cli_api_env: dict[str, str], driver: Driver) -> None:
    victim = chain[2]
    driver.execute_query("MATCH (e:AuditEntry {seq: $seq}) SET e.purpose = 'early_help'", seq=victim["seq"])
    result = verify(cli_api_env)
    assert result.exit_code == 1
    assert f"entry seq {victim['seq']} ({victim['id']})" in result.output and "edited" in result.output


def test_a_deleted_entry_is_named(chain: list[dict[str, Any]], cli_api_env: dict[str, str], driver: Driver) -> None:
    driver.execute_query("MATCH (e:AuditEntry {seq: $seq}) DELETE e", seq=chain[3]["seq"])
    result = verify(cli_api_env)
    assert result.exit_code == 1
    assert f"entry seq {chain[4]['seq']}" in result.output and "missing" in result.output


def test_reordered_entries_are_named(chain: list[dict[str, Any]], cli_api_env: dict[str, str], driver: Driver) -> None:
    a, b = chain[1], chain[4]
    driver.execute_query("MATCH (x:AuditEntry {seq: $a}), (y:AuditEntry {seq: $b}) "
                         "SET x.seq = -1 SET y.seq = $a SET x.seq = $b", a=a["seq"], b=b["seq"])
    result = verify(cli_api_env)
    assert result.exit_code == 1
    assert f"entry seq {a['seq']}" in result.output


def test_entries_cut_from_the_end_are_detected(chain: list[dict[str, Any]], cli_api_env: dict[str, str],
                                               driver: Driver) -> None:
    driver.execute_query("MATCH (e:AuditEntry {seq: $seq}) DELETE e", seq=chain[-1]["seq"])
    result = verify(cli_api_env)
    assert result.exit_code == 1 and "deleted from the end" in result.output


def test_a_rewritten_chain_fails_against_an_anchor(chain: list[dict[str, Any]], cli_api_env: dict[str, str],
                                                   driver: Driver) -> None:
    anchor = f"{chain[-1]['seq']}:{chain[-1]['hash']}"
    # An attacker with write access edits an entry and recomputes every hash after it, and the head.
    rewritten = [dict(e) for e in entries(driver)]
    rewritten[1]["purpose"] = "early_help"
    previous = rewritten[0]["hash"]
    for entry in rewritten[1:]:
        entry["prev_hash"] = previous
        entry["hash"] = previous = entry_hash(entry)
        driver.execute_query("MATCH (e:AuditEntry {seq: $seq}) SET e = $props", seq=entry["seq"], props=entry)
    driver.execute_query("MATCH (h:AuditHead) SET h.hash = $hash", hash=previous)
    assert verify(cli_api_env).exit_code == 0  # self-consistent again...
    result = verify(cli_api_env, "--anchor", anchor)  # ...but not against what was recorded before
    assert result.exit_code == 1 and "anchor" in result.output


def test_concurrent_appends_from_several_writers_keep_the_chain_whole(api: ApiServer, driver: Driver) -> None:
    """Three writers (as three worker processes have: each its own group commit and remembered head) append
    concurrently; every append gets its own place, none is lost, and the chain verifies."""
    import asyncio

    from api.audit import AuditEntry, AuditLog, verify_entries

    Database(driver).run("admin/delete_all_batch", {"batch_size": 10000})  # a fresh chain (the server's writer
    head = api.audit_count()  # remembers the old head: its next append learns better and tries again)

    async def burst() -> list[int]:
        writers = [AuditLog(api.services.db, timeout=60) for _ in range(3)]
        for writer in writers:
            await writer.start()
        try:
            appends = [writers[i % 3].append(AuditEntry(user=f"u{i}", agency="police", role="practitioner",
                                                        request_id=f"burst-{i}", purpose="s47_enquiry",
                                                        policy_version="test", decision="permitted"))
                       for i in range(150)]
            return list(await asyncio.gather(*appends))
        finally:
            for writer in writers:
                await writer.close()

    seqs = api.call(burst())
    assert sorted(seqs) == list(range(head + 1, head + 151))
    chain = entries(driver)
    assert {e["request_id"] for e in chain if e["request_id"].startswith("burst-")} == {f"burst-{i}" for i in range(150)}
    heads, _, _ = driver.execute_query("MATCH (h:AuditHead) RETURN h.seq AS seq, h.hash AS hash")
    report = verify_entries(chain, heads[0])
    assert report.ok and report.entries == head + 150, report.describe()
    # The server's own writer, which remembered a head that no longer exists, chains on correctly too.
    api.execute(PERSON, variables={"id": "per_0000000000000000"}, **POLICE_S47)
    assert verify_entries(entries(driver), driver.execute_query(
        "MATCH (h:AuditHead) RETURN h.seq AS seq, h.hash AS hash")[0][0]).ok


def test_writers_sharing_the_head_chain_onto_each_others_appends_at_once(api: ApiServer, driver: Driver,
                                                                          tmp_path: Path) -> None:
    """Two writers (two worker processes of one host) appending in turn: with the head shared, each append is
    one statement; without it, every append after the other's misses the head and is sent again. A shared
    head that is wrong (ahead of the database's) costs a retry, never an entry."""

    from api.audit import AuditEntry, AuditLog, SharedHead, create_shared_head, verify_entries

    def entry(i: int) -> AuditEntry:
        return AuditEntry(user=f"u{i}", agency="police", role="practitioner", request_id=f"turn-{i}",
                          purpose="s47_enquiry", policy_version="test", decision="permitted")

    async def in_turn(shared: Path | None, appends: int) -> list[int]:
        writers = [AuditLog(api.services.db, timeout=60, shared_head=SharedHead(shared) if shared else None)
                   for _ in range(2)]
        for i in range(appends):
            await writers[i % 2].append(entry(i))
        return [writer.attempts for writer in writers]

    assert sum(api.call(in_turn(None, 10))) >= 10 + 8  # each append but the first two misses once
    shared = create_shared_head(tmp_path)
    assert api.call(in_turn(shared, 10)) == [5, 5]
    SharedHead(shared).publish(10**9, "f" * 64)  # ahead of the chain: not a head the database has
    assert api.call(in_turn(shared, 2)) == [2, 1]  # the first learns the real head, the second needs no retry
    assert SharedHead(shared).read() == tuple(driver.execute_query(
        "MATCH (h:AuditHead) RETURN h.seq AS seq, h.hash AS hash")[0][0].values())
    assert verify_entries(entries(driver), driver.execute_query(
        "MATCH (h:AuditHead) RETURN h.seq AS seq, h.hash AS hash")[0][0]).ok
