"""Governance operations: break-glass, marking records, the audit trail and break-glass reviews."""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from api.errors import Forbidden, InvalidArgument, NotFound
from api.service.scope import RequestScope

__all__ = ["audit_trail", "break_glass", "grants_for_review", "mark_record", "review_grant"]

MARKS = ("held_not_disclosed", "owner_restricted")
_MAX_JUSTIFICATION = 4000


async def break_glass(scope: RequestScope, person_id: str, justification: str) -> dict[str, Any]:
    """Grant the caller temporary wider access to one person; audited and queued for review.

    The grant is recorded whether or not the id names someone (answering differently would tell
    the caller that a person exists).
    """
    scope.require("breakGlass")
    scope.disclosure.requested.add(person_id)
    policy = scope.services.policy.break_glass
    text = justification.strip()
    if len(text) < policy.min_justification_chars:
        raise InvalidArgument(f"the justification must be at least {policy.min_justification_chars} characters")
    if len(text) > _MAX_JUSTIFICATION:
        raise InvalidArgument(f"the justification must be at most {_MAX_JUSTIFICATION} characters")
    if len(person_id) > 64:
        raise InvalidArgument("personId is too long")
    grant_id = f"bg_{uuid.uuid4().hex[:20]}"
    expires = datetime.now(UTC) + timedelta(minutes=policy.ttl_minutes)
    rows = await scope.db.run("policy/create_break_glass", {
        "id": grant_id, "user": scope.subject.user, "agency": scope.subject.agency, "role": scope.subject.role,
        "purpose": scope.subject.purpose, "person_id": person_id, "justification": text,
        "expires_at": expires.isoformat(),
    })
    scope.disclosure.break_glass = True
    scope.disclosure.grant = grant_id
    scope.disclosure.justification_sha256 = hashlib.sha256(text.encode()).hexdigest()
    scope.disclosure.rules.add("break-glass")
    row = rows[0]
    return {"id": grant_id, "user": scope.subject.user, "agency": scope.subject.agency, "role": scope.subject.role,
            "purpose": scope.subject.purpose, "person_id": person_id, "justification": text,
            "created_at": row["created_at"], "expires_at": row["expires_at"], "reviewed": False}


async def mark_record(scope: RequestScope, source: str, source_id: str, mark: str, contact: str | None) -> str:
    """Mark one of the caller's own agency's records (or clear the mark). Returns the record uid."""
    scope.require("markRecord")
    source = source.strip().lower()
    uid = f"{source}:{source_id.strip()}"
    scope.disclosure.requested.add(uid)
    if not scope.pdp.owns(scope.subject, source):
        raise Forbidden(f"only the agency owning {source} records may mark them")
    if mark not in (*MARKS, "none"):
        raise InvalidArgument(f"unknown mark {mark!r}")
    if contact is not None and len(contact) > 200:
        raise InvalidArgument("the contact must be at most 200 characters")
    if mark == "none":
        rows = await scope.db.run("policy/clear_mark", {"uid": uid})
    else:
        rows = await scope.db.run("policy/set_mark", {
            "uid": uid, "kind": mark, "agency": scope.subject.agency, "user": scope.subject.user,
            "contact": contact or scope.services.policy.contact_of(scope.subject.agency) or "",
        })
    if not rows:
        # The caller's own agency's record: saying it does not exist discloses nothing new.
        raise NotFound(f"no {source} record with that id")
    scope.disclosure.rules.add(f"mark:{mark}")
    return uid


async def audit_trail(scope: RequestScope, person_id: str, skip: int, limit: int) \
        -> tuple[int, list[dict[str, Any]]]:
    """Who accessed a person and why (ig_lead). This read is itself audited, like every request."""
    scope.require("auditTrail")
    scope.disclosure.requested.add(person_id)
    return await scope.services.audit.for_person(person_id, skip=skip, limit=limit)


async def grants_for_review(scope: RequestScope, pending_only: bool, skip: int, limit: int) \
        -> tuple[int, list[dict[str, Any]]]:
    scope.require("breakGlassGrants")
    total = (await scope.db.read("policy/count_break_glass_grants", {"pending_only": pending_only}))[0]["total"]
    rows = await scope.db.read("policy/break_glass_grants", {"pending_only": pending_only, "skip": skip,
                                                              "limit": limit})
    return int(total), [row["grant"] for row in rows]


async def review_grant(scope: RequestScope, grant_id: str, outcome: str, note: str | None) -> dict[str, Any]:
    scope.require("reviewBreakGlass")
    if note is not None and len(note) > _MAX_JUSTIFICATION:
        raise InvalidArgument(f"the note must be at most {_MAX_JUSTIFICATION} characters")
    rows = await scope.db.run("policy/review_break_glass", {"id": grant_id, "reviewer": scope.subject.user,
                                                             "outcome": outcome, "note": note})
    if not rows:
        raise NotFound("no break-glass grant with that id")
    scope.disclosure.grant = grant_id
    return rows[0]["grant"]
