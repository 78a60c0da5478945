"""Even shares of connections between `mashgraph serve --workers N` processes (api/worker_balance.py)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import psutil
import pytest

from api.worker_balance import GRACE, TABLE_ENV, BalancedEventLoop, ConnectionTable, create_table
from graph_model.config import Settings
from tests.api.conftest import TEST_SECRET
from tests.api.helpers import free_port, serve_env

ROOT = Path(__file__).resolve().parents[2]

# Another worker: claims a slot, holds the connections it is told to, and waits until its stdin closes.
_OTHER_WORKER = """
import sys
from pathlib import Path
from api.worker_balance import ConnectionTable
table = ConnectionTable(Path(sys.argv[1]))
table.join()
for _ in range(int(sys.argv[2])):
    table.opened()
print(table.slot, flush=True)
sys.stdin.read()
"""


@pytest.fixture
def table_path(tmp_path: Path) -> Iterator[Path]:
    path = create_table(tmp_path)
    yield path
    path.unlink(missing_ok=True)


def _other_worker(table_path: Path, holding: int) -> subprocess.Popen[str]:
    process = subprocess.Popen([sys.executable, "-c", _OTHER_WORKER, str(table_path), str(holding)], cwd=ROOT,
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None and process.stdout.readline().strip().isdigit()
    return process


def _stop(process: subprocess.Popen[str]) -> None:
    assert process.stdin is not None
    process.stdin.close()
    process.wait(10)


def test_a_worker_leaves_connections_to_a_less_loaded_live_worker(table_path: Path) -> None:
    table = ConnectionTable(table_path)
    table.join()
    other = _other_worker(table_path, holding=2)
    try:
        assert table.counts() == {os.getpid(): 0, other.pid: 2}
        assert not table.should_leave()  # holding fewer
        table.opened()
        table.opened()
        assert not table.should_leave()  # as many: either may take it
        table.opened()
        assert table.should_leave()  # more than the other
        table.closed()
        assert not table.should_leave()
        table.opened()
    finally:
        _stop(other)
    # A dead worker's count means nothing: its slot is freed, and a new worker may claim it.
    assert not table.should_leave()
    assert table.counts() == {os.getpid(): 3}
    replacement = _other_worker(table_path, holding=0)
    try:
        assert table.should_leave() and table.counts()[replacement.pid] == 0
    finally:
        _stop(replacement)


def test_a_waiting_connection_is_taken_after_the_grace_when_no_other_worker_does(table_path: Path) -> None:
    table = ConnectionTable(table_path)
    other = _other_worker(table_path, holding=0)
    loop = BalancedEventLoop(table)
    try:
        async def accept_one() -> tuple[float, int]:
            accepted = loop.create_future()

            def connection_made(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
                accepted.set_result(time.monotonic())

            with socket.create_server(("127.0.0.1", 0)) as listening:
                server = await asyncio.start_server(connection_made, sock=listening)
                table.opened()  # this worker (serving now) holds one connection, the other none
                port = listening.getsockname()[1]
                started = time.monotonic()
                _, writer = await asyncio.open_connection("127.0.0.1", port)
                taken = await asyncio.wait_for(accepted, 10)
                held = table.held
                writer.close()
                server.close()
                await server.wait_closed()
            return taken - started, held

        waited, held = loop.run_until_complete(accept_one())
    finally:
        loop.close()
        _stop(other)
    # The other worker never accepts (it is not serving): this one waits the grace, then takes it.
    assert waited >= GRACE
    assert held == 2


@pytest.mark.slow
def test_two_workers_take_even_shares_of_keep_alive_connections(test_settings: Settings) -> None:
    port = free_port()
    env = serve_env(test_settings, TEST_SECRET)
    process = subprocess.Popen([sys.executable, "-m", "api.cli.main", "serve", "--port", str(port), "--workers", "2",
                                "--log-level", "warning"], env=env, cwd=ROOT, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT)
    connections: list[socket.socket] = []
    try:
        deadline = time.monotonic() + 120
        workers: list[psutil.Process] = []
        table: ConnectionTable | None = None
        serving: dict[int, int] = {}
        while len(workers) < 2 or len(serving) < 2 or not _ready(port):
            assert process.poll() is None, process.stdout.read()  # type: ignore[union-attr]
            assert time.monotonic() < deadline, (workers, serving)
            time.sleep(0.3)
            workers = _workers(process.pid, port)
            with contextlib.suppress(IndexError, KeyError, psutil.Error, OSError):
                # The supervisor names the table to its workers (their environment).
                table = ConnectionTable(Path(workers[0].environ()[TABLE_ENV]))
                serving = table.counts()
        # A burst of keep-alive connections, as a client's connection pool opens them, each then used.
        connections = [socket.create_connection(("127.0.0.1", port), timeout=30) for _ in range(20)]
        for connection in connections:
            connection.sendall(f"GET /readyz HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode())
        for connection in connections:
            assert connection.recv(65536).startswith(b"HTTP/1.1 200 ")
        held = sorted(sum(1 for c in worker.net_connections("tcp")
                          if c.status == psutil.CONN_ESTABLISHED and c.laddr.port == port) for worker in workers)
        assert sum(held) == 20
        # Without the balance, one worker took 38, 39, 49 or 50 of 50 such connections (one grace may run out
        # on a busy machine).
        assert held[1] - held[0] <= 2, held
        # The table counts what the kernel shows each worker holding, and a connection closed is given back.
        assert table is not None and sorted(table.counts().values()) == held
        for connection in connections:
            connection.close()
        while sum(table.counts().values()) > 0:
            assert time.monotonic() < deadline, table.counts()
            time.sleep(0.1)
    finally:
        for connection in connections:
            connection.close()
        process.terminate()
        process.wait(30)


def _workers(pid: int, port: int) -> list[psutil.Process]:
    """The server's worker processes: its children that listen on the port."""
    found = []
    for child in psutil.Process(pid).children():
        try:
            if any(c.status == psutil.CONN_LISTEN and c.laddr.port == port for c in child.net_connections("tcp")):
                found.append(child)
        except (psutil.Error, OSError):  # a helper process that came and went
            continue
    return found


def _ready(port: int) -> bool:
    try:
        return httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code == 200
    except httpx.TransportError:
        return False
