"""Networks and paths: real expansion over the real graph, with the policy on every node and edge."""

from __future__ import annotations

import json
import uuid
from dataclasses import replace
from typing import Any

import neo4j
import pytest

from api.auth import Principal
from api.execution import execute_operation
from tests.api.helpers import ApiServer
from tests.api.seed import Seeded

NETWORK = """query N($id: ID!, $hops: Int!, $kinds: [NetworkEdgeKind!]) {
  network(personId: $id, hops: $hops, kinds: $kinds) {
    truncated nodes { id kind label truncated } edges { source target kind evidence } } }"""
PATH = """query P($a: ID!, $b: ID!, $hops: Int!, $kinds: [NetworkEdgeKind!]) {
  path(from: $a, to: $b, maxHops: $hops, kinds: $kinds) { nodes { id kind label } edges { source target kind } } }"""
POLICE_S47 = {"agency": "police", "role": "practitioner", "purpose": "s47_enquiry"}
SOCIAL_CARE_S47 = {"agency": "social_care", "role": "practitioner", "purpose": "s47_enquiry"}
ANALYST_MASH = {"agency": "mash", "role": "analyst", "purpose": "mash_enquiry"}


def network(api: ApiServer, person_id: str, hops: int = 2, kinds: list[str] | None = None,
            **who: Any) -> dict[str, Any]:
    return api.data(NETWORK, variables={"id": person_id, "hops": hops, "kinds": kinds}, **who)["network"]


def people(result: dict[str, Any]) -> set[str]:
    return {n["id"] for n in result["nodes"] if n["kind"] == "PERSON"}


def test_two_hops_around_a_child(api: ApiServer, seeded: Seeded) -> None:
    ava = seeded.person("health:H-AVA")
    result = network(api, ava, **ANALYST_MASH)
    kinds = {n["kind"] for n in result["nodes"]}
    assert {"PERSON", "HOUSEHOLD", "ADDRESS", "SCHOOL"} <= kinds
    family = {seeded.person(u) for u in ("health:H-SARA", "health:H-DAN", "health:H-ZAK")}
    assert family <= people(result)  # through the household
    assert seeded.person("health:H-LILY") in people(result)  # through the school
    ids = {n["id"] for n in result["nodes"]}
    for edge in result["edges"]:
        assert edge["source"] in ids and edge["target"] in ids and edge["evidence"]
    school = next(n for n in result["nodes"] if n["kind"] == "SCHOOL")
    assert school["label"] == "Meanwood"
    assert not result["truncated"]


def test_hops_and_kinds(api: ApiServer, seeded: Seeded) -> None:
    sara, connor = seeded.person("health:H-SARA"), seeded.person("police:N-CONNOR")
    assert connor in people(network(api, sara, hops=2, **POLICE_S47))  # the shared landline
    assert connor not in people(network(api, sara, hops=1, **POLICE_S47))
    only_households = network(api, sara, hops=2, kinds=["MEMBER_OF"], **POLICE_S47)
    assert {n["kind"] for n in only_households["nodes"]} == {"PERSON", "HOUSEHOLD"}
    assert connor not in people(only_households)
    too_far = api.execute(NETWORK, variables={"id": sara, "hops": 4}, **POLICE_S47).payload
    assert too_far["errors"][0]["extensions"]["code"] == "INVALID_ARGUMENT"


def test_hidden_records_hide_their_edges(api: ApiServer, seeded: Seeded) -> None:
    zak = seeded.person("health:H-ZAK")
    phone_label = "+447700900333"  # only on Zak's owner-restricted social care record
    own = network(api, zak, hops=1, **SOCIAL_CARE_S47)
    other = network(api, zak, hops=1, **POLICE_S47)
    assert phone_label in {n["label"] for n in own["nodes"] if n["kind"] == "PHONE"}
    assert phone_label not in json.dumps(other)
    assert seeded.markers["owner_name"] not in json.dumps(other)


