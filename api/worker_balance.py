"""Even shares of connections between the worker processes of ``mashgraph serve --workers N``.

uvicorn's workers share one listening socket, and the worker whose event loop wakes first accepts every
connection waiting (asyncio and uvloop both accept until none is left). Keep-alive clients connect once
and stay, so a burst of connections (a case management system's pool, the benchmark's 50 clients) landed
38/12, 39/11, 49/1 and 50/0 on two workers (measured): the busy worker's requests queued behind up to
twice their fair share of others while the other worker idled, and the tail latency followed the busy one.

Here each worker publishes how many connections it holds in a small table shared by the workers (a
memory-mapped file the supervisor creates, one slot a worker), and a worker holding more than the least
loaded live worker leaves a waiting connection in the queue for that one. It waits for that no longer
than ``GRACE`` seconds: a worker that is blocked, or died and was not yet replaced, never stops the
others from accepting, and a count left wrong by a lost connection costs at most that delay.

Used through uvicorn's custom event loop setting (``loop="api.worker_balance:balanced_event_loop"``):
uvicorn hands the shared socket to ``create_server``, which this loop wraps; the loop is asyncio's own
selector loop otherwise (uvloop accepts inside libuv, where no decision can be made: it measured the same
API CPU a request under the benchmark, 1.40-1.25 ms against 1.41-1.20 ms with uvloop).
"""

from __future__ import annotations

import asyncio
import errno
import fcntl
import mmap
import os
import socket
import tempfile
import time
from pathlib import Path
from typing import Any

from graph_model.processes import process_alive

__all__ = ["GRACE", "TABLE_ENV", "BalancedEventLoop", "ConnectionTable", "balanced_event_loop", "create_table"]

#: The environment variable that names the table to the worker processes (set by ``mashgraph serve``).
TABLE_ENV = "MASHGRAPH_WORKER_CONNECTION_TABLE"
#: The longest a waiting connection is left for a less loaded worker, in seconds.
GRACE = 0.02
_SLOTS = 64  # `serve --workers` allows at most 32
_CELLS = 2  # a slot: the worker's pid, the connections it holds


def create_table(directory: Path | None = None) -> Path:
    """A new, empty connection table (in memory, /dev/shm, where there is one). The caller removes it."""
    if directory is None and Path("/dev/shm").is_dir():
        directory = Path("/dev/shm")
    descriptor, name = tempfile.mkstemp(prefix="mashgraph-workers-", dir=directory)
    try:
        os.ftruncate(descriptor, _SLOTS * _CELLS * 8)
    finally:
        os.close(descriptor)
    return Path(name)


class ConnectionTable:
    """This worker's slot in the shared table, and what the other workers hold.

    Only a slot's owner writes its count, so reads and writes need no lock (8-byte aligned integers); a
    lock is taken only to claim a slot, or free a dead worker's.
    """

    def __init__(self, path: Path) -> None:
        self._descriptor = os.open(path, os.O_RDWR)
        self._map = mmap.mmap(self._descriptor, _SLOTS * _CELLS * 8)
        self._cells = memoryview(self._map).cast("q")
        self.pid = os.getpid()
        self.slot = -1

    def join(self) -> None:
        """Take a slot: this worker now accepts connections (uvicorn creates its server after its startup, so
        a worker still starting is not counted as one that holds few)."""
        if self.slot < 0:
            self.slot = self._claim()

    def _claim(self) -> int:
        fcntl.flock(self._descriptor, fcntl.LOCK_EX)
        try:
            for slot in range(_SLOTS):
                pid = self._cells[slot * _CELLS]
                if pid == 0 or pid == self.pid or not process_alive(pid):
                    self._cells[slot * _CELLS] = self.pid
                    self._cells[slot * _CELLS + 1] = 0
                    return slot
        finally:
            fcntl.flock(self._descriptor, fcntl.LOCK_UN)
        raise RuntimeError(f"the worker connection table has no free slot ({_SLOTS} workers at most)")

    @property
    def held(self) -> int:
        return int(self._cells[self.slot * _CELLS + 1])

    def opened(self) -> None:
        assert self.slot >= 0, "join() first"
        self._cells[self.slot * _CELLS + 1] += 1

    def closed(self) -> None:
        assert self.slot >= 0, "join() first"
        self._cells[self.slot * _CELLS + 1] -= 1

    def counts(self) -> dict[int, int]:
        """Connections held, by the pid of each worker serving (this one's included)."""
        cells = self._cells
        return {cells[s * _CELLS]: cells[s * _CELLS + 1] for s in range(_SLOTS) if cells[s * _CELLS]}

    def least_loaded_elsewhere(self) -> tuple[int, int] | None:
        """(pid, connections) of the other worker holding fewest connections, or None when there is none."""
        cells = self._cells
        best: tuple[int, int] | None = None
        for slot in range(_SLOTS):
            pid = cells[slot * _CELLS]
            if pid == 0 or slot == self.slot:
                continue
            held = cells[slot * _CELLS + 1]
            if best is None or held < best[1]:
                best = (pid, held)
        return best

    def should_leave(self) -> bool:
        """Whether a waiting connection is better left to another worker (one holding fewer)."""
        if self.slot < 0:
            return False
        other = self.least_loaded_elsewhere()
        if other is None or other[1] >= self.held:
            return False
        if process_alive(other[0]):
            return True
        self._free(other[0])  # died (uvicorn starts another): its count no longer means anything
        return self.should_leave()

    def _free(self, pid: int) -> None:
        fcntl.flock(self._descriptor, fcntl.LOCK_EX)
        try:
            for slot in range(_SLOTS):
                if self._cells[slot * _CELLS] == pid and not process_alive(pid):
                    self._cells[slot * _CELLS] = 0
                    self._cells[slot * _CELLS + 1] = 0
        finally:
            fcntl.flock(self._descriptor, fcntl.LOCK_UN)


