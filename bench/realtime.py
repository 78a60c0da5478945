"""Real-time API benchmark: `ingestRecords` one record per call from 1 and from 8 concurrent clients, and
`matchRecord` from 1 client, over real HTTP against a database of ~200k resolved records.

    .venv/bin/python bench/realtime.py [--seconds 30] [--households 41600] [--port 8741] [--stop-db]

Uses its own Neo4j (``/tmp/mashgraph-bench-realtime``, bolt port 7695, heap 3g; ``MASHGRAPH_BENCH_REALTIME_DATA_DIR``
/ ``MASHGRAPH_BENCH_REALTIME_BOLT_PORT``; ``MASHGRAPH_BENCH_REALTIME_MODEL``: another model file).
When it holds no resolved people it runs the demo (`mashgraph demo
--households N --seed 7`, as bench/api.py does; 41,600 households is ~205k records) and resolves them.

The API runs as its own process (`mashgraph serve`, development mode with a benchmark-only key); the clients are
bench/api.py's keep-alive HTTP/1.1 clients. Every request is a real one: bearer token, X-Purpose, the policy
decision point and an audit entry written before the response.

* push: each request pushes one new record as its agency's system (role system, purpose data_submission): a
  record of the generated data with a new source id (``rt<run>-<n>``), so it is a further record of a person the
  graph already knows (the common case: another agency's or a later record of a known child), and each push is
  stored, scored against its candidates, its person's component re-clustered and households re-formed, in one
  transaction. No payload is sent twice.
* match: `matchRecord` with a record of the data (as a steward in data_stewardship, who may see every agency's
  records), nothing stored.

Prints and writes (bench/results/realtime-<timestamp>.json) p50/p95/p99 latency, requests (records)/s and errors
per scenario, the records stored (checked in the database), and the machine's load average before and after.
Nothing personal is printed.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import random
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import orjson

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.api import run_scenario, wait_ready  # noqa: E402
from bench.harness import read_records, write_result  # noqa: E402
from graph_model.config import Settings  # noqa: E402
from graph_model.db import Database, connect  # noqa: E402
from graph_model.localdb import LocalNeo4j  # noqa: E402

DATA_DIR = Path(os.environ.get("MASHGRAPH_BENCH_REALTIME_DATA_DIR", "/tmp/mashgraph-bench-realtime"))
BOLT_PORT = int(os.environ.get("MASHGRAPH_BENCH_REALTIME_BOLT_PORT", "7695"))
SECRET = "benchmark-only-development-key-not-for-production-realtime-0123456789"

PUSH = """mutation Push($records: [RecordInput!]!) {
  ingestRecords(records: $records) { sourceId personId householdId status error { code } }
}"""
MATCH = """query Match($record: RecordInput!) {
  matchRecord(record: $record, first: 5) { edges { node { person { id } score weight } } }
}"""


def environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEO4J_", "MASHGRAPH_"))}
    env.update({"MASHGRAPH_DATA_DIR": str(DATA_DIR), "MASHGRAPH_BOLT_PORT": str(BOLT_PORT),
                "MASHGRAPH_NEO4J_HEAP": "3g", "MASHGRAPH_NEO4J_PAGECACHE": "1g",
                "MASHGRAPH_ENV": "development", "MASHGRAPH_JWT_SECRET": SECRET, "COLUMNS": "200"})
    if os.environ.get("MASHGRAPH_BENCH_REALTIME_MODEL"):
        # A model file other than the one the last resolve saved (a missing file: the shipped default model),
        # e.g. when the comparisons changed since the benchmark database was resolved.
        env["MASHGRAPH_LINKAGE_MODEL"] = os.environ["MASHGRAPH_BENCH_REALTIME_MODEL"]
    return env


def ensure_data(households: int) -> tuple[Settings, dict[str, int]]:
    settings = Settings(data_dir=DATA_DIR, bolt_port=BOLT_PORT, neo4j_heap="3g", neo4j_pagecache="1g")
    LocalNeo4j(settings).start()
    counts = _counts(settings)
    if not counts.get("Person"):
        print(f"no resolved people in {DATA_DIR}: running the demo with {households} households (many minutes)")
        subprocess.run([sys.executable, "-m", "api.cli.main", "demo", "--households", str(households), "--seed", "7",
                        "--out", str(DATA_DIR / "data")], env=environment(), check=True, cwd=ROOT)
        counts = _counts(settings)
    return settings, counts


def _counts(settings: Settings) -> dict[str, int]:
    driver = connect(settings)
    try:
        return {row["label"]: row["nodes"] for row in Database(driver).run("status/count_by_label")}
    finally:
        driver.close()


def as_input(record: dict[str, Any], source_id: str | None = None) -> dict[str, Any]:
    """A canonical record as a GraphQL RecordInput (extra agency fields have no place in it and are left out)."""
    out: dict[str, Any] = {"source": record["source"], "sourceId": source_id or record["source_id"]}
    for canonical, name in (("given_name", "givenName"), ("middle_names", "middleNames"), ("family_name", "familyName"),
                            ("dob", "dob"), ("sex", "sex"), ("phones", "phones"), ("emails", "emails"),
                            ("recorded_at", "recordedAt")):
        if record.get(canonical):
            out[name] = record[canonical]
    addresses = [{k: a.get(k) for k in ("line1", "line2", "town", "postcode", "from", "to")}
                 for a in record.get("addresses") or [] if a.get("line1")]
    if addresses:
        out["addresses"] = addresses
    identifiers = [{"scheme": k, "value": str(v)} for k, v in (record.get("identifiers") or {}).items() if v]
    if identifiers:
        out["identifiers"] = identifiers
    if record.get("school") and record["school"].get("urn"):
        out["school"] = {"urn": record["school"]["urn"], "name": record["school"].get("name")}
    return out


def request_bytes(port: int, bearer: str, purpose: str, query: str, variables: dict[str, Any]) -> bytes:
    body = orjson.dumps({"query": query, "variables": variables})
    head = (f"POST /graphql HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n"
            f"Authorization: Bearer {bearer}\r\nX-Purpose: {purpose}\r\nContent-Length: {len(body)}\r\n\r\n")
    return head.encode() + body


class EachOnce(Sequence[bytes]):
    """Hands bench/api.py's clients the next unused request whatever index they draw: no record is pushed twice."""

    def __init__(self, requests: Iterator[bytes], size: int) -> None:
        self._requests = requests
        self._size = size
        self.used = 0

    def __len__(self) -> int:
        return self._size

    def __getitem__(self, index: Any) -> Any:
        self.used += 1
        return next(self._requests)


