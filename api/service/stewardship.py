"""The data steward's operations: the review queue, decisions (confirm, reject, split, merge, revoke) and the
list of decisions.

Every operation asks the policy first (role steward, purpose data_stewardship in the shipped policy). A steward
decides only about records they may see: a record hidden from them is "unknown", exactly as one that does not
exist. Decisions run the resolvers' steward code in a worker thread (it re-resolves the people involved at
once); each is audited with the steward, the decision id, the people affected and a hash of the reason (the
reason itself, free text, stays on the decision in the graph).
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from api.errors import InvalidArgument
from api.service.scope import RequestScope
from api.service.views import LinkView, PersonView, RecordView, build_link
from graph_model.errors import InputError
from resolvers.review import ReviewItem, ReviewQueue, SuspiciousPerson
from resolvers.steward import StewardActor

__all__ = ["DecisionView", "ReviewView", "decide", "decisions", "review_queue"]

HELD = "held_not_disclosed"


@dataclass(frozen=True)
class DecisionView:
    id: str
    kind: str  # confirm_link | reject_link | split_person | merge_persons
    reason: str
    user: str
    agency: str
    at: str | None
    active: bool
    records: tuple[RecordView, ...]


@dataclass(frozen=True)
class ReviewView:
    id: str
    kind: str  # uncertain_link | suspicious_person
    impact: int
    agencies: tuple[str, ...]
    reasons: tuple[str, ...]
    link: LinkView | None = None
    left: PersonView | None = None
    right: PersonView | None = None
    person: PersonView | None = None


def _visible(scope: RequestScope, source: str, mark: str | None) -> bool:
    """Whether a record of this source and mark exists for the caller (as its full record, not a held notice)."""
    pdp, subject = scope.pdp, scope.subject
    owned = pdp.owns(subject, source)
    access = pdp.record_access(subject, pdp.category_of(source, mark), owner=owned)
    return access.visible and not (mark == HELD and not owned)


def _item_id(*parts: str) -> str:
    return "rv_" + base64.urlsafe_b64encode("|".join(parts).encode()).decode().rstrip("=")


# ---------------------------------------------------------------------------------------------- review queue


async def review_queue(scope: RequestScope, offset: int, size: int) -> tuple[int, list[ReviewView]]:
    """(total the caller may see, one page) of uncertain links and suspicious people, most impactful first."""
    scope.require("reviewQueue")
    settings = scope.settings
    queue = ReviewQueue(scope.services.resolver_db, settings.review_lower, settings.review_upper)
    cap = settings.review_max_items
    links, people = await asyncio.to_thread(
        lambda: (queue.links(cap, side_by_side=False), queue.suspicious(cap)))
    items: list[ReviewItem | SuspiciousPerson] = [
        *(i for i in links if all(_visible(scope, s, m) for s, m in zip(i.sources, i.marks, strict=True))),
        *(p for p in people if any(_visible(scope, s, m) for s, m in p.seen_as))]
    items.sort(key=lambda i: (-i.impact, isinstance(i, SuspiciousPerson),
                              (i.a, i.b) if isinstance(i, ReviewItem) else (i.person_id, "")))
    page = items[offset:offset + size]
    wanted = [pid for i in page for pid in ((i.person_a, i.person_b) if isinstance(i, ReviewItem) else (i.person_id,))]
    views = dict(zip(wanted, await scope.people(wanted), strict=True))
    built = [view for item in page if (view := _review_view(item, views)) is not None]
    return len(items), built


def _review_view(item: ReviewItem | SuspiciousPerson, views: dict[str, PersonView | None]) -> ReviewView | None:
    if isinstance(item, SuspiciousPerson):
        person = views.get(item.person_id)
        if person is None:
            return None
        return ReviewView(id=_item_id("person", item.person_id), kind="suspicious_person", impact=item.impact,
                          agencies=person.agencies, reasons=tuple(item.reasons), person=person)
    left, right = views.get(item.person_a), views.get(item.person_b)
    a = next((r for r in left.records if r.uid == item.a), None) if left else None
    b = next((r for r in right.records if r.uid == item.b), None) if right else None
    if a is None or b is None or left is None or right is None:
        return None  # resolved again since the queue was read, or not visible after all
    row = {"weight": item.weight, "probability": item.probability, "explanation": json.dumps(item.explanation),
           "rules": list(item.rules), "cannot_link": None}
    agencies = tuple(sorted(set(left.agencies) | set(right.agencies)))
    return ReviewView(id=_item_id("link", item.a, item.b), kind="uncertain_link", impact=item.impact,
                      agencies=agencies, reasons=("uncertain_link",), link=build_link(row, a, b), left=left,
                      right=right)


# ---------------------------------------------------------------------------------------------- decisions


async def decisions(scope: RequestScope, active_only: bool, offset: int, size: int,
                    ids: Sequence[str] | None = None) -> tuple[int, list[DecisionView]]:
    scope.require("stewardDecisions")
    return await _decisions(scope, active_only, offset, size, ids)


async def _decisions(scope: RequestScope, active_only: bool, offset: int, size: int,
                     ids: Sequence[str] | None) -> tuple[int, list[DecisionView]]:
    rows = await scope.db.read("steward/list_decisions", {"active_only": active_only, "ids": list(ids) if ids else None,
                                                           "skip": offset, "limit": size})
    if ids:
        total = len(rows)
    else:
        total = int((await scope.db.read("steward/count_decisions", {"active_only": active_only}))[0]["total"])
    uids = sorted({uid for row in rows for uid in row["records"]})
    records = dict(zip(uids, await asyncio.gather(*(scope.record(uid) for uid in uids)), strict=True))
    found = []
    for row in rows:
        scope.disclosure.requested.add(row["id"])
        visible = tuple(r for uid in sorted(row["records"]) if (r := records.get(uid)) is not None)
        for record in visible:
            if record.person_id:
                scope.disclosure.subjects.add(record.person_id)
        found.append(DecisionView(id=row["id"], kind=row["kind"], reason=row["reason"], user=row["user"],
                                  agency=row["agency"], at=row["at"], active=bool(row["active"]), records=visible))
    return total, found


def _reason(scope: RequestScope, reason: str) -> str:
    text = reason.strip()
    low, high = scope.settings.steward_reason_min, scope.settings.steward_reason_max
    if len(text) < low:
        raise InvalidArgument(f"the reason must be at least {low} characters")
    if len(text) > high:
        raise InvalidArgument(f"the reason must be at most {high} characters")
    return text


async def _require_records(scope: RequestScope, uids: Sequence[str]) -> None:
    """Every record must exist for the caller; hidden and missing look the same."""
    scope.disclosure.requested |= set(uids)
    if len(uids) > 200:
        raise InvalidArgument("a decision may name at most 200 records")
    views = await asyncio.gather(*(scope.record(uid) for uid in uids))
    missing = [uid for uid, view in zip(uids, views, strict=True) if view is None]
    if missing:
        raise InvalidArgument(f"unknown record {missing[0]}", hint="name records as {source, sourceId}")


async def _require_people(scope: RequestScope, person_ids: Sequence[str]) -> None:
    scope.disclosure.requested |= set(person_ids)
    views = await scope.people(person_ids)
    missing = [pid for pid, view in zip(person_ids, views, strict=True) if view is None or view.id != pid]
    if missing:
        raise InvalidArgument(f"unknown or retired person id {missing[0][:64]}")


async def decide(scope: RequestScope, operation: str, reason: str, *, records: Sequence[str] = (),
                 person_ids: Sequence[str] = (), groups: Sequence[Sequence[str]] = (),
                 decision_id: str | None = None) -> tuple[DecisionView, list[str]]:
    """Store a steward decision (or revoke one), re-resolve what it touches; (the decision, people affected)."""
    scope.require(operation)
    text = _reason(scope, reason)
    await _require_records(scope, [*records, *(uid for group in groups for uid in group)])
    if person_ids:
        await _require_people(scope, person_ids)
    if decision_id is not None:
        scope.disclosure.requested.add(decision_id)
        _, found = await _decisions(scope, False, 0, 1, [decision_id])
        if not found:
            raise InvalidArgument(f"no steward decision {decision_id[:64]}")
    steward = scope.services.stewardship
    actor = StewardActor(user=scope.subject.user, agency=scope.subject.agency)
    calls: dict[str, Callable[[], Any]] = {
        "confirmLink": lambda: steward.confirm_link(records[0], records[1], text, actor),
        "rejectLink": lambda: steward.reject_link(records[0], records[1], text, actor),
        "splitPerson": lambda: steward.split_person(person_ids[0], [list(g) for g in groups], text, actor),
        "mergePersons": lambda: steward.merge_persons(list(person_ids), text, actor),
        "revokeDecision": lambda: ([decision_id], steward.revoke(str(decision_id), text, actor)),
    }
    try:
        ids, _resolution = await asyncio.to_thread(calls[operation])
    except InputError as exc:
        raise InvalidArgument(str(exc)) from None
    stored = ids[0]
    scope.disclosure.requested.add(stored)
    scope.disclosure.rules.add(f"steward:{operation}")
    scope.disclosure.justification_sha256 = hashlib.sha256(text.encode()).hexdigest()
    _, found = await _decisions(scope, False, 0, 1, [stored])
    decision = found[0]
    rows = await scope.db.read("api/record_people", {"uids": sorted(_all_records(decision, records, groups))})
    people = sorted({row["person_id"] for row in rows if row["person_id"]})
    scope.disclosure.subjects |= set(people)
    return decision, people


def _all_records(decision: DecisionView, records: Sequence[str],
                 groups: Sequence[Sequence[str]]) -> set[str]:
    return {r.uid for r in decision.records} | set(records) | {uid for group in groups for uid in group}
