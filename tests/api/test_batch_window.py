"""While other requests are in flight, the shared reads and the audit appends wait ``batch_window`` for them
(api/service/coalesce.py, api/audit/_log.py): fewer statements under load, and a request alone waits for nothing.
Every request still gets its own answer and its own audit entry, and the chain verifies."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from neo4j import Driver

from api.audit import AuditEntry, AuditLog, verify_entries
from api.config import ApiSettings
from api.service.coalesce import Coalescer, InFlight
from graph_model.errors import ConfigError
from tests.api.helpers import ApiServer
from tests.api.seed import Seeded

SINGLE_VIEW = ("query One($id: ID!) { person(id: $id) { id givenName familyName records(first: 20) { totalCount "
               "edges { node { id source } } } household { id size } } }")
WINDOW = 0.5  # long enough for requests sent 5-20 ms apart on a loaded machine to fall into one window


# ---------------------------------------------------------------------------------------------- the coalescer alone
class Fetches:
    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    async def __call__(self, keys: list[str]) -> dict[str, str]:
        self.calls.append(list(keys))
        return {key: key * 2 for key in keys}


def _staggered(coalescer: Coalescer[str, str | None], keys: str, gap: float) -> Any:
    async def ask(i: int, key: str) -> str | None:
        await asyncio.sleep(i * gap)
        return await coalescer.load(key)

    return asyncio.gather(*(ask(i, key) for i, key in enumerate(keys)))


def test_a_read_waits_for_the_requests_in_flight_and_takes_their_keys_too() -> None:
    fetches, in_flight = Fetches(), InFlight(WINDOW)
    in_flight.count = 4  # four requests being served: each asks in turn, 5 ms apart

    async def run() -> list[str | None]:
        coalescer: Coalescer[str, str | None] = Coalescer(fetches, None, in_flight=in_flight)
        return list(await _staggered(coalescer, "abcd", 0.005))

    assert asyncio.run(run()) == ["aa", "bb", "cc", "dd"]
    assert fetches.calls == [["a", "b", "c", "d"]]


def test_a_request_alone_is_read_at_once() -> None:
    fetches, in_flight = Fetches(), InFlight(WINDOW)
    in_flight.count = 1

    async def run() -> float:
        coalescer: Coalescer[str, str | None] = Coalescer(fetches, None, in_flight=in_flight)
        started = time.perf_counter()
        await coalescer.load("a")
        return time.perf_counter() - started

    assert asyncio.run(run()) < WINDOW / 2
    assert fetches.calls == [["a"]]


def test_without_a_window_each_turn_reads_alone() -> None:
    fetches, in_flight = Fetches(), InFlight()
    in_flight.count = 4

    async def run() -> None:
        coalescer: Coalescer[str, str | None] = Coalescer(fetches, None, in_flight=in_flight)
        # 200 ms apart: asks closer together can wake in the same event-loop turn on a loaded machine (the process
        # descheduled past two timers) and be read together, as one turn's keys always are.
        await _staggered(coalescer, "abcd", 0.2)

    asyncio.run(run())
    assert fetches.calls == [["a"], ["b"], ["c"], ["d"]]


# ---------------------------------------------------------------------------------------------- the audit writer
def _entry(i: int) -> AuditEntry:
    return AuditEntry(user=f"u{i}", agency="police", role="practitioner", request_id=f"window-{i}",
                      purpose="s47_enquiry", policy_version="test", decision="permitted")


def _head(driver: Driver) -> Any:
    return driver.execute_query("MATCH (h:AuditHead) RETURN h.seq AS seq, h.hash AS hash")[0][0]


def _chain(driver: Driver) -> list[dict[str, Any]]:
    rows, _, _ = driver.execute_query("MATCH (e:AuditEntry) RETURN properties(e) AS entry ORDER BY e.seq")
    return [row["entry"] for row in rows]


def test_the_audit_writer_gathers_the_entries_of_requests_in_flight(api: ApiServer, driver: Driver) -> None:
    in_flight = InFlight(WINDOW)
    in_flight.count = 5  # five requests being served: their entries come 20 ms apart

    async def appends() -> tuple[list[int], int]:
        writer = AuditLog(api.services.db, timeout=60, in_flight=in_flight)
        await writer.start()
        try:
            async def append(i: int) -> int:
                await asyncio.sleep(i * 0.02)
                return await writer.append(_entry(i))

            seqs = list(await asyncio.gather(*(append(i) for i in range(5))))
            return seqs, writer.attempts
        finally:
            await writer.close()

    head = api.audit_count()
    seqs, attempts = api.call(appends())
    assert sorted(seqs) == list(range(head + 1, head + 6))
    assert attempts == 1  # the first write waited for the others' entries: one statement
    assert verify_entries(_chain(driver), _head(driver)).ok


def test_the_entry_of_a_request_alone_is_written_at_once(api: ApiServer, driver: Driver) -> None:
    in_flight = InFlight(5.0)
    in_flight.count = 1

    async def appends() -> tuple[list[float], int]:
        writer = AuditLog(api.services.db, timeout=60, in_flight=in_flight)
        await writer.start()
        took = []
        try:
            for i in range(3):
                started = time.perf_counter()
                await writer.append(_entry(i))
                took.append(time.perf_counter() - started)
            return took, writer.attempts
        finally:
            await writer.close()

    took, attempts = api.call(appends())
    assert max(took) < 2.5 and attempts == 3  # no wait for a window of 5 s: each entry its own statement
    assert verify_entries(_chain(driver), _head(driver)).ok


# ---------------------------------------------------------------------------------------------- through HTTP
@pytest.fixture()
def windowed(api_settings: ApiSettings, seeded: Seeded) -> Iterator[ApiServer]:
    server = ApiServer(api_settings.with_changes(batch_window=WINDOW)).start()
    yield server
    server.stop()


def _observe(server: ApiServer, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The statements the server runs, by name (observed, then run as usual)."""
    db = server.services.db
    names: list[str] = []
    execute = db._execute

    async def observed(name: str, parameters: Any, access: str) -> list[dict[str, Any]]:
        names.append(name)
        return await execute(name, parameters, access)

    monkeypatch.setattr(db, "_execute", observed)
    return names


