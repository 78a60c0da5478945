"""Concurrent requests' first reads go to Neo4j as one statement (api/service/coalesce.py), and each request still
gets exactly what it would get alone: its own person, judged by its own caller's policy."""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any

import neo4j
import pytest

from api.auth import Principal
from api.execution import Outcome, execute_operation
from api.service.coalesce import Coalescer
from graph_model.errors import DatabaseUnavailable
from tests.api.helpers import ApiServer
from tests.api.seed import Seeded

SINGLE_VIEW = ("query One($id: ID!) { person(id: $id) { id givenName familyName dob agenciesInvolved { code } "
               "records(first: 20) { totalCount edges { node { id source } } } household { id size } } }")
NETWORK = ("query Net($id: ID!) { network(personId: $id, hops: 2) { truncated nodes { id kind label } "
           "edges { source target kind evidence } } }")
CALLERS = [("police", "practitioner", "s47_enquiry"), ("education", "practitioner", "early_help"),
           ("health", "practitioner", "s17_assessment"), ("mash", "analyst", "mash_enquiry")]


# ---------------------------------------------------------------------------------------------- the coalescer alone
class Fetches:
    """A fetch function that records what it was asked for (keys -> the key doubled; 'missing' is not found)."""

    def __init__(self, fail: BaseException | None = None) -> None:
        self.calls: list[list[str]] = []
        self.fail = fail

    async def __call__(self, keys: list[str]) -> dict[str, str]:
        self.calls.append(list(keys))
        await asyncio.sleep(0.01)
        if self.fail is not None:
            raise self.fail
        return {key: key * 2 for key in keys if key != "missing"}


def test_loads_in_one_turn_are_fetched_once_each_key_once() -> None:
    fetches = Fetches()

    async def run() -> list[str | None]:
        coalescer: Coalescer[str, str | None] = Coalescer(fetches, None)
        return list(await asyncio.gather(*(coalescer.load(k) for k in ["a", "b", "a", "missing", "c"])))

    assert asyncio.run(run()) == ["aa", "bb", "aa", None, "cc"]
    assert fetches.calls == [["a", "b", "missing", "c"]]


def test_batches_are_capped_and_later_loads_take_a_new_read() -> None:
    fetches = Fetches()

    async def run() -> list[str | None]:
        coalescer: Coalescer[str, str | None] = Coalescer(fetches, None, max_batch=2)
        first = await asyncio.gather(*(coalescer.load(k) for k in "abcde"))
        second = await coalescer.load("f")
        return [*first, second]

    assert asyncio.run(run()) == ["aa", "bb", "cc", "dd", "ee", "ff"]
    assert fetches.calls == [["a", "b"], ["c", "d"], ["e"], ["f"]]


def test_a_failed_read_fails_every_request_of_its_batch() -> None:
    fetches = Fetches(fail=DatabaseUnavailable("Neo4j is unreachable"))

    async def run() -> list[Any]:
        coalescer: Coalescer[str, str | None] = Coalescer(fetches, None)
        return list(await asyncio.gather(*(coalescer.load(k) for k in "abc"), return_exceptions=True))

    outcomes = asyncio.run(run())
    assert [type(o) for o in outcomes] == [DatabaseUnavailable] * 3


def test_a_request_that_gives_up_leaves_the_others_their_answer() -> None:
    fetches = Fetches()

    async def run() -> tuple[bool, str | None]:
        coalescer: Coalescer[str, str | None] = Coalescer(fetches, None)
        impatient = asyncio.ensure_future(asyncio.wait_for(coalescer.load("a"), 0.001))
        patient = asyncio.ensure_future(coalescer.load("a"))
        with pytest.raises(TimeoutError):
            await impatient
        return impatient.done(), await patient

    assert asyncio.run(run()) == (True, "aa")
    assert fetches.calls == [["a"]]


