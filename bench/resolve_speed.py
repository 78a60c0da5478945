"""Resolve speed benchmark: records already in Neo4j -> people and households, beside Splink on the same records.

    .venv/bin/python bench/resolve_speed.py --records 20000 200000 [1000000] [--skip-splink] [--stop-db]

For each size: synthetic data (``write_demo_data``, seed 7) sized to about N records, ingested into the
dedicated bench Neo4j (``/tmp/mashgraph-bench-db``, bolt 7692; not timed), then:

  * this project: ``resolve_all`` (retrain the model) in a child process; wall time, per-stage seconds
    (``summary.seconds``), peak RSS of that Python process, and peak RSS of the Neo4j server sampled
    during the run;
  * Splink (DuckDB), in another child process, on the same records flattened as in the accuracy
    benchmark, same model: training (prior, u by random sampling of 1e7 pairs, EM over 3 blocking rules
    with Splink's ``estimate_without_term_frequencies`` speed option, which moved person B-cubed F1 by
    < 0.001 on 2,000 households) + predict + connected-components clustering at 0.99; wall time and
    peak RSS. Reading and flattening the JSONL
    is reported apart ("prepare"), as the project's reading from Neo4j is part of its time.

CPU seconds per stage of the resolver's Python (with its scoring workers) and of the Neo4j server are
recorded beside the wall seconds.

The 1-, 5- and 15-minute load averages before and after each run are recorded beside it: on a shared
machine, figures are honest only with their conditions.

Targets (issue 3): resolve time no more than Splink's at 200k records; peak Python memory < 4 GB at 1M.
Writes ``bench/results/resolve-speed-<timestamp>.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(1, str(Path(__file__).resolve().parent.parent))

import harness as h

from bench.api import cpu_seconds, neo4j_process

SPLINK_THRESHOLD = 0.99
SEED = 7


def _peak_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _cpu_seconds() -> float:
    """CPU seconds of this process, its threads and its finished worker processes: a figure that other
    users of a shared machine disturb far less than wall time (Neo4j's own CPU is not in it)."""
    import resource

    own, workers = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + workers.ru_utime + workers.ru_stime


class StageCpu:
    """CPU seconds per resolve stage, of this process (with its threads and finished scoring workers)
    and of the Neo4j server: on a shared machine wall seconds measure the neighbours too, CPU seconds
    far less. Called at the start of each stage (``resolve_all``'s ``on_stage``) and once at the end."""

    def __init__(self) -> None:
        self.neo4j = neo4j_process(h.BENCH_DATA_DIR)
        self.marks: list[tuple[str, float, float, float]] = []

    def _neo4j_cpu(self) -> float:
        return cpu_seconds([self.neo4j]) if self.neo4j is not None else 0.0

    def __call__(self, stage: str) -> None:
        self.marks.append((stage, _cpu_seconds(), self._neo4j_cpu(), _peak_mb()))

    def seconds(self) -> dict[str, dict[str, float]]:
        """Per stage: CPU seconds of Python and Neo4j, and this process's peak memory (MB) by the end
        of the stage (a stage that raised the peak shows it first)."""
        self("")
        return {
            name: {"python": round(python_after - python, 2), "neo4j": round(neo_after - neo, 2),
                   "peak_mb": round(peak_after)}
            for (name, python, neo, _), (_, python_after, neo_after, peak_after)
            in zip(self.marks, self.marks[1:], strict=False)
        }


def child_resolve(model_path: str) -> None:
    """Child process: resolve everything in the bench database; print one JSON line."""
    from graph_model.db import Database, connect
    from resolvers.pipeline import ResolveOptions, resolve_all

    settings = h.bench_settings()
    driver = connect(settings)
    stage_cpu = StageCpu()
    started = time.perf_counter()
    summary = resolve_all(Database(driver), ResolveOptions(model_path=Path(model_path), retrain=True),
                          on_stage=stage_cpu)
    seconds = time.perf_counter() - started
    driver.close()
    data = h.summary_dict(summary)
    print("RESULT " + json.dumps({"seconds": seconds, "peak_mb": _peak_mb(), "cpu_seconds": _cpu_seconds(),
                                  "stage_cpu_seconds": stage_cpu.seconds(), "summary": data}, default=str))


def child_splink(folder: str) -> None:
    """Child process: Splink dedupe of the JSONL files in ``folder``; print one JSON line."""
    started = time.perf_counter()
    frame = h.flat_frame(sorted(Path(folder).glob("*.jsonl")))
    prepare = time.perf_counter() - started
    run = h.run_splink(frame, "synthetic", (SPLINK_THRESHOLD,), em_without_tf=True)
    clusters = run.clusters[SPLINK_THRESHOLD]
    print("RESULT " + json.dumps({"prepare_seconds": prepare, "seconds": run.seconds, "peak_mb": _peak_mb(),
                                  "cpu_seconds": _cpu_seconds(),
                                  "records": len(frame), "clusters": len(set(clusters.values())),
                                  "config": run.settings_summary,
                                  "pairs_above_threshold": run.pairs_scored}))


class ChildFailed(RuntimeError):
    pass


def _child(args: list[str]) -> dict[str, Any]:
    proc = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True, cwd=h.ROOT)
    for line in proc.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[7:])
    sys.stderr.write(proc.stderr[-4000:])
    last = (proc.stderr.strip().splitlines() or ["?"])[-1]
    raise ChildFailed(f"{args[0]} exited {proc.returncode}: {last[:300]}")


