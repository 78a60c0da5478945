"""Ingest benchmark: load 10k, 100k and 1M synthetic records into a local Neo4j, by the transactional path
(`mashgraph ingest`) and by the offline bulk import (`mashgraph ingest --bulk`); records/s, the peak
memory of the loading Python process and of its normalising workers, the Neo4j heap, the load average,
and the CPU time per record of the loading process and of the workers (steadier than wall time on a
shared machine); for the bulk path also the CPU seconds of the importer, of the server's start and of
the server while the schema is built.

    .venv/bin/python bench/ingest.py [--records 10000 100000 1000000] [--path transactional bulk]
                                     [--workers N] [--data-cache DIR] [--keep-db]

Targets on a 2-core machine: >= 10,000 records/s sustained; peak Python memory < 500 MB at 1M records.
Data is generated first in a separate process (kept in --data-cache to reuse between runs), so the
loader's peak memory is its own. The database is a dedicated one (MASHGRAPH_BENCH_DATA_DIR, default
/tmp/mashgraph-bench-ingest-db, port MASHGRAPH_BENCH_BOLT_PORT, default 7696; heap
MASHGRAPH_BENCH_NEO4J_HEAP, default 3g; page cache MASHGRAPH_BENCH_NEO4J_PAGECACHE, default 2g, which holds the
store of a million records), emptied before each run by discarding its store (faster than
deleting a million records). Times are end to end: reading, normalising, writing, and for the bulk
path also the server restart and the schema build.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(1, str(ROOT))  # bench.api, for the server's CPU
RECORDS_PER_HOUSEHOLD = 4.95  # measured on the generator (seed 7); the exact count is reported


def _settings():  # type: ignore[no-untyped-def]
    from graph_model.config import Settings

    return Settings(data_dir=Path(os.environ.get("MASHGRAPH_BENCH_DATA_DIR", "/tmp/mashgraph-bench-ingest-db")),
                    bolt_port=int(os.environ.get("MASHGRAPH_BENCH_BOLT_PORT", "7696")),
                    neo4j_heap=os.environ.get("MASHGRAPH_BENCH_NEO4J_HEAP", "3g"),
                    # Neo4j's sizing rule: a page cache that holds the store (1.2 GB at a million records; with
                    # 1 GB the schema build re-read pages it had just evicted).
                    neo4j_pagecache=os.environ.get("MASHGRAPH_BENCH_NEO4J_PAGECACHE", "2g"))


def load_child(folder: str, path_kind: str, workers: int | None) -> None:
    """Runs in a child process: load every JSONL file of ``folder`` one way, print a JSON result line."""
    import resource

    from graph_model.db import Database, connect
    from graph_model.ingest import LoadSummary, PreparePool, auto_workers, ingest_file, open_input
    from graph_model.ingest.bulk import bulk_ingest

    files = sorted(Path(folder).glob("*.jsonl"))
    count = auto_workers(sum(p.stat().st_size for p in files)) if workers is None else workers
    settings = _settings()
    driver = connect(settings)
    db = Database(driver)
    db.ensure_schema()
    result: dict[str, Any] = {"path": path_kind, "workers": count, "load_before": os.getloadavg()}
    pool = PreparePool(count) if count else None
    started = time.perf_counter()
    cpu_started = time.process_time()
    if path_kind == "bulk":
        inputs = []
        for path in files:
            chosen, override, options = open_input(path, None, None, None)
            inputs.append((path, chosen.read(path, options), override))
        messages: list[str] = []
        cpu: dict[str, float] = {}

        def log(message: str) -> None:
            # CPU seconds of the phases the loader does not spend itself: the importer (a child process, counted
            # once reaped) and the restarted server (from /proc, at "started" and after the schema build).
            messages.append(message)
            if message.startswith("neo4j-admin import took"):
                cpu["import"] = _children_cpu() - children_started
            elif message.startswith("server started"):
                cpu["start"] = _server_cpu(settings)

        children_started = _children_cpu()
        bulk = bulk_ingest(settings, db, inputs, pool=pool, log=log)
        result["bulk_log"] = messages  # the server stop, import and start times
        total = bulk.total
        result.update(stage_seconds=bulk.stage_seconds, import_seconds=bulk.import_seconds,
                      schema_seconds=bulk.schema_seconds, import_cpu_seconds=cpu.get("import", 0.0),
                      start_cpu_seconds=cpu.get("start", 0.0),
                      schema_server_cpu_seconds=_server_cpu(settings) - cpu.get("start", 0.0))
    else:
        total = LoadSummary()
        for path in files:
            total.add(ingest_file(db, path, batch_size=5000, pool=pool))
    seconds = time.perf_counter() - started
    result["loader_cpu_us_per_record"] = (time.process_time() - cpu_started) / max(1, total.read) * 1e6
    result["worker_cpu_us_per_record"] = (pool.worker_cpu_seconds / max(1, total.read) * 1e6) if pool else 0.0
    result["worker_peak_mb"] = max(pool.peak_rss_mb(), default=0.0) if pool else 0.0
    if pool:
        pool.close()
    driver.close()
    result.update(read=total.read, stored=total.stored, rejected=total.rejected, seconds=seconds,
                  records_per_second=total.read / seconds, load_after=os.getloadavg(),
                  peak_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    print(json.dumps(result))


def _children_cpu() -> float:
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _server_cpu(settings) -> float:  # type: ignore[no-untyped-def]
    """CPU seconds the running local Neo4j server has used since it started (0 when it is not found)."""
    # Imported here, not at the top: this runs after the records are prepared, so the loader's peak
    # memory (this process's) does not include the measuring tools.
    from bench.api import cpu_seconds, neo4j_process

    server = neo4j_process(settings.data_dir)
    return cpu_seconds([server]) if server is not None else 0.0


def _data(target: int, cache: Path | None, scratch: Path) -> Path:
    folder = (cache or scratch) / f"records-{target}"
    if not any(folder.glob("*.jsonl")):
        households = max(1, round(target / RECORDS_PER_HOUSEHOLD))
        subprocess.run([sys.executable, "-m", "graph_model.synthetic", "--households", str(households),
                        "--seed", "7", "--out", str(folder)], check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
        for extra in folder.glob("*.csv"):  # truth and the housing CSV (the same records again)
            extra.unlink()
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--path", nargs="+", choices=["transactional", "bulk"], default=["transactional", "bulk"])
    parser.add_argument("--workers", type=int, help="normalising processes (default: one per core for large inputs)")
    parser.add_argument("--data-cache", type=Path, help="keep generated data here and reuse it")
    parser.add_argument("--keep-db", action="store_true", help="leave the bench database running")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        load_child(args.child[0], args.child[1], args.workers)
        return

    from graph_model.db import Database, connect
    from graph_model.localdb import LocalNeo4j

    settings = _settings()
    server = LocalNeo4j(settings)
    server.start()
    results = []
    try:
        with tempfile.TemporaryDirectory() as scratch:
            for target in args.records:
                folder = _data(target, args.data_cache, Path(scratch))
                for path_kind in args.path:
                    server.stop()
                    server.discard_database()
                    server.start()
                    child_args = [sys.executable, __file__, "--child", str(folder), path_kind]
                    if args.workers is not None:
                        child_args += ["--workers", str(args.workers)]
                    child = subprocess.run(child_args, check=True, cwd=ROOT, capture_output=True, text=True)
                    result = json.loads(child.stdout.strip().splitlines()[-1])
                    driver = connect(settings)
                    heap = Database(driver).run("ingest/jvm_heap")[0]
                    driver.close()
                    result.update(target=target, neo4j_heap_used_mb=heap["heap_used"] / 2**20,
                                  neo4j_old_gen_peak_mb=heap["old_gen_peak"] / 2**20,
                                  neo4j_heap_max_mb=heap["heap_max"] / 2**20)
                    results.append(result)
                    timings = "; ".join(m for m in result.get("bulk_log", []) if not m.startswith(("importing", "starting")))
                    phases = (f"  (prepare {result['stage_seconds']:.0f} s, import+restart "
                              f"{result['import_seconds']:.0f} s [{timings}], "
                              f"schema {result['schema_seconds']:.0f} s; CPU s: importer "
                              f"{result['import_cpu_seconds']:.1f}, server start {result['start_cpu_seconds']:.1f}, "
                              f"server during schema {result['schema_server_cpu_seconds']:.1f})"
                              if path_kind == "bulk" else "")
                    print(f"{path_kind:>13} {result['read']:>9,} records {result['seconds']:7.1f} s "
                          f"{result['records_per_second']:7,.0f} records/s  peak Python {result['peak_mb']:4.0f} MB "
                          f"(workers {result['workers']} x {result['worker_peak_mb']:.0f} MB)  Neo4j heap "
                          f"{result['neo4j_heap_used_mb']:.0f} MB used, old gen peak "
                          f"{result['neo4j_old_gen_peak_mb']:.0f} MB"
                          f"  load {result['load_before'][0]:.1f}->{result['load_after'][0]:.1f}{phases}"
                          f"  CPU us/record: loader {result['loader_cpu_us_per_record']:.0f}, workers "
                          f"{result['worker_cpu_us_per_record']:.0f}", flush=True)
    finally:
        if not args.keep_db:
            server.stop()
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / f"ingest-{time.strftime('%Y%m%d-%H%M%S')}.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
