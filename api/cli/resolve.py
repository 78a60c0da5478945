"""`mashgraph resolve` and `mashgraph explain`: records into people and households, and why."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from api.cli.common import console, database, out, reported_errors, settings
from resolvers.explain import explain_pair
from resolvers.pipeline import ResolveOptions, ResolveSummary, resolve_all


def model_path() -> Path:
    return settings().data_dir / "linkage-model.json"


def resolve(
    retrain: bool = typer.Option(False, help="Re-estimate the model even if a saved one exists."),
    engine: str = typer.Option(
        "auto", help="Components engine: auto (GDS when the server has it, else igraph), gds, igraph or networkx."),
    link_threshold: float = typer.Option(2.0, help="Match weight (bits) from which records may be merged."),
) -> None:
    """Resolve every record into people and households (full run)."""
    with reported_errors(), database() as db:
        db.ensure_schema()
        summary = run_resolve(db, ResolveOptions(model_path=model_path(), retrain=retrain, component_engine=engine,
                                                 link_threshold=link_threshold))
    print_resolve_summary(summary)


def run_resolve(db, options: ResolveOptions) -> ResolveSummary:  # type: ignore[no-untyped-def]
    with console.status("resolving") as status:
        return resolve_all(db, options, on_stage=lambda name: status.update(f"resolving: {name}"))


def print_resolve_summary(summary: ResolveSummary) -> None:
    table = Table("stage", "seconds", title="resolve")
    for name, seconds in summary.seconds.items():
        table.add_row(name, f"{seconds:.2f}")
    table.add_row("[bold]total[/]", f"{sum(summary.seconds.values()):.2f}")
    out.print(table)
    out.print(f"records {summary.records}, candidate pairs {summary.candidate_pairs}, edges {summary.edges}, "
              f"links {summary.links}, cannot-links {summary.cannot_links}, components {summary.components} "
              f"({summary.component_engine}), people {summary.people}, households {summary.households}")
    if summary.blocking:
        rules = Table("blocking rule", "pairs", "capped keys", "largest capped", title="candidates")
        for name, pairs in summary.blocking.pairs_by_rule.items():
            rules.add_row(name, str(pairs), str(summary.blocking.capped_blocks.get(name, 0)),
                          str(summary.blocking.largest_capped.get(name, "")))
        out.print(rules)
    if summary.cannot_link_reasons:
        out.print("cannot-link pairs: " + ", ".join(f"{k} {v}" for k, v in sorted(summary.cannot_link_reasons.items())))
    if summary.refused_merges:
        out.print("merges refused: " + ", ".join(f"{k} {v}" for k, v in sorted(summary.refused_merges.items())))
    if summary.identity_events:
        out.print("identity journal: " + ", ".join(f"{k} {v}" for k, v in sorted(summary.identity_events.items())))
    if summary.flagged_several_households:
        out.print(f"adults linked to several households: {summary.flagged_several_households}")


def explain(a: str = typer.Argument(..., help="SOURCE:ID"), b: str = typer.Argument(..., help="SOURCE:ID")) -> None:
    """Why two records are or are not the same person, field by field."""
    with reported_errors(), database() as db:
        result = explain_pair(db, a, b, model_path())
    table = Table("comparison", "level", "weight (bits)", title=f"{a}  vs  {b}")
    for row in result.contributions:
        table.add_row(row["comparison"], row["level"], f"{row['weight']:+.2f}")
    table.add_row("[bold]total[/]", "", f"{result.weight:+.2f}")
    out.print(table)
    out.print(f"match probability {result.probability:.4f}")
    if result.cannot_link:
        out.print(f"[bold]cannot be the same person[/]: {result.cannot_link}")
    if result.same_person is not None:
        out.print("currently resolved to the same person" if result.same_person
                  else "currently resolved to different people")


def register(app: typer.Typer) -> None:
    app.command()(resolve)
    app.command()(explain)