def _records_in_db(project: h.ProjectDB) -> int:
    with project.driver.session(database=project.settings.neo4j_database) as session:
        return int(session.run("MATCH (r:Record) RETURN count(r) AS n").single()["n"])


class NeoMemory:
    """Samples the Neo4j server's resident memory while a run goes on (peak, MB)."""

    def __init__(self) -> None:
        self.peak = 0.0
        self._stop = threading.Event()
        self._proc = neo4j_process(h.BENCH_DATA_DIR)
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.is_set() and self._proc is not None:
            try:
                self.peak = max(self.peak, self._proc.memory_info().rss / 2**20)
            except Exception:
                return
            self._stop.wait(0.5)

    def __enter__(self) -> NeoMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def _data(target: int, households: int, cache: Path | None, scratch: Path) -> tuple[Path, int]:
    """The folder of synthetic JSONL files for ``target`` records, and how many records they hold:
    generated into ``scratch``, or into (and later reused from) ``cache`` when given."""
    folder = scratch if cache is None else cache / f"records-{target}"
    if cache is None or not (folder / "complete").exists():
        h.synthetic(folder, households, seed=SEED)
        (folder / "truth.csv").unlink(missing_ok=True)
        if cache is not None:
            (folder / "complete").write_text(f"{households} households, seed {SEED}\n")
    records = 0
    for path in folder.glob("*.jsonl"):
        with open(path, "rb") as fh:
            records += sum(1 for _ in fh)
    return folder, records


def _resolve_figures(result: dict[str, Any], load_before: tuple[float, float, float]) -> dict[str, Any]:
    """What a resolve child reported, as a result row holds it (first runs and re-runs alike)."""
    return {"load_average": [round(x, 2) for x in (*load_before, *os.getloadavg())],
            "resolve_seconds": round(result["seconds"], 2), "peak_python_mb": round(result["peak_mb"]),
            "python_cpu_seconds": round(result.get("cpu_seconds", 0.0), 1),
            "stages": result["summary"].get("seconds", {}), "stage_cpu_seconds": result.get("stage_cpu_seconds", {})}


def _re_run(folder: Path) -> dict[str, Any]:
    """The same records resolved again, nothing changed since the run before (people, households and ids kept)."""
    load_before = os.getloadavg()
    try:
        result = _child(["--child-resolve", str(folder / "model.json")])
    except ChildFailed as exc:
        print(f"  re-run FAILED: {exc}", flush=True)
        return {"error": str(exc)}
    row = {**_resolve_figures(result, load_before),
           "people": result["summary"].get("people"), "households": result["summary"].get("households"),
           "identity_events": result["summary"].get("identity_events")}
    print(f"  this project, re-run with nothing changed: {row['resolve_seconds']} s, peak Python "
          f"{row['peak_python_mb']} MB", flush=True)
    return row


