"""Real-time operations for agency systems: push records (stored and resolved at once), match a record without
storing it, and follow identity changes.

Pushing: each record is validated and normalised like a loaded one; a record whose source is not the caller's
agency's is refused (FORBIDDEN), one that cannot be used is rejected (INVALID_ARGUMENT) and the others in the
same call are still stored. Each stored record is upserted and resolved in its own transaction by the
real-time resolver, in a worker thread (the resolver's transactions are synchronous).
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from api.errors import ErrorCode, InvalidArgument
from api.service.scope import RequestScope
from api.service.search import Match, rank_people
from graph_model.errors import DatabaseError, DatabaseUnavailable
from graph_model.records import PreparedRecord, RecordRejected, prepare
from resolvers.features import features_from_prepared

__all__ = ["ChangeView", "IngestOutcome", "ingest_records", "match_record", "person_changes"]

_MAX_TEXT = 200  # longest identifier or name a pushed record may carry
_MATCH_SLACK = 5


@dataclass
class IngestOutcome:
    source: str
    source_id: str
    status: str  # created | updated | unchanged | rejected
    person_id: str | None = None
    household_id: str | None = None
    warnings: list[str] = field(default_factory=list)
    error: tuple[ErrorCode, str, str | None] | None = None  # code, message, field


def _too_long(raw: dict[str, Any]) -> str | None:
    for name in ("source", "source_id", "given_name", "middle_names", "family_name", "dob", "sex", "recorded_at"):
        value = raw.get(name)
        if isinstance(value, str) and len(value) > _MAX_TEXT:
            return name
    return None


def _prepare(scope: RequestScope, raw: dict[str, Any]) -> PreparedRecord | IngestOutcome:
    source = str(raw.get("source") or "").strip().lower()
    source_id = str(raw.get("source_id") or "").strip()
    outcome = IngestOutcome(source=source[:_MAX_TEXT], source_id=source_id[:_MAX_TEXT], status="rejected")
    too_long = _too_long(raw)
    if too_long:
        outcome.error = (ErrorCode.INVALID_ARGUMENT, f"{too_long} is longer than {_MAX_TEXT} characters", too_long)
        return outcome
    if not scope.pdp.owns(scope.subject, source):
        # Only an agency's own system speaks for its records (and it cannot overwrite another agency's).
        outcome.error = (ErrorCode.FORBIDDEN, f"agency {scope.subject.agency} may push only its own sources' records",
                         "source")
        scope.disclosure.rules.add("ingest:own-source-only")
        scope.disclosure.refused.append(f"{outcome.source}:{outcome.source_id}")
        return outcome
    try:
        return prepare(raw)
    except RecordRejected as exc:
        outcome.error = (ErrorCode.INVALID_ARGUMENT, str(exc), _field_of(exc))
        return outcome


def _field_of(error: RecordRejected) -> str | None:
    text = str(error)
    if "'" in text:
        return text.split("'")[1]
    return {"no_name_or_identifier": "familyName", "missing_source_id": "sourceId",
            "missing_source": "source"}.get(error.reason)


async def ingest_records(scope: RequestScope, raws: Sequence[dict[str, Any]]) -> list[IngestOutcome]:
    """Store and resolve each record the caller may push; a per-record outcome for every one, in order."""
    scope.require("ingestRecords")
    limit = scope.settings.ingest_max_records
    if len(raws) > limit:
        raise InvalidArgument(f"push at most {limit} records per call")
    prepared = [_prepare(scope, raw) for raw in raws]
    for item in prepared:
        scope.disclosure.requested.add(item.uid if isinstance(item, PreparedRecord) else
                                       f"{item.source}:{item.source_id}"[:_MAX_TEXT])
    valid = [p for p in prepared if isinstance(p, PreparedRecord)]
    stored = await asyncio.to_thread(_store_all, scope, valid) if valid else {}
    outcomes = [stored[p.uid] if isinstance(p, PreparedRecord) else p for p in prepared]
    for outcome in outcomes:
        if outcome.person_id:
            scope.disclosure.subjects.add(outcome.person_id)
    return outcomes


def _store_all(scope: RequestScope, records: list[PreparedRecord]) -> dict[str, IngestOutcome]:
    """In a worker thread: each record in its own transaction, so one failure loses only that record."""
    resolver = scope.services.incremental
    results: dict[str, IngestOutcome] = {}
    for record in records:
        outcome = IngestOutcome(source=record.source, source_id=record.source_id, status="rejected",
                                warnings=sorted(set(record.warnings)))
        try:
            status, resolution = resolver.store_and_resolve(record)
        except DatabaseUnavailable:
            outcome.error = (ErrorCode.SERVICE_UNAVAILABLE, "the database is unavailable; push the record again", None)
        except DatabaseError:
            outcome.error = (ErrorCode.INTERNAL, f"the record could not be stored (request id {scope.request_id})",
                             None)
        else:
            outcome.status, outcome.person_id, outcome.household_id = (status, resolution.person_id,
                                                                       resolution.household_id)
        results[record.uid] = outcome
    return results


async def match_record(scope: RequestScope, raw: dict[str, Any], *, min_probability: float = 0.01,
                       people: int = 20) -> list[Match]:
    """The best ``people`` a record would resolve to, ranked, with the evidence; nothing is stored."""
    scope.require("matchRecord")
    too_long = _too_long(raw)
    if too_long:
        raise InvalidArgument(f"{too_long} is longer than {_MAX_TEXT} characters")
    try:
        record = prepare(raw)
    except RecordRejected as exc:
        raise InvalidArgument(f"the record cannot be used: {exc}") from None
    scored = await asyncio.to_thread(scope.services.incremental.match, record)
    # Only candidates resolution itself would consider (full-information score above the floor), and the best
    # people of them (a few more than asked for, as hidden fields can reorder them): their views, through the
    # policy, are what the response is built from.
    floor = math.log2(min_probability / (1 - min_probability)) if 0 < min_probability < 1 else -math.inf
    best_people = list(dict.fromkeys(c.person_id for c in scored if c.weight >= floor))[:people + _MATCH_SLACK]
    candidates = [c for c in scored if c.weight >= floor and c.person_id in best_people]
    return await rank_people(
        scope, features_from_prepared(record), {c.uid: c.person_id for c in candidates}, min_probability=min_probability,
        scored={c.uid: (c.weight, c.explanation) for c in candidates},
        features={c.uid: c.features for c in candidates})


# ---------------------------------------------------------------------------------------------- identity journal


@dataclass(frozen=True)
class ChangeView:
    seq: int
    kind: str
    person_id: str
    related: tuple[str, ...]
    at: str | None
    decision_id: str | None


def _changes_of(row: dict[str, Any]) -> list[ChangeView]:
    """A journal entry as changes, one per person id it is about (a merge of three names two old ids)."""
    kind, at, decision = row["kind"], row["at"], row.get("decision_id")
    from_ids, to_ids = list(row["from_ids"] or []), list(row["to_ids"] or [])
    if kind in ("merged", "split"):
        return [ChangeView(row["seq"], kind, old, tuple(to_ids), at, decision) for old in from_ids]
    return [ChangeView(row["seq"], kind, pid, (), at, decision) for pid in to_ids]


async def person_changes(scope: RequestScope, since: int, size: int) -> tuple[list[ChangeView], int, bool]:
    """Changes after journal position ``since`` about people the caller may see: (changes, the position read up to,
    whether more may follow). A journal entry's changes are never split over two pages.

    A change shows when the caller may see the person it names, or one it names as related (a retired id
    resolves to its successor, so a merge into someone visible shows)."""
    scope.require("personChanges")
    changes: list[ChangeView] = []
    position = since
    batch = max(size * 2, 10)
    while True:
        rows = await scope.db.read("resolve/identity_events_since", {"since": position, "limit": batch})
        # One query for every person the batch names; the checks below then read the request's cache.
        await scope.people(sorted({pid for row in rows for pid in [*(row["from_ids"] or []), *(row["to_ids"] or [])]}))
        for index, row in enumerate(rows):
            visible = []
            for change in _changes_of(row):
                views = await scope.people([change.person_id, *change.related])
                if any(v is not None for v in views):
                    visible.append(change)
                    for view in views:
                        if view is not None:
                            scope.disclosure.subjects.add(view.id)
            if changes and len(changes) + len(visible) > size:
                return changes, position, True
            changes.extend(visible)
            position = row["seq"]
            if len(changes) >= size:
                return changes, position, index < len(rows) - 1 or len(rows) == batch
        if len(rows) < batch:
            return changes, position, False
