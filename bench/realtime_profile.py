"""Where a real-time push and a matchRecord spend their time: per statement round trips and database time,
Python CPU per push, and the Neo4j server's CPU per push, without HTTP or the API around them.

    .venv/bin/python bench/realtime_profile.py [--pushes 300] [--matches 300] [--profile] [--seed 13]

Runs against bench/realtime.py's database (same data dir and port; run that first, it builds and resolves the
~205k records). Pushes go through the real resolver (``IncrementalResolver.store_and_resolve`` in one write
transaction, with the lock) as new records (``rp<run>-<n>``) copied from the generated data, like
bench/realtime.py's pushes; matches score records of the data without storing anything.

Wall-clock figures under other agents' load are distorted: the counts (round trips, candidates, component
sizes) and CPU milliseconds are what compare runs. ``--profile`` adds a cProfile of the Python side (top
functions by own time). Nothing personal is printed: statement names, counts and milliseconds only.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import random
import statistics
import sys
import time
import uuid
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import cypher  # noqa: E402
from bench.api import cpu_seconds, neo4j_process  # noqa: E402
from bench.harness import read_records, write_result  # noqa: E402
from bench.realtime import BOLT_PORT, DATA_DIR  # noqa: E402
from graph_model.config import Settings  # noqa: E402
from graph_model.db import Database, connect  # noqa: E402
from graph_model.records import RecordRejected, prepare  # noqa: E402
from resolvers.incremental import IncrementalResolver  # noqa: E402
from resolvers.pipeline import ResolveOptions  # noqa: E402

_NAME_OF_TEXT = {cypher.text(name): name for name in cypher.all_statements()}


class _Eager:
    """A statement's result, fetched at once (so its database time is measured where it is run)."""

    def __init__(self, records: list[Any], summary: Any) -> None:
        self._records, self._summary = records, summary

    def __iter__(self) -> Iterator[Any]:
        return iter(self._records)

    def consume(self) -> Any:
        return self._summary


class CountingTransaction:
    """Wraps a managed transaction: every statement's name, round trip and wall time are recorded."""

    def __init__(self, tx: Any, log: list[tuple[str, float]]) -> None:
        self._tx, self._log = tx, log

    def run(self, text: str, parameters: dict[str, Any] | None = None, **kwargs: Any) -> _Eager:
        started = time.perf_counter()
        name = _NAME_OF_TEXT.get(text, "adhoc")
        result = self._tx.run(("PROFILE " if PROFILED else "") + text, parameters, **kwargs)
        records = list(result)
        summary = result.consume()
        self._log.append((name, time.perf_counter() - started))
        if PROFILED and summary.profile:
            operators: list[tuple[int, str, str]] = []
            _operators(summary.profile, operators)
            PROFILED.append((time.perf_counter() - started, name, sum(o[0] for o in operators),
                             sorted(operators, reverse=True)[:6]))
        return _Eager(records, summary)


PROFILED: list[Any] = []  # with --db-profile: (seconds, statement, db hits, top operators) per statement run


def _operators(plan: dict[str, Any], out: list[tuple[int, str, str]]) -> None:
    out.append((int(plan.get("dbHits", 0)), str(plan.get("operatorType")),
                str(plan.get("args", {}).get("Details", ""))[:120]))
    for child in plan.get("children", []):
        _operators(child, out)