def token(agency: str, role: str) -> str:
    from api.auth import issue_dev_token
    from api.config import ApiSettings

    return issue_dev_token(ApiSettings(mode="development", jwt_secret=SECRET), user="bench", agency=agency, role=role,
                           ttl=7200)


def stored_pushes(settings: Settings, prefix: str) -> int:
    driver = connect(settings)
    try:
        rows, _, _ = driver.execute_query(
            "MATCH (r:Record) WHERE r.source_id STARTS WITH $prefix AND (r)-[:RESOLVES_TO]->() RETURN count(r) AS n",
            prefix=prefix)
        return int(rows[0]["n"])
    finally:
        driver.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--warmup", type=float, default=5.0)
    parser.add_argument("--port", type=int, default=8741)
    parser.add_argument("--households", type=int, default=41600)
    parser.add_argument("--stop-db", action="store_true", help="Stop the benchmark Neo4j at the end.")
    args = parser.parse_args()

    settings, counts = ensure_data(args.households)
    files = sorted((DATA_DIR / "data").glob("*.jsonl"))
    records = [r for r in read_records(files) if r.get("source") and (r.get("family_name") or r.get("identifiers"))]
    rng = random.Random(13)
    rng.shuffle(records)
    print(f"database: {counts.get('Record', 0)} records, {counts.get('Person', 0)} people; "
          f"{len(records)} records to draw pushes and matches from")
    run = uuid.uuid4().hex[:6]
    prefix = f"rt{run}-"
    tokens = {source: token(source, "system") for source in {r["source"] for r in records}}
    steward = token("mash", "steward")
    numbered = iter(range(10**9))

    def pushes() -> Iterator[bytes]:
        for record in itertools.cycle(records):
            source_id = f"{prefix}{next(numbered)}"
            yield request_bytes(args.port, tokens[record["source"]], "data_submission", PUSH,
                                {"records": [as_input(record, source_id)]})

    matches = [request_bytes(args.port, steward, "data_stewardship", MATCH, {"record": as_input(r)})
               for r in records[:5000]]
    server = subprocess.Popen([sys.executable, "-m", "api.cli.main", "serve", "--port", str(args.port),
                               "--workers", "1", "--log-level", "warning"], env=environment(), cwd=ROOT)
    results: dict[str, Any] = {"seconds": args.seconds, "records": counts.get("Record", 0),
                               "people": counts.get("Person", 0), "cpus": os.cpu_count(),
                               "load_average_before": os.getloadavg(), "scenarios": {}}
    try:
        wait_ready(args.port, server)
        source = EachOnce(pushes(), 10**9)
        asyncio.run(run_scenario(args.port, source, 1, args.warmup))
        asyncio.run(run_scenario(args.port, matches, 1, args.warmup))
        for label, requests, clients, unit in (("push_1_client", source, 1, "records"),
                                                ("push_8_clients", source, 8, "records"),
                                                ("match_1_client", matches, 1, "requests")):
            before = source.used
            load = os.getloadavg()
            started = time.perf_counter()
            outcome = asyncio.run(run_scenario(args.port, requests, clients, args.seconds))
            outcome.update(clients=clients, load_average=load, unit=unit)
            if requests is source:
                outcome["pushed"] = source.used - before
            results["scenarios"][label] = outcome
            print(f"{label:<16} {clients:>2} clients {outcome['requests_per_second']:>7} {unit}/s  p50 "
                  f"{outcome['p50_ms']:>7} ms  p95 {outcome['p95_ms']:>7} ms  p99 {outcome['p99_ms']:>7} ms  "
                  f"errors {outcome['errors']}  ({time.perf_counter() - started:.0f} s, load {load[0]:.1f})")
        results["pushes_sent"] = source.used
        results["pushes_stored_and_resolved"] = stored_pushes(settings, prefix)
        print(f"pushes sent {source.used}, stored and resolved {results['pushes_stored_and_resolved']}")
    finally:
        server.terminate()
        server.wait(60)
        if args.stop_db:
            LocalNeo4j(settings).stop()
    results["load_average_after"] = os.getloadavg()
    path = write_result("realtime", results)
    print(f"load average (all users of the machine) before {results['load_average_before'][0]:.1f}, "
          f"after {results['load_average_after'][0]:.1f}")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