class _Connection(socket.socket):
    """An accepted connection that gives its place in the table back when it is closed."""

    __slots__ = ("_table",)

    _table: ConnectionTable | None

    def close(self) -> None:
        table, self._table = self._table, None
        if table is not None:
            table.closed()
        super().close()


class _BalancedListener(socket.socket):
    """The shared listening socket, as this worker's event loop accepts from it."""

    __slots__ = ("_last_left", "_leaving_since", "_table")

    _table: ConnectionTable
    _leaving_since: float
    _last_left: float

    def accept(self) -> tuple[socket.socket, Any]:
        if self._table.should_leave():
            now = time.monotonic()
            if now - self._last_left > GRACE:  # a new wait (not the same connection seen again)
                self._leaving_since = now
            self._last_left = now
            if now - self._leaving_since < GRACE:
                # The selector reports the socket again on the next pass (level-triggered): until another
                # worker takes the connection, or the grace runs out and this one does.
                raise BlockingIOError(errno.EAGAIN, "left for a less loaded worker")
        descriptor, address = self._accept()  # type: ignore[attr-defined]
        connection = _Connection(self.family, self.type, self.proto, fileno=descriptor)
        connection._table = self._table
        self._table.opened()
        self._last_left = 0.0
        return connection, address


def _balanced(sock: socket.socket, table: ConnectionTable) -> _BalancedListener:
    listener = _BalancedListener(sock.family, sock.type, sock.proto, fileno=os.dup(sock.fileno()))
    listener._table = table
    listener._leaving_since = listener._last_left = 0.0
    return listener


class BalancedEventLoop(asyncio.SelectorEventLoop):
    """asyncio's selector loop, accepting TCP connections on a socket handed in only in its fair share."""

    def __init__(self, table: ConnectionTable) -> None:
        super().__init__()
        self.connection_table = table

    async def create_server(self, protocol_factory: Any, host: Any = None, port: Any = None, *,  # type: ignore[override]
                            sock: socket.socket | None = None, **kwargs: Any) -> asyncio.Server:
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            self.connection_table.join()
            sock = _balanced(sock, self.connection_table)
        return await super().create_server(protocol_factory, host, port, sock=sock, **kwargs)


def balanced_event_loop() -> asyncio.AbstractEventLoop:
    """uvicorn's event loop factory in a worker process of ``mashgraph serve --workers N``: the table is
    named by ``MASHGRAPH_WORKER_CONNECTION_TABLE`` (set by the supervisor); without it, asyncio's own loop."""
    path = os.environ.get(TABLE_ENV)
    if not path:
        return asyncio.SelectorEventLoop()
    return BalancedEventLoop(ConnectionTable(Path(path)))
