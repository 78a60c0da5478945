"""Readers that stream a file as (line number, raw record or error) without holding it in memory."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from graph_model.ingest.mapping import CsvMapping
from graph_model.pickling import fast_pickling

__all__ = ["SourceItem", "read_csv", "read_jsonl"]


# Every item crosses to a worker process and is unpickled there: the dataclasses module's own pickling of a
# slotted class calls fields() per item (~6 us a line to unpickle in a worker, ~2 us to pickle in the reader).
@fast_pickling
@dataclass(frozen=True, slots=True)
class SourceItem:
    """One item read from a file: ``record`` when it parsed, else ``error`` (why) and ``text``.

    ``raw`` holds a JSON line not parsed yet: the JSONL reader leaves parsing to whoever prepares the
    record, so that worker processes, not the reading process, pay for it (see :mod:`.preparing`).
    """

    line: int
    record: Any = None
    error: str | None = None
    text: str | None = None
    reason: str = "unreadable"  # short code for summaries; adapters say e.g. "wrong_resource_type"
    raw: bytes | None = None

    def parsed(self) -> SourceItem:
        """This item with ``raw`` parsed into ``record`` (or turned into an error)."""
        if self.raw is None:
            return self
        try:
            return SourceItem(self.line, record=orjson.loads(self.raw))
        except orjson.JSONDecodeError as exc:
            return SourceItem(self.line, error=f"not valid JSON: {exc.msg}",
                              text=self.raw.decode("utf-8", errors="replace"))


def read_jsonl(path: Path) -> Iterator[SourceItem]:
    """Lines as unparsed items (``raw``): :meth:`SourceItem.parsed` parses them where they are prepared."""
    with open(path, "rb") as fh:
        for number, raw_line in enumerate(fh, start=1):
            stripped = raw_line.strip()
            if stripped:
                yield SourceItem(number, raw=stripped)


def read_csv(path: Path, mapping: CsvMapping) -> Iterator[SourceItem]:
    """Rows of a CSV export mapped onto canonical records; line numbers count the header as line 1."""
    with open(path, newline="", encoding=mapping.encoding) as fh:
        reader = csv.DictReader(fh, delimiter=mapping.delimiter)
        missing = mapping.missing_columns(reader.fieldnames or [])
        if missing:
            yield SourceItem(1, error=f"CSV header lacks mapped columns {missing}", text=",".join(reader.fieldnames or []))
            return
        for row in reader:
            line = reader.line_num
            if None in row:  # more cells than header columns
                yield SourceItem(line, error="row has more cells than the header", text=str(line))
                continue
            yield SourceItem(line, record=mapping.apply(row))
