"""Concurrent requests' reads of the same statement, sent to Neo4j as one.

Each read costs a round trip whatever it asks for: on the ~205k-record bench database a single view's one read
took ~0.37 ms of the API's CPU in the driver for a trivial statement (0.54 ms for the single view's) and ~0.28 ms
of Neo4j's for the transaction alone (0.50 ms for the single view's), most of a request's cost besides GraphQL.
Requests that arrive together (50 clients: tens per event-loop turn) each waited for their own. A
:class:`Coalescer` collects the keys asked for during one turn of the event loop and reads them with one
statement that takes a list (``UNWIND``), then hands each caller the rows of its own key.

Nothing is kept: the rows are raw values (before the policy), delivered only to the request that asked for that
key and judged by the policy in that request, exactly as when each request read them alone; the per-request
DataLoaders (which hold what one caller may see) stay per request. A read that fails fails every request of its
batch, as it would have failed each of them.

While other requests of the process are in flight, a read first waits ``window`` seconds (2 ms by default) for
them to ask too. Taking only the keys of one event-loop turn, a worker of ``serve --workers 2`` under 50 clients
read ~7 keys a statement (and appended ~7 audit entries a statement): ~0.3 statements a request. What a statement
costs is mostly per statement: in one process, 50 concurrent single views in batches of 5 instead of 50 cost 1.35
instead of 0.89 ms of the API's CPU a request and 0.70 instead of 0.25 ms of Neo4j's. A request alone waits for
nothing.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable
from typing import Generic, TypeVar

__all__ = ["Coalescer", "InFlight"]

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class InFlight:
    """How many requests the process is serving, and how long batched work (shared reads, audit appends) waits
    for them to join it: ``window`` seconds."""

    def __init__(self, window: float = 0.0) -> None:
        self.count = 0
        self.window = window

    def delay(self, waiting: int) -> float:
        """How long a batch of the ``waiting`` requests' work waits: ``window`` while more requests than those are
        in flight (they may join it), else nothing."""
        return self.window if self.count > waiting else 0.0


class Coalescer(Generic[K, V]):
    """``load(key)`` for concurrent callers, fetched together by ``fetch(keys) -> {key: value}`` (at most
    ``max_batch`` distinct keys a read); a key the fetch does not return gets ``missing``. A read waits for more keys
    as long as ``in_flight`` says (while other requests are in flight); else it starts on the next event-loop turn."""

    def __init__(self, fetch: Callable[[list[K]], Awaitable[dict[K, V]]], missing: V, *, max_batch: int = 64,
                 in_flight: InFlight | None = None) -> None:
        self._fetch = fetch
        self._missing = missing
        self._max_batch = max_batch
        self._in_flight = in_flight
        self.reads = 0  # fetches started
        self.keys = 0  # distinct keys fetched (keys / reads: the mean batch)
        self._pending: dict[K, list[asyncio.Future[V]]] = {}
        self._scheduled = False
        self._running: set[asyncio.Task[None]] = set()  # batches in flight (kept referenced until done)

    async def load(self, key: K) -> V:
        return await self.future(key)

    def future(self, key: K) -> asyncio.Future[V]:
        """The caller's own future of ``key``'s value (it may await it more than once; cancelling it cancels only
        this caller's wait)."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[V] = loop.create_future()
        self._pending.setdefault(key, []).append(future)
        if not self._scheduled:
            self._scheduled = True
            delay = self._in_flight.delay(1) if self._in_flight is not None else 0.0
            if delay > 0:
                loop.call_later(delay, self._dispatch)
            else:
                loop.call_soon(self._dispatch)
        return future

    def _dispatch(self) -> None:
        self._scheduled = False
        loop = asyncio.get_running_loop()
        pending, self._pending = self._pending, {}
        keys = list(pending)
        self.keys += len(keys)
        for start in range(0, len(keys), self._max_batch):
            self.reads += 1
            batch = {key: pending[key] for key in keys[start:start + self._max_batch]}
            task = loop.create_task(self._read(batch))
            self._running.add(task)
            task.add_done_callback(self._running.discard)

    async def _read(self, batch: dict[K, list[asyncio.Future[V]]]) -> None:
        try:
            found = await self._fetch(list(batch))
        except BaseException as exc:  # every failure (a cancelled read too) must reach the waiting requests
            for futures in batch.values():
                for future in futures:
                    if not future.done():
                        future.set_exception(exc)
            if not isinstance(exc, Exception):
                raise
            return
        for key, futures in batch.items():
            value = found.get(key, self._missing)
            for future in futures:
                if not future.done():  # a request that gave up (its timeout) no longer waits
                    future.set_result(value)