def records_per_household() -> float:
    from graph_model.synthetic import generate

    n = sum(1 for _ in generate(1000, seed=SEED))
    return n / 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, nargs="+", default=[20_000, 200_000])
    parser.add_argument("--skip-splink", action="store_true")
    parser.add_argument("--skip-project", action="store_true")
    parser.add_argument("--stop-db", action="store_true", help="stop the bench Neo4j at the end")
    parser.add_argument("--reuse-loaded", action="store_true",
                        help="skip ingest when the bench database already holds exactly this many records "
                             "(from an earlier run of the same size and seed)")
    parser.add_argument("--re-run", action="store_true",
                        help="after each size's run, resolve the same records again (nothing changed: what a "
                             "scheduled re-resolve costs when the agencies sent nothing new) and report it apart")
    parser.add_argument("--data-cache", type=Path,
                        help="keep the generated data in DIR/records-N and reuse it (a million records take "
                             "minutes to generate; the same seed gives the same files)")
    parser.add_argument("--child-resolve", help=argparse.SUPPRESS)
    parser.add_argument("--child-splink", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_resolve:
        child_resolve(args.child_resolve)
        return
    if args.child_splink:
        child_splink(args.child_splink)
        return

    ratio = records_per_household()
    print(f"synthetic data: {ratio:.3f} records per household (seed {SEED})", flush=True)
    project = None if args.skip_project else h.ProjectDB(heap="4g", pagecache="2g")
    results: dict[str, Any] = {"started": h.timestamp(), "records_per_household": ratio,
                               "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
                               "splink_threshold": SPLINK_THRESHOLD, "sizes": []}
    try:
        for target in args.records:
            with tempfile.TemporaryDirectory(prefix="mashgraph-speed-") as tmp:
                households = max(1, round(target / ratio))
                folder, records = _data(target, households, args.data_cache, Path(tmp))
                row: dict[str, Any] = {"target": target, "households": households, "records": records}
                print(f"\n{records} records ({households} households)", flush=True)
                if project is not None:
                    if args.reuse_loaded and _records_in_db(project) == row["records"]:
                        row["ingest"] = {"reused": True}
                        print("  records already loaded (--reuse-loaded): ingest skipped", flush=True)
                    else:
                        project.reset()
                        started = time.perf_counter()
                        row["ingest"] = project.load(sorted(folder.glob("*.jsonl")))
                        row["ingest"]["seconds"] = round(time.perf_counter() - started, 2)
                        print(f"  ingested in {row['ingest']['seconds']} s (not timed in the comparison)",
                              flush=True)
                    load_before = os.getloadavg()
                    with NeoMemory() as neo:
                        started = time.perf_counter()
                        try:
                            result = _child(["--child-resolve", str(folder / "model.json")])
                        except ChildFailed as exc:
                            result = {"error": str(exc)}
                        wall = time.perf_counter() - started
                    if "error" in result:
                        row["project"] = result
                        print(f"  this project FAILED: {result['error']}", flush=True)
                    else:
                        row["project"] = {"wall_seconds": round(wall, 2), **_resolve_figures(result, load_before),
                                          "peak_neo4j_rss_mb": round(neo.peak),
                                          "summary": {k: v for k, v in result["summary"].items()
                                                      if k in ("records", "candidate_pairs", "edges", "links",
                                                               "cannot_links", "people", "households",
                                                               "component_engine")}}
                        print(f"  this project: {row['project']['resolve_seconds']} s, "
                              f"peak Python {row['project']['peak_python_mb']} MB", flush=True)
                        if args.re_run:
                            row["project_re_run"] = _re_run(folder)
                if not args.skip_splink:
                    load_before = os.getloadavg()
                    started = time.perf_counter()
                    result = _child(["--child-splink", str(folder)])
                    row["splink"] = {"wall_seconds": round(time.perf_counter() - started, 2),
                                     "load_average": [round(x, 2) for x in (*load_before, *os.getloadavg())],
                                     "dedupe_seconds": result["seconds"]["total"],
                                     "stages": result["seconds"],
                                     "prepare_seconds": round(result["prepare_seconds"], 2),
                                     "peak_python_mb": round(result["peak_mb"]), "clusters": result["clusters"],
                                     "cpu_seconds": round(result.get("cpu_seconds", 0.0), 1),
                                     "pairs_above_threshold": result["pairs_above_threshold"],
                                     "config": result["config"]}
                    print(f"  Splink: {row['splink']['dedupe_seconds']} s (+{row['splink']['prepare_seconds']} s "
                          f"to read and flatten), peak {row['splink']['peak_python_mb']} MB", flush=True)
                results["sizes"].append(row)
    finally:
        if project is not None:
            project.close()
            if args.stop_db:
                h.stop_bench_db()
    print(report(results))
    path = h.write_result("resolve-speed", results)
    print(f"\nwrote {path.relative_to(h.ROOT)}")


def report(results: dict[str, Any]) -> str:
    lines = ["", "=" * 96, "RESOLVE SPEED (records in Neo4j -> people and households)", "=" * 96,
             f"{'records':>9} | {'project s':>9} {'peak Py MB':>10} {'Neo4j MB':>9} | {'Splink s':>8} "
             f"{'train':>6} {'predict':>7} {'cluster':>7} {'peak MB':>8} | {'ratio':>5}"]
    for row in results["sizes"]:
        p, s = row.get("project", {}), row.get("splink", {})
        if "error" in p:
            p = {"resolve_seconds": "FAILED"}
        ratio = (f"{p['resolve_seconds'] / s['dedupe_seconds']:.2f}"
                 if isinstance(p.get("resolve_seconds"), float) and s.get("dedupe_seconds") else "-")
        st = s.get("stages", {})
        lines.append(f"{row['records']:>9} | {p.get('resolve_seconds', '-'):>9} {p.get('peak_python_mb', '-'):>10} "
                     f"{p.get('peak_neo4j_rss_mb', '-'):>9} | {s.get('dedupe_seconds', '-'):>8} "
                     f"{st.get('train', '-'):>6} {st.get('predict', '-'):>7} {st.get('cluster', '-'):>7} "
                     f"{s.get('peak_python_mb', '-'):>8} | {ratio:>5}")
    for row in results["sizes"]:
        for who in ("project", "splink"):
            if row.get(who, {}).get("load_average"):
                lines.append(f"  {row['records']} records, {who}: load average (1, 5, 15 min) before "
                             f"{row[who]['load_average'][:3]}, after {row[who]['load_average'][3:]}")
        p, s = row.get("project", {}), row.get("splink", {})
        if p.get("python_cpu_seconds") or s.get("cpu_seconds"):
            lines.append(f"  {row['records']} records, CPU seconds: this project's Python "
                         f"{p.get('python_cpu_seconds', '-')} (Neo4j's not counted), Splink {s.get('cpu_seconds', '-')} "
                         "(includes reading and flattening)")
        if row.get("project", {}).get("stages"):
            stages = ", ".join(f"{k} {v}" for k, v in row["project"]["stages"].items())
            lines.append(f"  {row['records']} records, project stages (s): {stages}")
        again = row.get("project_re_run", {})
        if again.get("stages"):
            stages = ", ".join(f"{k} {v}" for k, v in again["stages"].items())
            cpu = ", ".join(f"{k} {v['python']}/{v['neo4j']}" for k, v in again.get("stage_cpu_seconds", {}).items())
            lines.append(f"  {row['records']} records, re-run with nothing changed: {again['resolve_seconds']} s, "
                         f"peak Python {again['peak_python_mb']} MB; stages (s): {stages}; CPU seconds (Python/Neo4j): "
                         f"{cpu}; identity events {again.get('identity_events')}")
        if row.get("project", {}).get("stage_cpu_seconds"):
            cpu = ", ".join(f"{k} {v['python']}/{v['neo4j']}" for k, v in row["project"]["stage_cpu_seconds"].items())
            lines.append(f"  {row['records']} records, project stages, CPU seconds (Python/Neo4j): {cpu}")
            peaks = ", ".join(f"{k} {v.get('peak_mb', '-')}" for k, v in row["project"]["stage_cpu_seconds"].items())
            lines.append(f"  {row['records']} records, project stages, peak Python MB by the end of each: {peaks}")
    lines.append("ratio = project resolve seconds / Splink dedupe seconds (target <= 1 at 200k); "
                 "target peak Python < 4096 MB at 1M.")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
