"""Getting agencies' records into the graph: readers, CSV mappings, the batched loader."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import orjson

from graph_model.db import Database
from graph_model.ingest.formats import Format, ReadOptions, get_format, list_formats, sniff_format
from graph_model.ingest.loader import Loader, LoadSummary, Rejection, write_records

__all__ = [
    "Format", "LoadSummary", "Loader", "ReadOptions", "Rejection", "get_format", "ingest_file",
    "list_formats", "sniff_format", "write_records",
]


def ingest_file(
    db: Database,
    path: Path,
    *,
    fmt: str | None = None,
    source: str | None = None,
    mapping: str | None = None,
    quarantine_dir: Path | None = None,
    batch_size: int = 5000,
    on_progress: Callable[[int], None] = lambda _n: None,
    on_written: Callable[[list[str]], None] = lambda _uids: None,
) -> LoadSummary:
    """Load one file. Rejected lines go to ``<name>.rejected.jsonl`` beside it (or in ``quarantine_dir``)."""
    chosen: Format = get_format(fmt) if fmt else sniff_format(path)
    # --source wins; else the format's default agency; CSV mappings and JSONL records name their own.
    override = source or chosen.default_source
    options = ReadOptions(source=override, mapping=mapping)
    quarantine = (quarantine_dir or path.parent) / f"{path.name}.rejected.jsonl"
    quarantine.unlink(missing_ok=True)
    handle = None

    def on_rejection(rejection: Rejection) -> None:
        nonlocal handle
        if handle is None:
            quarantine.parent.mkdir(parents=True, exist_ok=True)
            handle = open(quarantine, "wb")  # noqa: SIM115 - opened on the first rejection, closed in finally
        entry = {"file": rejection.location, "line": rejection.line, "reason": rejection.reason,
                 "message": rejection.message, "source": rejection.source, "source_id": rejection.source_id,
                 "input": rejection.text}
        handle.write(orjson.dumps(entry) + b"\n")

    try:
        summary = Loader(db, batch_size).load(
            chosen.read(path, options), str(path), source_override=override,
            on_rejection=on_rejection, on_progress=on_progress, on_written=on_written,
        )
    finally:
        if handle is not None:
            handle.close()
    if summary.rejected:
        summary.quarantine = quarantine
    return summary
