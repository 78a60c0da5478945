"""GraphQL API benchmark: 50 concurrent clients on loopback, `person` single view and 2-hop `network`.

    .venv/bin/python bench/api.py [--clients 50] [--seconds 30] [--workers 1] [--households 41600] [--stop-db]

Uses its own Neo4j (``/tmp/mashgraph-bench-api``, bolt port 7694; ``MASHGRAPH_BENCH_API_DATA_DIR`` /
``MASHGRAPH_BENCH_API_BOLT_PORT``). When that database holds no resolved people it runs the demo
(`mashgraph demo --households N`, about 4.8 records per household: 41,600 households is ~200k records).
The API runs as its own process (`mashgraph serve`, development mode with a benchmark-only key), and
the clients are a small keep-alive HTTP/1.1 client on asyncio (no client library overhead), each
sending its next request as soon as the previous answer arrives (closed loop: the clients run as fast as
the server answers, so this measures the most requests/s, and latency is then 50 / throughput by Little's
law). Every request is a real one: bearer token, X-Purpose, policy decisions and an audit entry written
before the response.

`--rate SCENARIO=R` (default `person=500`, the issue's throughput target) also runs that scenario at a
fixed offered load: the same 50 connections send R requests/s between them on a schedule (each connection
every clients/R seconds, staggered), the way wrk2 and locust's constant_throughput users do. Latency is
measured from each request's scheduled time, not from when it was sent, so a slow answer that delays the
next request counts against the server too (no coordinated omission). This gives the latency a case
management system sees while the service carries that load; the closed-loop run gives the capacity.

Each scenario is first run ``--warmup`` seconds unmeasured. When this run had to start the benchmark Neo4j, the
server is cold (its JIT compiles the hot statements over minutes of load), so the warm-up then goes on, 10 s at a
time, until Neo4j's CPU a request falls by less than 5% between rounds (at most 4 minutes).

Prints and writes (bench/results/api-<timestamp>.json) requests/s, p50/p95/p99 latency and errors per
scenario, and the CPU time the API processes and the Neo4j server spent per request (user + system,
from the kernel's accounting): on a machine shared with other work, latency and throughput depend on
the neighbours, CPU per request much less. Person ids are sampled from `ingest/export_records`; nothing
personal is printed.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import orjson
import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.harness import write_result  # noqa: E402
from graph_model.config import Settings  # noqa: E402
from graph_model.db import Database, connect  # noqa: E402
from graph_model.localdb import LocalNeo4j  # noqa: E402

DATA_DIR = Path(os.environ.get("MASHGRAPH_BENCH_API_DATA_DIR", "/tmp/mashgraph-bench-api"))
BOLT_PORT = int(os.environ.get("MASHGRAPH_BENCH_API_BOLT_PORT", "7694"))
SECRET = "benchmark-only-development-key-not-for-production-0123456789"

PERSON = """query SingleView($id: ID!) {
  person(id: $id) {
    id givenName familyName dob sex
    currentAddress { display postcode }
    identifiers { scheme value }
    agenciesInvolved { code }
    records(first: 20) { totalCount edges { node { id source sourceId givenName familyName dob } } }
    household { id size }
  }
}"""

NETWORK = """query Network($id: ID!) {
  network(personId: $id, hops: 2) {
    truncated
    nodes { id kind label }
    edges { source target kind evidence }
  }
}"""


def environment(port: int) -> dict[str, str]:
    # The server's own settings come from here, not from the caller's environment; only the batch window passes
    # through, to compare settings.
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("NEO4J_", "MASHGRAPH_")) or k == "MASHGRAPH_BATCH_WINDOW"}
    env.update({"MASHGRAPH_DATA_DIR": str(DATA_DIR), "MASHGRAPH_BOLT_PORT": str(BOLT_PORT),
                "MASHGRAPH_ENV": "development", "MASHGRAPH_JWT_SECRET": SECRET, "COLUMNS": "200"})
    return env


# A Neo4j this run starts is cold: its JIT compiles the hot statements over minutes of load (on 2026-12-06, two
# workers straight after a start: Neo4j 0.57 ms of CPU a single view and p95 65 ms after a 20 s warm-up, 0.40 ms and
# 56 ms after 60 s, against 0.30-0.33 ms and 46-50 ms warm). Its warm-up goes on, 10 s at a time, until Neo4j's CPU
# a request stops falling (less than 5% between rounds), for at most this long.
COLD_WARMUP_SECONDS = 240.0


def warm_up(port: int, requests: list[bytes], clients: int, seconds: float, database: list[psutil.Process],
            cold: bool) -> None:
    """Run the scenario ``seconds``; on a cold server, then until Neo4j's CPU a request is steady."""
    asyncio.run(run_scenario(port, requests, clients, seconds))
    if not cold or not database:
        return
    previous: float | None = None
    for _ in range(int(COLD_WARMUP_SECONDS // 10)):
        before = cpu_seconds(database)
        outcome = asyncio.run(run_scenario(port, requests, clients, 10.0))
        per_request = (cpu_seconds(database) - before) / max(outcome["requests"], 1)
        print(f"  warming a cold Neo4j: {1000 * per_request:.2f} ms of its CPU a request", flush=True)
        if previous is not None and per_request > 0.95 * previous:
            return
        previous = per_request


def ensure_data(households: int) -> tuple[Settings, bool]:
    """The bench database's settings, and whether this run started its server (then it is cold)."""
    settings = Settings(data_dir=DATA_DIR, bolt_port=BOLT_PORT, neo4j_heap="2g", neo4j_pagecache="1g")
    started = LocalNeo4j(settings).start()
    driver = connect(settings)
    try:
        counts = {row["label"]: row["nodes"] for row in Database(driver).run("status/count_by_label")}
    finally:
        driver.close()
    if not counts.get("Person"):
        print(f"no resolved people in {DATA_DIR}: running the demo with {households} households (minutes)")
        subprocess.run([sys.executable, "-m", "api.cli.main", "demo", "--households", str(households), "--seed", "7",
                        "--out", str(DATA_DIR / "data")], env=environment(0), check=True, cwd=ROOT)
    return settings, started


def sample_people(settings: Settings, count: int, seed: int = 11) -> tuple[list[str], int, int]:
    driver = connect(settings)
    try:
        db = Database(driver)
        people = sorted({row["person_id"] for row in db.stream("ingest/export_records") if row["person_id"]})
        records = sum(row["records"] for row in db.run("status/record_counts_by_source"))
    finally:
        driver.close()
    return random.Random(seed).sample(people, min(count, len(people))), len(people), records


def token() -> str:
    from api.auth import issue_dev_token
    from api.config import ApiSettings

    settings = ApiSettings(mode="development", jwt_secret=SECRET)
    return issue_dev_token(settings, user="bench", agency="police", role="practitioner", ttl=3600)


def request_bytes(port: int, bearer: str, query: str, person_id: str) -> bytes:
    body = orjson.dumps({"query": query, "variables": {"id": person_id}})
    head = (f"POST /graphql HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n"
            f"Authorization: Bearer {bearer}\r\nX-Purpose: s47_enquiry\r\nContent-Length: {len(body)}\r\n\r\n")
    return head.encode() + body


async def client(port: int, requests: list[bytes], stop_at: float, latencies: list[float], errors: list[int],
                 rng: random.Random) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        while time.perf_counter() < stop_at:
            payload = requests[rng.randrange(len(requests))]
            started = time.perf_counter()
            writer.write(payload)
            await writer.drain()
            status, body = await read_response(reader)
            latencies.append(time.perf_counter() - started)
            if status != 200 or b'"errors"' in body:
                errors.append(status)
    finally:
        writer.close()


async def paced_client(port: int, requests: list[bytes], first_at: float, interval: float, stop_at: float,
                       latencies: list[float], errors: list[int], rng: random.Random) -> None:
    """One connection sending a request every ``interval`` seconds from ``first_at``. If an answer comes
    after the next request was due, that request goes at once and its latency still counts from when it
    was due (HTTP/1.1 without pipelining: one request in flight per connection)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        due = first_at
        while due < stop_at:
            delay = due - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            writer.write(requests[rng.randrange(len(requests))])
            await writer.drain()
            status, body = await read_response(reader)
            latencies.append(time.perf_counter() - due)
            if status != 200 or b'"errors"' in body:
                errors.append(status)
            due += interval
    finally:
        writer.close()


async def read_response(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    status_line = await reader.readline()
    length = 0
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b""):
            break
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    body = await reader.readexactly(length)
    return (int(status_line.split()[1]) if status_line else 0), body


def connections_per_worker(server_pid: int, port: int) -> list[int]:
    """How many of the clients' connections each API process holds, most first (with several workers,
    the slowest share sets the tail latency)."""
    held: list[int] = []
    for process in [psutil.Process(server_pid), *psutil.Process(server_pid).children()]:
        try:
            count = sum(1 for c in process.net_connections("tcp")
                        if c.status == psutil.CONN_ESTABLISHED and c.laddr.port == port)
        except (psutil.Error, OSError):
            continue
        if count:
            held.append(count)
    return sorted(held, reverse=True)


async def run_scenario(port: int, requests: list[bytes], clients: int, seconds: float,
                       rate: float | None = None, server_pid: int | None = None) -> dict[str, Any]:
    """Closed loop (``rate`` None: each client sends when its previous answer arrives) or a fixed offered
    load of ``rate`` requests/s spread over the clients. With ``server_pid``, also how the connections
    were shared between the API's processes (looked at a second in, when every client has connected)."""
    latencies: list[float] = []
    errors: list[int] = []
    split: list[int] = []
    started = time.perf_counter()
    stop_at = started + seconds

    async def look_at_split() -> None:
        await asyncio.sleep(min(1.0, seconds / 2))
        if server_pid is not None:
            split.extend(connections_per_worker(server_pid, port))

    looking = asyncio.create_task(look_at_split())
    if rate is None:
        await asyncio.gather(*(client(port, requests, stop_at, latencies, errors, random.Random(i))
                               for i in range(clients)))
    else:
        interval = clients / rate
        await asyncio.gather(*(paced_client(port, requests, started + i / rate, interval, stop_at, latencies, errors,
                                            random.Random(i)) for i in range(clients)))
    elapsed = time.perf_counter() - started
    await looking
    latencies.sort()

    def pct(p: float) -> float:
        return round(1000 * latencies[min(len(latencies) - 1, int(p * len(latencies)))], 2) if latencies else 0.0

    return {"requests": len(latencies), "seconds": round(elapsed, 2),
            "requests_per_second": round(len(latencies) / elapsed, 1), "p50_ms": pct(0.50), "p95_ms": pct(0.95),
            "p99_ms": pct(0.99), "mean_ms": round(1000 * statistics.fmean(latencies), 2) if latencies else 0.0,
            "errors": len(errors), "error_statuses": sorted(set(errors)), "connections_per_worker": split}


def parse_rates(values: list[str]) -> dict[str, float]:
    """``["person=500"]`` -> ``{"person": 500.0}``; ``["none"]`` -> ``{}``."""
    rates: dict[str, float] = {}
    for value in values:
        if value == "none":
            continue
        scenario, separator, rate = value.partition("=")
        if not separator or scenario not in ("person", "network_2_hops") or float(rate) <= 0:
            raise SystemExit(f"--rate expects person=R or network_2_hops=R with R > 0, not {value!r}")
        rates[scenario] = float(rate)
    return rates


def cpu_seconds(processes: list[psutil.Process]) -> float:
    """User + system CPU seconds of these processes and their children (uvicorn's workers)."""
    total = 0.0
    for process in processes:
        try:
            for member in (process, *process.children(recursive=True)):
                times = member.cpu_times()
                total += times.user + times.system
        except psutil.NoSuchProcess:
            continue
    return total


def neo4j_process(data_dir: Path = DATA_DIR) -> psutil.Process | None:
    """The Neo4j server of a bench database (by its data dir), for its CPU time."""
    home = str(data_dir / "neo4j")
    for process in psutil.process_iter(["cmdline"]):
        cmdline = process.info.get("cmdline") or []
        if any(home in part for part in cmdline) and any("CommunityEntryPoint" in part for part in cmdline):
            return process
    return None


def wait_ready(port: int, process: subprocess.Popen[bytes], timeout: float = 120) -> None:
    import urllib.request

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("the API server exited")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError("the API server did not become ready")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--warmup", type=float, default=5.0)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--port", type=int, default=8731)
    parser.add_argument("--households", type=int, default=41600)
    parser.add_argument("--sample", type=int, default=5000, help="How many person ids to draw requests from.")
    parser.add_argument("--probe-seconds", type=float, default=10.0,
                        help="Also run each scenario with one client this long (latency without queueing; 0: skip).")
    parser.add_argument("--rate", action="append", default=None, metavar="SCENARIO=R",
                        help="Also run SCENARIO (person, network_2_hops) at a fixed R requests/s over the same "
                             "clients; repeatable (default: person=500; 'none' to skip).")
    parser.add_argument("--stop-db", action="store_true", help="Stop the benchmark Neo4j at the end.")
    args = parser.parse_args()
    rates = parse_rates(args.rate if args.rate is not None else ["person=500"])

    settings, started = ensure_data(args.households)
    if started:
        print("the benchmark Neo4j was just started: each scenario warms it until its CPU a request is steady")
    people, total_people, total_records = sample_people(settings, args.sample)
    print(f"database: {total_records} records, {total_people} people; sampling {len(people)} person ids")
    bearer = token()
    server = subprocess.Popen([sys.executable, "-m", "api.cli.main", "serve", "--port", str(args.port),
                               "--workers", str(args.workers), "--log-level", "warning"],
                              env=environment(args.port), cwd=ROOT)
    results: dict[str, Any] = {"clients": args.clients, "seconds": args.seconds, "workers": args.workers,
                               "warmup_seconds": args.warmup, "neo4j_started_by_bench": started,
                               "records": total_records, "people": total_people, "cpus": os.cpu_count(),
                               "load_average_before": os.getloadavg(), "scenarios": {}}
    found = neo4j_process()
    database = [found] if found is not None else []
    try:
        wait_ready(args.port, server)
        scenarios = {"person": [request_bytes(args.port, bearer, PERSON, p) for p in people],
                     "network_2_hops": [request_bytes(args.port, bearer, NETWORK, p) for p in people]}
        for name, requests in scenarios.items():
            warm_up(args.port, requests, args.clients, args.warmup, database, started)
            runs: list[tuple[str, int, float, float | None]] = [(name, args.clients, args.seconds, None)]
            if name in rates:
                runs.append((f"{name}_at_{rates[name]:g}_per_s", args.clients, args.seconds, rates[name]))
            if args.probe_seconds > 0:
                runs.append((f"{name}_1_client", 1, args.probe_seconds, None))
            for label, clients, seconds, rate in runs:
                api_before, db_before = cpu_seconds([psutil.Process(server.pid)]), cpu_seconds(database)
                generator_before = time.process_time()  # this process alone: the API server is its child
                outcome = asyncio.run(run_scenario(args.port, requests, clients, seconds, rate, server.pid))
                done = max(outcome["requests"], 1)
                outcome["generator_cpu_ms_per_request"] = round(
                    1000 * (time.process_time() - generator_before) / done, 2)
                outcome["api_cpu_ms_per_request"] = round(1000 * (cpu_seconds([psutil.Process(server.pid)])
                                                                  - api_before) / done, 2)
                outcome["neo4j_cpu_ms_per_request"] = round(1000 * (cpu_seconds(database) - db_before) / done, 2)
                outcome["load_average"] = os.getloadavg()[0]
                outcome["clients"] = clients
                outcome["offered_requests_per_second"] = rate
                results["scenarios"][label] = outcome
                print(f"{label:<30} {clients:>3} clients {outcome['requests_per_second']:>8} req/s  p50 "
                      f"{outcome['p50_ms']:>7} ms  p95 {outcome['p95_ms']:>7} ms  p99 {outcome['p99_ms']:>7} ms  "
                      f"errors {outcome['errors']}  cpu/request api {outcome['api_cpu_ms_per_request']} ms "
                      f"neo4j {outcome['neo4j_cpu_ms_per_request']} ms "
                      f"generator {outcome['generator_cpu_ms_per_request']} ms  load {outcome['load_average']:.1f}"
                      + (f"  connections per worker {outcome['connections_per_worker']}" if args.workers > 1 else ""))
    finally:
        server.terminate()
        server.wait(30)
        if args.stop_db:
            LocalNeo4j(settings).stop()
    results["load_average_after"] = os.getloadavg()
    path = write_result("api", results)
    print(f"load average (all users of the machine) before {results['load_average_before'][0]:.1f}, "
          f"after {results['load_average_after'][0]:.1f}")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