def test_restricted_addresses_never_appear(api: ApiServer, seeded: Seeded) -> None:
    line = seeded.markers["restricted_line"]
    for start in ("health:H-LILY", "social_care:S-JOAN", "health:H-AVA"):
        for who in (POLICE_S47, SOCIAL_CARE_S47, ANALYST_MASH):
            result = network(api, seeded.person(start), hops=3, **who)
            assert line not in json.dumps(result), (start, who)
    cleared = api.data(NETWORK, variables={"id": seeded.person("health:H-LILY"), "hops": 1},
                       clearances=("restricted_address",), **SOCIAL_CARE_S47)["network"]
    assert any(line in n["label"] for n in cleared["nodes"] if n["kind"] == "ADDRESS")


def test_network_is_an_operation_the_policy_must_allow(api: ApiServer, seeded: Seeded) -> None:
    payload = api.execute(NETWORK, variables={"id": seeded.person("health:H-AVA"), "hops": 1},
                          agency="education", role="practitioner", purpose="early_help").payload
    assert payload["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    unknown = network(api, "per_00000000000000aa", **POLICE_S47)
    assert unknown is None


def _with_settings(api: ApiServer, query: str, variables: dict[str, Any], **changes: Any) -> dict[str, Any]:
    services = replace(api.services, settings=api.services.settings.with_changes(**changes))
    principal = Principal("tester", "mash", "analyst", frozenset(), 2**31)
    outcome = api.call(execute_operation(services, api.app.state.schema, principal, "mash_enquiry",
                                         uuid.uuid4().hex, query, variables))
    assert "errors" not in outcome.payload, outcome.payload
    return outcome.payload["data"]


def test_hubs_and_size_are_capped(api: ApiServer, seeded: Seeded) -> None:
    ava, lily = seeded.person("health:H-AVA"), seeded.person("health:H-LILY")
    capped_hub = _with_settings(api, NETWORK, {"id": ava, "hops": 2}, hub_max_degree=2)["network"]
    school = next(n for n in capped_hub["nodes"] if n["kind"] == "SCHOOL")
    assert school["truncated"] and lily not in people(capped_hub)
    capped_size = _with_settings(api, NETWORK, {"id": ava, "hops": 3}, network_max_nodes=4)["network"]
    assert capped_size["truncated"] and len(capped_size["nodes"]) == 4


def test_shortest_path(api: ApiServer, seeded: Seeded) -> None:
    ava, lily, connor = (seeded.person(u) for u in ("health:H-AVA", "health:H-LILY", "police:N-CONNOR"))
    to_lily = api.data(PATH, variables={"a": ava, "b": lily, "hops": 4}, **ANALYST_MASH)["path"]
    assert [n["kind"] for n in to_lily["nodes"]].count("SCHOOL") == 1 and len(to_lily["edges"]) == 2
    to_connor = api.data(PATH, variables={"a": ava, "b": connor, "hops": 4}, **ANALYST_MASH)["path"]
    # Ava -(recorded parent_of)- Sara -(landline)- phone -(landline)- Connor
    assert len(to_connor["edges"]) == 3 and {"RELATED", "USES_PHONE"} == {e["kind"] for e in to_connor["edges"]}
    assert api.data(PATH, variables={"a": ava, "b": connor, "hops": 2}, **ANALYST_MASH)["path"] is None
    no_phones = api.data(PATH, variables={"a": ava, "b": connor, "hops": 4,
                                          "kinds": ["MEMBER_OF", "LIVES_AT", "ATTENDS", "RELATED"]},
                         **ANALYST_MASH)["path"]
    assert no_phones is None


def test_paths_never_run_through_what_the_caller_may_not_see(api: ApiServer, seeded: Seeded) -> None:
    joan, lily = seeded.person("social_care:S-JOAN"), seeded.person("health:H-LILY")
    related = api.data(PATH, variables={"a": joan, "b": lily, "hops": 2}, **SOCIAL_CARE_S47)["path"]
    assert [e["kind"] for e in related["edges"]] == ["RELATED"]
    through_address = {"a": joan, "b": lily, "hops": 2, "kinds": ["LIVES_AT"]}
    assert api.data(PATH, variables=through_address, **SOCIAL_CARE_S47)["path"] is None
    cleared = api.data(PATH, variables=through_address, clearances=("restricted_address",),
                       **SOCIAL_CARE_S47)["path"]
    assert [n["kind"] for n in cleared["nodes"]].count("ADDRESS") == 1


def test_person_nodes_carry_agencies_and_held_notices_as_the_single_view_does(api: ApiServer, seeded: Seeded) -> None:
    query = """query N($id: ID!) { network(personId: $id, hops: 1) {
      nodes { id kind agencies heldElsewhere { agency { code } contact } nameWithheld } } }"""
    single = """query P($id: ID!) {
      person(id: $id) { agenciesInvolved { code } heldElsewhere { agency { code } contact } } }"""
    ava = seeded.person("health:H-AVA")
    for who in (SOCIAL_CARE_S47, POLICE_S47):
        nodes = {n["id"]: n for n in api.data(query, variables={"id": ava}, **who)["network"]["nodes"]}
        view = api.data(single, variables={"id": ava}, **who)["person"]
        assert nodes[ava]["agencies"] == [a["code"] for a in view["agenciesInvolved"]]
        assert nodes[ava]["heldElsewhere"] == view["heldElsewhere"]
        assert not nodes[ava]["nameWithheld"]
        assert all(not n["agencies"] and not n["heldElsewhere"] for n in nodes.values() if n["kind"] != "PERSON")
    held = {n["id"]: n for n in api.data(query, variables={"id": ava}, **SOCIAL_CARE_S47)["network"]["nodes"]}[ava]
    assert held["heldElsewhere"] == [{"agency": {"code": "police"}, "contact": "police desk"}]
    assert "police" not in held["agencies"]


def test_every_edge_between_shown_nodes_is_listed_the_outermost_layer_included(api: ApiServer, seeded: Seeded) -> None:
    ava, sara = seeded.person("health:H-AVA"), seeded.person("health:H-SARA")
    for who in (ANALYST_MASH, POLICE_S47, SOCIAL_CARE_S47):
        near = network(api, ava, hops=1, **who)
        far = network(api, ava, hops=2, **who)
        shown = {n["id"] for n in near["nodes"]}
        # Every node of the one-hop network was expanded in the two-hop one, so it lists all their edges.
        expected = {(e["source"], e["target"], e["kind"]) for e in far["edges"]
                    if e["source"] in shown and e["target"] in shown}
        assert {(e["source"], e["target"], e["kind"]) for e in near["edges"]} == expected
    # Sara is one hop from Ava (parent_of) and so is their household: Sara's membership joins the outer layer.
    near = network(api, ava, hops=1, **ANALYST_MASH)
    household = next(n["id"] for n in near["nodes"] if n["kind"] == "HOUSEHOLD")
    assert (sara, household, "MEMBER_OF") in {(e["source"], e["target"], e["kind"]) for e in near["edges"]}


def test_two_hops_around_a_child_take_one_read(api: ApiServer, seeded: Seeded,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """The household, its members and everyone behind the child's addresses, phones and school come in one query
    (the real one, observed on its way to the database), so a network does not cost a round trip per layer."""
    db = api.services.db
    reads: list[str] = []
    execute = db._execute

    async def observed(name: str, parameters: Any, access: str) -> list[dict[str, Any]]:
        if access == neo4j.READ_ACCESS:
            reads.append(name)
        return await execute(name, parameters, access)

    monkeypatch.setattr(db, "_execute", observed)
    ava = seeded.person("health:H-AVA")
    result = network(api, ava, **ANALYST_MASH)
    assert seeded.person("health:H-LILY") in people(result)  # through the school
    assert reads == ["api/network_start"]
