"""`mashgraph demo-data` and `mashgraph demo`: synthetic multi-agency data, and the main job on it."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from api.cli.common import console, database, out, print_label_counts, reported_errors, settings
from api.cli.ingest import load_with_progress, print_summary
from api.cli.resolve import model_path, print_resolve_summary, run_resolve
from graph_model.ingest import LoadSummary
from graph_model.localdb import LocalNeo4j
from resolvers.pipeline import ResolveOptions


def demo_data(
    households: int = typer.Option(2000, help="How many households to simulate."),
    seed: int = typer.Option(1, help="Random seed (same seed, same data)."),
    out_dir: Path = typer.Option(Path("demo-data"), "--out", help="Folder to write into."),
) -> None:
    """Write synthetic multi-agency records (one JSONL file per agency) and their ground truth."""
    from graph_model.synthetic import write_demo_data

    summary = write_demo_data(out_dir, households=households, seed=seed)
    out.print(f"wrote {summary} to {out_dir}")


def demo(
    households: int = typer.Option(2000, help="How many households to simulate."),
    seed: int = typer.Option(1, help="Random seed."),
    out_dir: Path = typer.Option(Path("demo-data"), "--out", help="Folder for the generated files."),
) -> None:
    """The main job: start the local database, generate demo data, load it, resolve people and households."""
    from graph_model.synthetic import write_demo_data

    with reported_errors():
        current = settings()
        if not current.external:
            LocalNeo4j(current).start(log=lambda msg: console.print(f"[dim]{msg}[/]"))
        generated = write_demo_data(out_dir, households=households, seed=seed)
        console.print(f"generated demo data for {households} households in {out_dir}: {generated}")
        total = LoadSummary()
        with database() as db:
            db.ensure_schema()
            for path in sorted(out_dir.glob("*.jsonl")):
                summary = load_with_progress(db, path, fmt=None, source=None, mapping=None,
                                             quarantine_dir=None, batch_size=current.batch_size)
                total.add(summary)
            print_summary(total, title="loaded")
            table = Table("agency", "records", title="records by agency")
            for row in db.run("status/record_counts_by_source"):
                table.add_row(row["source"], str(row["records"]))
            out.print(table)
            resolved = run_resolve(db, ResolveOptions(model_path=model_path()))
            print_resolve_summary(resolved)
            # Counted after resolving, so people and households are this run's, not a previous one's.
            print_label_counts(db.run("status/count_by_label"), title="graph")


def register(app: typer.Typer) -> None:
    app.command("demo-data")(demo_data)
    app.command()(demo)
