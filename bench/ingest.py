"""Ingest benchmark: load 10k, 100k and 1M synthetic records into a local Neo4j; records/s and the
peak memory of the loading Python process.

    .venv/bin/python bench/ingest.py [--records 10000 100000 1000000] [--keep-db]

Targets on a 2-core machine: >= 10,000 records/s sustained; peak Python memory < 500 MB at 1M records.
Data is generated first in a separate process, so the loader's peak memory is its own. The database is
a dedicated one (MASHGRAPH_BENCH_DATA_DIR, default /tmp/mashgraph-bench-ingest-db, port 7696), emptied before
each size.
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

ROOT = Path(__file__).resolve().parent.parent
RECORDS_PER_HOUSEHOLD = 4.6  # measured on the generator; the exact count is reported


def _settings():  # type: ignore[no-untyped-def]
    from graph_model.config import Settings

    return Settings(data_dir=Path(os.environ.get("MASHGRAPH_BENCH_DATA_DIR", "/tmp/mashgraph-bench-ingest-db")),
                    bolt_port=int(os.environ.get("MASHGRAPH_BENCH_BOLT_PORT", "7696")),
                    neo4j_heap="4g", neo4j_pagecache="4g")


def load_child(folder: str) -> None:
    """Runs in a child process: load every JSONL file of ``folder``, print a JSON result line."""
    import resource

    from graph_model.db import Database, connect
    from graph_model.ingest import LoadSummary, ingest_file

    driver = connect(_settings())
    db = Database(driver)
    total = LoadSummary()
    started = time.perf_counter()
    for path in sorted(Path(folder).glob("*.jsonl")):
        total.add(ingest_file(db, path, batch_size=5000))
    seconds = time.perf_counter() - started
    driver.close()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"read": total.read, "stored": total.stored, "rejected": total.rejected,
                      "seconds": seconds, "records_per_second": total.read / seconds, "peak_mb": peak_mb}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--keep-db", action="store_true", help="leave the bench database running")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        load_child(args.child)
        return

    from graph_model.db import Database, connect
    from graph_model.localdb import LocalNeo4j

    settings = _settings()
    server = LocalNeo4j(settings)
    server.start()
    results = []
    try:
        for target in args.records:
            with tempfile.TemporaryDirectory() as folder:
                households = max(1, round(target / RECORDS_PER_HOUSEHOLD))
                subprocess.run([sys.executable, "-m", "graph_model.synthetic", "--households", str(households),
                                "--seed", "7", "--out", folder], check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
                for extra in Path(folder).glob("*.csv"):
                    extra.unlink()
                driver = connect(settings)
                db = Database(driver)
                db.run("admin/delete_all_batch", {"batch_size": 20_000})
                db.ensure_schema()
                driver.close()
                child = subprocess.run([sys.executable, __file__, "--child", folder], check=True, cwd=ROOT,
                                       capture_output=True, text=True)
                result = json.loads(child.stdout.strip().splitlines()[-1])
                result["target"] = target
                results.append(result)
                print(f"{result['read']:>9,} records  {result['seconds']:7.1f} s  "
                      f"{result['records_per_second']:9,.0f} records/s  peak {result['peak_mb']:6.0f} MB", flush=True)
    finally:
        if not args.keep_db:
            server.stop()
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / f"ingest-{time.strftime('%Y%m%d-%H%M%S')}.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
