"""The audit log: append-only, hash-chained (:AuditEntry) nodes in Neo4j, written before any response.

Why Neo4j rather than a file: the entries then share the data's durability (transaction log,
backups), every API process and host appends to one chain (a write lock on the single
(:AuditHead) node serialises appends across processes, which a local file cannot do across hosts),
and ``audit query --person`` reads them with Cypher. The hash chain, not the store, makes them
tamper-evident: ``mashgraph audit verify`` recomputes it.

Appends are group-committed: concurrent requests' entries are chained and written in one
transaction, and each request waits for the commit of its own entry. While other requests of the
process are in flight, a write first waits their ``window`` (api.service.coalesce.InFlight) for their
entries: a statement's cost is mostly per statement, not per entry, and writing whatever was pending
gave ~7 entries a statement at full speed (api/service/coalesce.py has the figures). A request alone
waits for nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from api.audit._chain import GENESIS, ChainReport, ChainVerifier, entry_hash
from api.audit._shared_head import SharedHead
from api.errors import AuditUnavailable
from api.store import AsyncDatabase
from graph_model.errors import MashgraphError

if TYPE_CHECKING:  # api.service imports this module
    from api.service.coalesce import InFlight

__all__ = ["AuditEntry", "AuditLog", "ensure_audit_schema"]

log = logging.getLogger("mashgraph.audit")
_MAX_BATCH = 256
_ATTEMPTS = 20  # appends by other processes in between (each attempt is one round trip)
_PAGE = 5000


@dataclass(slots=True)
class AuditEntry:
    """One access, disclosure, refusal or decision. Ids, field names and codes only: no personal values."""

    user: str
    agency: str
    role: str
    request_id: str
    purpose: str
    policy_version: str
    decision: str  # permitted | partial | refused | error
    operation: str = ""  # the GraphQL operation name, or the CLI command
    operation_hash: str = ""  # sha256 of the query document
    root_fields: list[str] = field(default_factory=list)
    subjects: list[str] = field(default_factory=list)  # person ids disclosed
    requested: list[str] = field(default_factory=list)  # ids asked for (even when nothing was disclosed)
    fields: list[str] = field(default_factory=list)  # Type.field coordinates returned
    redacted: list[str] = field(default_factory=list)  # Type.field:REASON withheld
    rules: list[str] = field(default_factory=list)  # policy rules that decided
    reason: str = ""  # refusal or error code
    break_glass: bool = False
    grant: str = ""  # break-glass grant id
    justification_sha256: str = ""
    channel: str = "graphql"
    erased: list[str] = field(default_factory=list)  # record uids erased (retention)
    counts: list[str] = field(default_factory=list)  # name=number, for actions on many items (retention)
    at: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="microseconds"))
    id: str = field(default_factory=lambda: f"aud_{os.urandom(10).hex()}")  # 80 random bits

    def properties(self) -> dict[str, Any]:
        return {
            "id": self.id, "at": self.at, "user": self.user, "agency": self.agency, "role": self.role,
            "request_id": self.request_id, "purpose": self.purpose, "policy_version": self.policy_version,
            "decision": self.decision, "operation": self.operation, "operation_hash": self.operation_hash,
            "root_fields": sorted(set(self.root_fields)), "subjects": sorted(set(self.subjects)),
            "requested": sorted(set(self.requested)), "fields": sorted(set(self.fields)),
            "redacted": sorted(set(self.redacted)), "rules": sorted(set(self.rules)), "reason": self.reason,
            "break_glass": self.break_glass, "grant": self.grant,
            "justification_sha256": self.justification_sha256, "channel": self.channel,
            # Only on the entries that use them, so every other entry keeps the shape it always had.
            **({"erased": sorted(set(self.erased))} if self.erased else {}),
            **({"counts": list(self.counts)} if self.counts else {}),
        }


async def ensure_audit_schema(db: AsyncDatabase) -> None:
    await db.ensure_schema_statement("audit/head_unique")
    await db.ensure_schema_statement("audit/entry_seq_unique")


class AuditLog:
    """Appends entries to the chain. ``start()`` runs the group-commit writer; without it, appends write directly."""

    def __init__(self, db: AsyncDatabase, *, timeout: float = 5.0, shared_head: SharedHead | None = None,
                 in_flight: InFlight | None = None) -> None:
        self.db = db
        self.timeout = timeout
        self.in_flight = in_flight  # the process's requests: a write waits briefly for more entries while they run
        self.shared_head = shared_head  # the head other processes on this host last wrote (a hint)
        self._pending: list[tuple[dict[str, Any], asyncio.Future[int]]] = []
        self._wakeup: asyncio.Event | None = None
        self._task: asyncio.Task[None] | None = None
        self._head: tuple[int, str] | None = None  # (seq, hash) this writer last saw at the head
        self.written = 0
        self.attempts = 0  # append statements sent (more than appends when other processes moved the head)

    # ------------------------------------------------------------------ lifecycle
    async def start(self) -> None:
        self._wakeup = asyncio.Event()
        self._task = asyncio.create_task(self._writer(), name="audit-writer")

    async def close(self) -> None:
        """Write what is pending, then stop the writer."""
        if self._task is None:
            return
        while self._pending:
            assert self._wakeup is not None
            self._wakeup.set()
            await asyncio.sleep(0.01)
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        self._task = None

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    # ------------------------------------------------------------------ appending
    async def append(self, entry: AuditEntry) -> int:
        """Append one entry and wait until it is committed; its sequence number. Raises AuditUnavailable."""
        properties = entry.properties()
        if self._task is None or self._task.done():
            try:
                return (await asyncio.wait_for(self._write([properties]), self.timeout))[0]
            except (TimeoutError, MashgraphError) as exc:
                log.error("audit write failed (request %s): %s", entry.request_id, type(exc).__name__)
                raise AuditUnavailable("the audit trail could not be written; the response was withheld") from exc
        future: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        self._pending.append((properties, future))
        assert self._wakeup is not None
        self._wakeup.set()
        try:
            # Shielded: a caller giving up does not cancel the shared write of other requests' entries.
            return await asyncio.wait_for(asyncio.shield(future), self.timeout)
        except TimeoutError as exc:
            log.error("audit write timed out (request %s)", entry.request_id)
            raise AuditUnavailable("the audit trail could not be written in time; the response was withheld") from exc

    async def _writer(self) -> None:
        assert self._wakeup is not None
        while True:
            await self._wakeup.wait()
            self._wakeup.clear()
            while self._pending:
                delay = self.in_flight.delay(len(self._pending)) if self.in_flight is not None else 0.0
                if delay > 0:
                    await asyncio.sleep(delay)
                batch, self._pending = self._pending[:_MAX_BATCH], self._pending[_MAX_BATCH:]
                try:
                    seqs = await self._write([properties for properties, _ in batch])
                except Exception as exc:  # every failure must reach the waiting requests
                    log.error("audit write of %d entries failed: %s", len(batch), type(exc).__name__)
                    for _, future in batch:
                        if not future.done():
                            future.set_exception(AuditUnavailable(
                                "the audit trail could not be written; the response was withheld"))
                    continue
                for (_, future), seq in zip(batch, seqs, strict=True):
                    if not future.done():
                        future.set_result(seq)

    async def _write(self, entries: list[dict[str, Any]]) -> list[int]:
        """Chain the entries onto the head and append them in one auto-committed statement.

        The head this writer last wrote is kept, so an append is one round trip; when another process
        appended meanwhile, the statement writes nothing and returns the head to chain onto (then it is
        tried again). Any failure forgets the kept head: the next append reads it afresh.
        """
        try:
            for attempt in range(_ATTEMPTS):
                if attempt == 0 and self.shared_head is not None:
                    # Only before the first try: after a miss, the head the database returned is the one to use.
                    published = self.shared_head.read()
                    if published is not None and (self._head is None or published[0] > self._head[0]):
                        self._head = published
                if self._head is None:
                    rows = await self.db.read("audit/head")
                    self._head = (int(rows[0]["seq"]), str(rows[0]["hash"])) if rows else (0, GENESIS)
                expected_seq, expected_hash = self._head
                seq, previous = expected_seq, expected_hash
                chained: list[dict[str, Any]] = []
                for properties in entries:
                    seq += 1
                    entry = {**properties, "seq": seq, "prev_hash": previous}
                    previous = entry["hash"] = entry_hash(entry)
                    chained.append(entry)
                self.attempts += 1
                row = (await self.db.run("audit/append_at_head", {
                    "genesis": GENESIS, "expected_seq": expected_seq, "expected_hash": expected_hash,
                    "entries": chained, "seq": seq, "hash": previous}))[0]
                self._head = (int(row["seq"]), str(row["hash"]))
                if self.shared_head is not None:
                    self.shared_head.publish(*self._head, replace=self._head[0] < expected_seq)
                if row["appended"]:
                    self.written += len(chained)
                    return [e["seq"] for e in chained]
        except BaseException:
            self._head = None
            raise
        raise AuditUnavailable("the audit trail head kept moving; the entries were not written")

    # ------------------------------------------------------------------ reading
    async def entries(self, until: int | None = None) -> AsyncIterator[dict[str, Any]]:
        """Entries in chain order (up to seq ``until``, if given), a page at a time."""
        after = 0
        while True:
            rows = await self.db.read("audit/entries_after", {"after": after, "limit": _PAGE})
            for row in rows:
                if until is not None and isinstance(row["entry"].get("seq"), int) and row["entry"]["seq"] > until:
                    return
                yield row["entry"]
            if len(rows) < _PAGE:
                return
            after = int(rows[-1]["entry"]["seq"])

    async def verify(self, anchor: tuple[int, str] | None = None) -> ChainReport:
        # The head first: entries appended while verifying (after it) are left for the next run.
        heads = await self.db.read("audit/head")
        head = heads[0] if heads else None
        last = int(head["seq"]) if head else None
        verifier = ChainVerifier(anchor)
        async for entry in self.entries(until=last):
            if not verifier.feed(entry):
                break
        return verifier.finish(head)

    async def for_person(self, person_id: str, *, skip: int = 0, limit: int = 100) -> tuple[int, list[dict[str, Any]]]:
        """(total, page of entries newest first) that disclosed or asked for this person, under any of their ids."""
        ids = (await self.db.read("audit/identity_ids", {"id": person_id}))[0]["ids"]
        total = (await self.db.read("audit/count_entries_for_people", {"ids": ids}))[0]["total"]
        rows = await self.db.read("audit/entries_for_people", {"ids": ids, "skip": skip, "limit": limit})
        return int(total), [row["entry"] for row in rows]