def server_cpu_seconds(server: psutil.Process | None) -> float:
    """The bench Neo4j's CPU seconds so far (NaN when its process was not found)."""
    return cpu_seconds([server]) if server is not None else float("nan")


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def summarise(label: str, walls: list[float], cpus: list[float], logs: list[list[tuple[str, float]]],
              server_cpu: float, extra: dict[str, list[float]]) -> dict[str, Any]:
    n = len(walls)
    by_statement: dict[str, list[float]] = defaultdict(list)
    for log in logs:
        for name, seconds in log:
            by_statement[name].append(seconds)
    trips = [len(log) for log in logs]
    db_ms = [sum(s for _, s in log) * 1000 for log in logs]
    out: dict[str, Any] = {
        "operations": n,
        "wall_ms": {"p50": round(percentile(walls, .5) * 1000, 1), "p95": round(percentile(walls, .95) * 1000, 1),
                    "max": round(max(walls) * 1000, 1), "mean": round(statistics.mean(walls) * 1000, 1)},
        "python_cpu_ms": {"p50": round(percentile(cpus, .5) * 1000, 1), "p95": round(percentile(cpus, .95) * 1000, 1),
                          "mean": round(statistics.mean(cpus) * 1000, 1)},
        "db_wait_ms": {"p50": round(percentile(db_ms, .5), 1), "p95": round(percentile(db_ms, .95), 1),
                       "mean": round(statistics.mean(db_ms), 1)},
        "neo4j_cpu_ms_per_operation": round(server_cpu * 1000 / n, 1),
        "round_trips": {"mean": round(statistics.mean(trips), 2), "max": max(trips)},
        "statements": {name: {"calls_per_op": round(len(v) / n, 2), "total_ms_per_op": round(sum(v) * 1000 / n, 2),
                              "p95_ms": round(percentile(v, .95) * 1000, 1)}
                       for name, v in sorted(by_statement.items(), key=lambda kv: -sum(kv[1]))},
        **{k: {"p50": percentile(v, .5), "p95": percentile(v, .95), "max": max(v)} for k, v in extra.items() if v},
    }
    # The slowest twentieth: what sets it apart (counts only).
    slow = sorted(range(n), key=lambda i: -walls[i])[:max(1, n // 20)]
    out["slowest_5pct"] = {k: round(statistics.mean(v[i] for i in slow), 1) for k, v in extra.items() if v}
    out["slowest_5pct"]["round_trips"] = round(statistics.mean(trips[i] for i in slow), 1)
    out["slowest_5pct"]["wall_ms"] = round(statistics.mean(walls[i] for i in slow) * 1000, 1)
    print(f"\n== {label}: {n} operations, load {os.getloadavg()[0]:.1f}")
    for key in ("wall_ms", "python_cpu_ms", "db_wait_ms", "round_trips"):
        print(f"  {key:<16} {out[key]}")
    print(f"  neo4j_cpu_ms/op  {out['neo4j_cpu_ms_per_operation']}")
    for key in extra:
        if key in out:
            print(f"  {key:<16} {out[key]}")
    print(f"  slowest 5%       {out['slowest_5pct']}")
    print("  statements (calls/op, ms/op, p95 ms):")
    for name, s in out["statements"].items():
        print(f"    {name:<42} {s['calls_per_op']:>5} {s['total_ms_per_op']:>8} {s['p95_ms']:>8}")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pushes", type=int, default=300)
    parser.add_argument("--matches", type=int, default=300)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--profile", action="store_true", help="cProfile the Python side (top 25 by own time)")
    parser.add_argument("--db-profile", action="store_true",
                        help="PROFILE every statement; print the costliest runs' operators (slower: counts, not times)")
    args = parser.parse_args()
    if args.db_profile:
        PROFILED.append((0.0, "", 0, []))

    settings = Settings(data_dir=DATA_DIR, bolt_port=BOLT_PORT, neo4j_heap="3g", neo4j_pagecache="1g")
    driver = connect(settings)
    db = Database(driver)
    # The model the API would use: the one the bench database's resolve saved, or the bench's override.
    model_env = os.environ.get("MASHGRAPH_BENCH_REALTIME_MODEL")
    model_path = Path(model_env) if model_env else DATA_DIR / "linkage-model.json"
    resolver = IncrementalResolver(db, ResolveOptions(model_path=model_path))
    files = sorted((DATA_DIR / "data").glob("*.jsonl"))
    records = [r for r in read_records(files) if r.get("source") and (r.get("family_name") or r.get("identifiers"))]
    random.Random(args.seed).shuffle(records)
    run = uuid.uuid4().hex[:6]
    server = neo4j_process(DATA_DIR)
    profiler = cProfile.Profile() if args.profile else None
    results: dict[str, Any] = {"load_average_before": os.getloadavg(), "model": str(model_path)}

    # Warm up the server's caches and the Python side (imports, JIT-free but first-call costs).
    for raw in records[-20:]:
        resolver.match(prepare(raw))

    walls: list[float] = []
    cpus: list[float] = []
    logs: list[list[tuple[str, float]]] = []
    extra: dict[str, list[float]] = defaultdict(list)
    pushed = 0
    server_before = server_cpu_seconds(server)
    for raw in records:
        if pushed >= args.pushes:
            break
        try:
            record = prepare({**raw, "source_id": f"rp{run}-{pushed}"})
        except RecordRejected:
            continue
        log: list[tuple[str, float]] = []
        holder: dict[str, Any] = {}

        def work(tx: Any, record: Any = record, log: list = log, holder: dict = holder) -> Any:
            del log[:]  # a retried transaction counts once
            holder["result"] = resolver._store_and_resolve(CountingTransaction(tx, log), record)
            return holder["result"]

        started, cpu_started = time.perf_counter(), time.thread_time()
        if profiler:
            profiler.enable()
        with driver.session(database=db.database) as session:
            _status, resolution = session.execute_write(work)
        if profiler:
            profiler.disable()
        cpus.append(time.thread_time() - cpu_started)
        walls.append(time.perf_counter() - started)
        logs.append(log)
        extra["candidates"].append(resolution.candidates)
        extra["component"].append(len(resolution.component))
        pushed += 1
    server_push = server_cpu_seconds(server) - server_before
    if pushed:
        results["push"] = summarise("push", walls, cpus, logs, server_push, extra)

    walls, cpus, logs = [], [], []
    extra = defaultdict(list)
    server_before = server_cpu_seconds(server)
    for raw in records[:args.matches]:
        try:
            record = prepare(raw)
        except RecordRejected:
            continue
        log = []
        started, cpu_started = time.perf_counter(), time.thread_time()
        if profiler:
            profiler.enable()
        found = _match_counted(resolver, record, log)
        if profiler:
            profiler.disable()
        cpus.append(time.thread_time() - cpu_started)
        walls.append(time.perf_counter() - started)
        logs.append(log)
        extra["candidates"].append(len(found))
    server_match = server_cpu_seconds(server) - server_before
    if walls:
        results["match"] = summarise("match (resolver only, no policy or views)", walls, cpus, logs, server_match,
                                     extra)
    results["load_average_after"] = os.getloadavg()
    if args.db_profile:
        costliest = sorted(PROFILED[1:], key=lambda p: -p[2])[:5]
        slowest = [p for p in sorted(PROFILED[1:], key=lambda p: -p[0])[:5] if p not in costliest]
        for seconds, name, hits, operators in costliest + slowest:
            print(f"{name}: {hits} db hits, {seconds * 1000:.0f} ms")
            for operator in operators:
                print(f"    {operator}")
    if profiler:
        stream = io.StringIO()
        pstats.Stats(profiler, stream=stream).sort_stats("tottime").print_stats(25)
        print(stream.getvalue())
    print(f"load average before {results['load_average_before']}, after {results['load_average_after']}")
    print(f"wrote {write_result('realtime-profile', results)}")
    driver.close()


def _match_counted(resolver: IncrementalResolver, record: Any, log: list[tuple[str, float]]) -> list[Any]:
    """resolver.match with its read transaction's statements counted."""
    original = resolver.db.driver.session

    class _Session:
        def __init__(self, **kwargs: Any) -> None:
            self._inner = original(**kwargs)

        def __enter__(self) -> _Session:
            self._inner.__enter__()
            return self

        def __exit__(self, *exc: Any) -> None:
            self._inner.__exit__(*exc)

        def execute_read(self, fn: Any, *args: Any) -> Any:
            def counted(tx: Any, *a: Any) -> Any:
                del log[:]
                return fn(CountingTransaction(tx, log), *a)
            return self._inner.execute_read(counted, *args)

    resolver.db.driver.session = _Session  # type: ignore[method-assign]
    try:
        return resolver.match(record)
    finally:
        resolver.db.driver.session = original  # type: ignore[method-assign]


if __name__ == "__main__":
    main()
