"""Batched, idempotent upsert of canonical records into Neo4j, with quarantine of bad input.

Each batch is one write transaction: the records' properties and every link they carry go in
together or not at all, so a crash or kill mid-file leaves no half-written record, and a re-run
completes the load (upsert by ``source:source_id``). A batch the database refuses is retried record
by record, so one bad record cannot sink the others.
"""

from __future__ import annotations

import gc
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import neo4j
from neo4j.exceptions import Neo4jError, ServiceUnavailable

import cypher
from graph_model.db import Database
from graph_model.errors import DatabaseUnavailable
from graph_model.gc_policy import rare_full_collections
from graph_model.ingest.preparing import PreparePool, Rejection, prepare_items
from graph_model.ingest.readers import SourceItem
from graph_model.records import PreparedRecord

__all__ = ["LoadSummary", "Loader", "Rejection", "write_records"]


@dataclass
class LoadSummary:
    read: int = 0
    stored: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    warnings: int = 0
    seconds: float = 0.0
    warning_counts: dict[str, int] = field(default_factory=dict)
    rejection_counts: dict[str, int] = field(default_factory=dict)
    quarantine: Path | None = None

    @property
    def records_per_second(self) -> float:
        return self.read / self.seconds if self.seconds else 0.0

    def add(self, other: LoadSummary) -> None:
        for name in ("read", "stored", "updated", "unchanged", "rejected", "warnings", "seconds"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for key, value in other.warning_counts.items():
            self.warning_counts[key] = self.warning_counts.get(key, 0) + value
        for key, value in other.rejection_counts.items():
            self.rejection_counts[key] = self.rejection_counts.get(key, 0) + value


_LINKS = (
    ("ingest/link_addresses", "addresses"),
    ("ingest/link_phones", "phones"),
    ("ingest/link_emails", "emails"),
    ("ingest/link_identifiers", "identifiers"),
)


def _batch_parameters(records: list[PreparedRecord], existing: set[str] | None = None) \
        -> list[tuple[str, dict[str, Any]]]:
    """The statements (name, parameters) that write ``records`` in one transaction.

    ``existing`` names the records already in the graph (stubs included); they are upserted and lose
    their old links. The others are created outright. ``None`` means unknown: upsert everything.
    """
    fresh = [r for r in records if existing is not None and r.uid not in existing]
    known = [r for r in records if existing is None or r.uid in existing]
    statements: list[tuple[str, dict[str, Any]]] = []
    if fresh:
        statements.append(("ingest/create_records", {"rows": [{"uid": r.uid, "props": r.props} for r in fresh]}))
    if known:
        statements.append(("ingest/upsert_records", {"rows": [{"uid": r.uid, "props": r.props} for r in known]}))
    for name, attribute in _LINKS:
        links = [{"uid": r.uid, **item} for r in records for item in getattr(r, attribute)]
        if links:
            statements.append((name, {"links": links}))
    schools = [{"uid": r.uid, **r.school} for r in records if r.school]
    if schools:
        statements.append(("ingest/link_schools", {"links": schools}))
    relationships = [{"uid": r.uid, "source": r.source, **rel} for r in records for rel in r.relationships]
    if relationships:
        statements.append(("ingest/link_relationships", {"links": relationships}))
    return statements


def write_records(tx: neo4j.ManagedTransaction, records: list[PreparedRecord], existing: set[str] | None = None) -> None:
    """Write prepared records inside the caller's transaction (used by batch and real-time ingest).
    ``existing``: uids known to be in the graph already (None: not known, so upsert all)."""
    for name, parameters in _batch_parameters(records, existing):
        tx.run(cypher.text(name), parameters).consume()


class Loader:
    """Loads streams of raw records; one instance per run."""

    def __init__(self, db: Database, batch_size: int = 5000, pool: PreparePool | None = None) -> None:
        self.db = db
        self.batch_size = batch_size
        self.pool = pool

    def load(
        self,
        items: Iterable[SourceItem],
        location: str,
        *,
        source_override: str | None = None,
        on_rejection: Callable[[Rejection], None] = lambda _r: None,
        on_progress: Callable[[int], None] = lambda _n: None,
        on_written: Callable[[list[str]], None] = lambda _uids: None,
    ) -> LoadSummary:
        """Prepare and write every item; rejections go to ``on_rejection``. Memory stays bounded by the batch.

        Writing overlaps preparing: while the database stores batch N (the driver waits on the socket),
        batch N+1 is normalised (here, or in the pool's worker processes). At most one batch is in
        flight, so batches land in order.
        """
        summary = LoadSummary()
        started = time.perf_counter()
        batch: dict[str, tuple[int, PreparedRecord]] = {}
        lock = threading.Lock()
        writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="mashgraph-ingest")
        in_flight: list[tuple[Future[list[str]], int]] = []

        def reject(rejection: Rejection) -> None:
            with lock:
                summary.rejected += 1
                summary.rejection_counts[rejection.reason] = summary.rejection_counts.get(rejection.reason, 0) + 1
                on_rejection(rejection)

        def settle() -> None:
            while in_flight:
                future, size = in_flight.pop()
                on_written(future.result())
                on_progress(size)
                # The batch just written is garbage, but the driver leaves it in reference cycles that only
                # a full collection frees, and full collections are rare during a load (see
                # rare_full_collections): without this the loader held ~200 MB more. The start-up objects
                # are frozen, so this walks little more than the batch being read.
                gc.collect()

        def flush() -> None:
            if batch:
                settle()
                entries = list(batch.values())
                in_flight.append((writer.submit(self._write_batch, entries, location, summary, reject), len(entries)))
                batch.clear()

        with rare_full_collections(freeze=True):
            for outcome in prepare_items(items, location, source_override, self.pool):
                summary.read += 1
                if isinstance(outcome, Rejection):
                    reject(outcome)
                    continue
                record = outcome.record
                self.count_warnings(record, summary)
                if record.uid in batch:
                    # The same record again: write the batch holding the earlier line first, so that lines
                    # apply in order whatever the batch size (the later wins; the bulk path does the same).
                    flush()
                batch[record.uid] = (outcome.line, record)
                if len(batch) >= self.batch_size:
                    flush()
            try:
                flush()
                settle()
            finally:
                writer.shutdown(wait=True, cancel_futures=True)
        summary.seconds = time.perf_counter() - started
        return summary

    @staticmethod
    def count_warnings(record: PreparedRecord, summary: LoadSummary) -> None:
        summary.warnings += len(record.warnings)
        for warning in record.warnings:
            kind = warning.rsplit(":", 1)[0] if warning.startswith("identifier:") else warning
            summary.warning_counts[kind] = summary.warning_counts.get(kind, 0) + 1

    def _write_batch(
        self,
        entries: list[tuple[int, PreparedRecord]],
        location: str,
        summary: LoadSummary,
        reject: Callable[[Rejection], None],
    ) -> list[str]:
        """Write one batch; returns the uids of the records stored or updated (unchanged ones are not)."""
        records = [record for _, record in entries]
        found = self.db.run("ingest/existing_hashes", {"uids": [r.uid for r in records]})
        existing = {row["uid"]: row["content_hash"] for row in found if not row["stub"]}
        in_graph = {row["uid"] for row in found}
        changed = [r for r in records if existing.get(r.uid) != r.props["content_hash"]]
        summary.unchanged += len(records) - len(changed)
        if not changed:
            return []
        try:
            self._transaction(changed, in_graph)
        except DatabaseUnavailable:
            raise
        except Neo4jError:
            # Retry one by one so a single bad record cannot sink the batch.
            lines = {record.uid: line for line, record in entries}
            written = []
            for record in changed:
                try:
                    self._transaction([record], in_graph)
                except Neo4jError as exc:
                    reject(Rejection(location, lines[record.uid], "database_refused",
                                     f"the database refused the record: {exc.code}",
                                     record.source, record.source_id, text=None))
                    continue
                self._count(record, existing, summary)
                written.append(record.uid)
            return written
        for record in changed:
            self._count(record, existing, summary)
        return [record.uid for record in changed]

    @staticmethod
    def _count(record: PreparedRecord, existing: dict[str, str], summary: LoadSummary) -> None:
        if record.uid in existing:
            summary.updated += 1
        else:
            summary.stored += 1

    def _transaction(self, records: list[PreparedRecord], in_graph: set[str]) -> None:
        try:
            with self.db.driver.session(database=self.db.database) as session:
                session.execute_write(write_records, records, in_graph)
        except ServiceUnavailable as exc:
            raise DatabaseUnavailable("Neo4j became unreachable during the load") from exc