# ---------------------------------------------------------------------------------------------- through the API
def _observe_reads(api: ApiServer, monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, Any]]:
    db = api.services.db
    reads: list[tuple[str, Any]] = []
    execute = db._execute

    async def observed(name: str, parameters: Any, access: str) -> list[dict[str, Any]]:
        if access == neo4j.READ_ACCESS:
            reads.append((name, parameters))
        return await execute(name, parameters, access)

    monkeypatch.setattr(db, "_execute", observed)
    return reads


def _request(api: ApiServer, query: str, person_id: str, caller: tuple[str, str, str]) -> Any:
    agency, role, purpose = caller
    principal = Principal("tester", agency, role, frozenset(), time.time() + 3600)
    return execute_operation(api.services, api.app.state.schema, principal, purpose, uuid.uuid4().hex, query,
                             {"id": person_id})


def _answer(outcome: Outcome) -> tuple[int, Any, Any, Any]:
    payload = outcome.payload
    errors = [(e["message"], e["extensions"]["code"], e.get("path")) for e in payload.get("errors") or ()]
    return outcome.status, payload.get("data"), errors, payload["extensions"]["redactions"]


@pytest.mark.parametrize("query,statement", [(SINGLE_VIEW, "api/person_household_counts"),
                                             (NETWORK, "api/network_start")])
def test_concurrent_requests_read_together_and_are_judged_apart(api: ApiServer, seeded: Seeded, query: str,
                                                                statement: str, monkeypatch: pytest.MonkeyPatch) -> None:
    people = [seeded.person(uid) for uid in ("health:H-AVA", "health:H-LILY")]
    asks = [(person, caller) for person in people for caller in CALLERS]
    alone = [_answer(api.call(_request(api, query, person, caller))) for person, caller in asks]
    reads = _observe_reads(api, monkeypatch)

    async def together() -> list[Outcome]:
        return list(await asyncio.gather(*(_request(api, query, person, caller) for person, caller in asks)))

    outcomes = api.call(together())
    # Eight requests, one read of the statement for both people (each asked for once); the rest as before.
    assert [(name, sorted(p.get("ids") or p.get("person_ids"))) for name, p in reads if name == statement] \
        == [(statement, sorted(people))]
    assert [_answer(outcome) for outcome in outcomes] == alone
    # The callers' answers differ where the policy says so (else this test would not show that they are judged apart).
    assert len({str(answer) for answer in alone}) > len(people)


def test_concurrent_requests_read_break_glass_grants_together_and_each_gets_its_own(
        api: ApiServer, seeded: Seeded, monkeypatch: pytest.MonkeyPatch) -> None:
    connor = seeded.person("police:N-CONNOR")  # police records only: early help sees him only through a grant
    glass = {"agency": "education", "role": "practitioner", "purpose": "early_help", "user": "coalesce-glass"}
    api.data("mutation G($id: ID!, $why: String!) { breakGlass(personId: $id, justification: $why) { id } }",
             variables={"id": connor, "why": "Disclosure in class today suggests immediate risk of harm at home."},
             **glass)
    users = ["coalesce-glass", "coalesce-plain", "coalesce-glass", "coalesce-plain"]

    def request(user: str) -> Any:
        principal = Principal(user, "education", "practitioner", frozenset(), time.time() + 3600)
        return execute_operation(api.services, api.app.state.schema, principal, "early_help", uuid.uuid4().hex,
                                 SINGLE_VIEW, {"id": connor})

    alone = [_answer(api.call(request(user))) for user in users]
    reads = _observe_reads(api, monkeypatch)

    async def together() -> list[Outcome]:
        return list(await asyncio.gather(*(request(user) for user in users)))

    outcomes = api.call(together())
    # One read of the grants for the four requests, each (user, purpose) asked once; each request its own answer.
    assert [sorted((a["user"], a["purpose"]) for a in p["askers"]) for name, p in reads
            if name == "policy/active_break_glass"] \
        == [[("coalesce-glass", "early_help"), ("coalesce-plain", "early_help")]]
    assert [_answer(outcome) for outcome in outcomes] == alone
    assert [answer[1]["person"] is not None for answer in alone] == [True, False, True, False]