def test_staggered_single_views_share_reads_and_appends_over_http(windowed: ApiServer, seeded: Seeded,
                                                                   driver: Driver,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    people = [seeded.person(uid) for uid in ("health:H-AVA", "health:H-LILY", "police:N-CONNOR")] * 2
    token = windowed.token(agency="police", role="practitioner")
    headers = {"Authorization": f"Bearer {token}", "X-Purpose": "s47_enquiry"}
    alone = [windowed.post(SINGLE_VIEW, token=token, purpose="s47_enquiry", variables={"id": p}).json()["data"]
             for p in people]
    names = _observe(windowed, monkeypatch)
    head = windowed.audit_count()

    async def staggered() -> list[httpx.Response]:
        async with httpx.AsyncClient(base_url=windowed.url, timeout=60) as client:
            async def send(i: int, person: str) -> httpx.Response:
                await asyncio.sleep(i * 0.005)
                return await client.post("/graphql", headers=headers,
                                         json={"query": SINGLE_VIEW, "variables": {"id": person}})

            return list(await asyncio.gather(*(send(i, p) for i, p in enumerate(people))))

    # As if another request were being served all along (else the first could be answered before the next came,
    # and each would be alone: read and written at once, as a request alone should be).
    windowed.services.in_flight.count += 1
    try:
        responses = asyncio.run(staggered())
    finally:
        windowed.services.in_flight.count -= 1
    assert [r.status_code for r in responses] == [200] * len(people)
    assert [r.json()["data"] for r in responses] == alone
    # Sent 5 ms apart (one read and one append each without the window), read together and written together.
    reads = [name for name in names if name == "api/person_household_counts"]
    appends = [name for name in names if name == "audit/append_at_head"]
    assert len(reads) <= 2 and len(appends) <= 2, names
    # Every request has its own entry, and the chain verifies.
    assert windowed.audit_count() == head + len(people)
    assert verify_entries(_chain(driver), _head(driver)).ok


def test_the_window_is_a_bounded_setting() -> None:
    assert ApiSettings().batch_window == 0.002
    assert ApiSettings.from_mapping({"MASHGRAPH_ENV": "development", "MASHGRAPH_BATCH_WINDOW": "0"}).batch_window == 0
    with pytest.raises(ConfigError, match="MASHGRAPH_BATCH_WINDOW"):
        ApiSettings.from_mapping({"MASHGRAPH_ENV": "development", "MASHGRAPH_BATCH_WINDOW": "5"})

