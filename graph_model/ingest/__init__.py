"""Getting agencies' records into the graph: readers, CSV mappings, the batched loader, the bulk importer."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path

from graph_model.db import Database
from graph_model.ingest.formats import Format, ReadOptions, get_format, list_formats, sniff_format
from graph_model.ingest.loader import Loader, LoadSummary, write_records
from graph_model.ingest.preparing import PreparePool, Rejection, auto_workers
from graph_model.ingest.quarantine import Quarantine

__all__ = [
    "Format", "LoadSummary", "Loader", "PreparePool", "ReadOptions", "Rejection", "auto_workers", "get_format",
    "ingest_file", "list_formats", "open_input", "sniff_format", "write_records",
]


def open_input(path: Path, fmt: str | None, source: str | None,
               mapping: str | None) -> tuple[Format, str | None, ReadOptions]:
    """The format of ``path``, the agency code that overrides its records' own, and the read options."""
    chosen: Format = get_format(fmt) if fmt else sniff_format(path)
    # --source wins; else the format's default agency; CSV mappings and JSONL records name their own.
    override = source or chosen.default_source
    return chosen, override, ReadOptions(source=override, mapping=mapping)


def ingest_file(
    db: Database,
    path: Path,
    *,
    fmt: str | None = None,
    source: str | None = None,
    mapping: str | None = None,
    quarantine_dir: Path | None = None,
    batch_size: int = 5000,
    pool: PreparePool | None = None,
    workers: int | None = None,
    on_progress: Callable[[int], None] = lambda _n: None,
    on_written: Callable[[list[str]], None] = lambda _uids: None,
) -> LoadSummary:
    """Load one file. Rejected lines go to ``<name>.rejected.jsonl`` beside it (or in ``quarantine_dir``).

    Records are normalised in ``pool``'s worker processes when one is given; else ``workers`` processes
    are started for this file (None: as many as cores when the file is large, none when it is small).
    """
    chosen, override, options = open_input(path, fmt, source, mapping)
    with ExitStack() as stack:
        quarantine = stack.enter_context(Quarantine(path, quarantine_dir))
        if pool is None:
            count = auto_workers(path.stat().st_size) if workers is None else workers
            pool = stack.enter_context(PreparePool(count)) if count > 0 else None
        summary = Loader(db, batch_size, pool).load(
            chosen.read(path, options), str(path), source_override=override,
            on_rejection=quarantine.add, on_progress=on_progress, on_written=on_written,
        )
    if summary.rejected:
        summary.quarantine = quarantine.path
    return summary
