"""`mashgraph ingest`, `mashgraph export`, `mashgraph formats`: records in and out."""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from api.cli.common import EXIT_REJECTED, console, database, fail, out, reported_errors, settings
from graph_model.ingest import LoadSummary, PreparePool, auto_workers, ingest_file, list_formats, open_input
from graph_model.ingest.bulk import bulk_ingest


def ingest(
    files: list[Path] = typer.Argument(..., exists=True, dir_okay=False, readable=True, help="Files to load."),
    fmt: str | None = typer.Option(None, "--format", help="Input format (sniffed when not given)."),
    source: str | None = typer.Option(None, "--source", help="Agency code for every record (overrides the file)."),
    mapping: str | None = typer.Option(None, "--mapping", help="CSV column mapping: a TOML file or a bundled name."),
    quarantine_dir: Path | None = typer.Option(None, help="Where rejected lines go (default: beside each file)."),
    batch_size: int | None = typer.Option(None, help="Records per transaction."),
    incremental: bool = typer.Option(False, "--incremental",
                                     help="Resolve each stored record in real time (as pushed records are)."),
    bulk: bool = typer.Option(False, "--bulk", help="First load of an EMPTY local database: Neo4j's offline "
                              "importer (much faster; the server restarts). Same graph as without --bulk."),
    workers: int | None = typer.Option(None, help="Processes that normalise records (default: one per core "
                                       "for large inputs, none for small ones)."),
) -> None:
    """Load agency records (upsert by source and source_id). Exit 3 when some lines were rejected."""
    if bulk:
        if incremental:
            raise fail("--bulk and --incremental do not go together: resolve after the bulk load", code=2)
        _bulk(files, fmt=fmt, source=source, mapping=mapping, quarantine_dir=quarantine_dir, workers=workers)
        return
    total = LoadSummary()
    statuses: Counter[str] = Counter()
    with reported_errors(), database() as db:
        db.ensure_schema()
        resolver = None
        if incremental:
            from api.cli.resolve import model_path
            from resolvers.incremental import IncrementalResolver
            from resolvers.pipeline import ResolveOptions

            resolver = IncrementalResolver(db, ResolveOptions(model_path=model_path()))

        def resolve_written(uids: list[str]) -> None:
            if resolver is None:
                return
            for uid in uids:
                statuses[resolver.resolve(uid).status] += 1

        for path in files:
            summary = load_with_progress(db, path, fmt=fmt, source=source, mapping=mapping,
                                         quarantine_dir=quarantine_dir,
                                         batch_size=batch_size or (100 if incremental else settings().batch_size),
                                         workers=workers, on_written=resolve_written)
            print_summary(summary, title=str(path))
            total.add(summary)
    if statuses:
        out.print("resolved in real time: " + ", ".join(f"{k} {v}" for k, v in sorted(statuses.items())))
    if len(files) > 1:
        print_summary(total, title="all files")
    if total.rejected:
        raise typer.Exit(EXIT_REJECTED)


def _bulk(files: list[Path], *, fmt: str | None, source: str | None, mapping: str | None,
          quarantine_dir: Path | None, workers: int | None) -> None:
    with reported_errors(), database() as db:
        count = auto_workers(sum(p.stat().st_size for p in files)) if workers is None else workers
        with ExitStack() as stack:
            pool = stack.enter_context(PreparePool(count)) if count > 0 else None
            inputs = []
            for path in files:
                chosen, override, options = open_input(path, fmt, source, mapping)
                inputs.append((path, chosen.read(path, options), override))
            with _progress("bulk: preparing") as advance:
                result = bulk_ingest(settings(), db, inputs, quarantine_dir=quarantine_dir, pool=pool,
                                     on_progress=advance, log=lambda msg: console.print(f"[dim]{msg}[/]"))
    for path, summary in result.files:
        print_summary(summary, title=str(path))
    total = result.total
    if len(result.files) > 1:
        print_summary(total, title="all files")
    out.print(f"bulk import: prepared in {result.stage_seconds:.1f} s, imported in {result.import_seconds:.1f} s, "
              f"schema and follow-ups in {result.schema_seconds:.1f} s; nodes "
              + ", ".join(f"{k} {v:,}" for k, v in result.nodes.items() if v) + "; relationships "
              + ", ".join(f"{k} {v:,}" for k, v in result.relationships.items() if v))
    if total.rejected:
        raise typer.Exit(EXIT_REJECTED)


@contextmanager
def _progress(description: str) -> Iterator[Callable[[int], None]]:
    columns = [TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
               TextColumn("{task.fields[rate]:>8.0f} records/s"), TimeElapsedColumn()]
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task(description, total=None, rate=0.0)

        def advance(count: int) -> None:
            progress.advance(task, count)
            elapsed = progress.tasks[0].elapsed or 0.0
            progress.update(task, rate=progress.tasks[0].completed / elapsed if elapsed else 0.0)

        yield advance


def load_with_progress(db, path: Path, **options) -> LoadSummary:  # type: ignore[no-untyped-def]
    with _progress(path.name) as advance:
        return ingest_file(db, path, on_progress=advance, **options)


def print_summary(summary: LoadSummary, title: str) -> None:
    table = Table("read", "stored", "updated", "unchanged", "rejected", "warnings", "records/s", title=title)
    table.add_row(*(str(v) for v in (summary.read, summary.stored, summary.updated, summary.unchanged,
                                      summary.rejected, summary.warnings)), f"{summary.records_per_second:,.0f}")
    out.print(table)
    if summary.warning_counts:
        out.print("warnings (values kept, not used for matching): " +
                  ", ".join(f"{k} {v}" for k, v in sorted(summary.warning_counts.items())))
    if summary.rejected:
        where = f": see {summary.quarantine}" if summary.quarantine else " (see each file's .rejected.jsonl)"
        out.print(f"[yellow]rejected {summary.rejected}[/] (" +
                  ", ".join(f"{k} {v}" for k, v in sorted(summary.rejection_counts.items())) + ")" + where)


def export(out_file: Path = typer.Option(..., "--out", help="CSV file to write.")) -> None:
    """Write source,source_id,person_id,household_id for every record."""
    with reported_errors(), database() as db:
        written = 0
        with open(out_file, "w", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(["source", "source_id", "person_id", "household_id"])
            for row in db.stream("ingest/export_records"):
                writer.writerow([row["source"], row["source_id"], row["person_id"] or "", row["household_id"] or ""])
                written += 1
    out.print(f"wrote {written} rows to {out_file}")


def formats() -> None:
    """List the input formats with what each maps."""
    table = Table("format", "default source", "what it is", "maps")
    for fmt in list_formats():
        table.add_row(fmt.name, fmt.default_source or "(from the records)", fmt.description, fmt.maps)
    out.print(table)


def register(app: typer.Typer) -> None:
    app.command()(ingest)
    app.command()(export)
    app.command()(formats)


__all__ = ["fail", "register"]
