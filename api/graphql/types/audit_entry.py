"""An entry of the audit trail."""

from __future__ import annotations

from typing import Any

import strawberry

from api.graphql.scalars import DateTime

__all__ = ["AuditEntry"]


@strawberry.type(description="Who accessed what, when, for which purpose, under which policy version: ids and "
                             "field names only. decision: permitted, partial (something withheld), refused or "
                             "error.")
class AuditEntry:
    seq: int
    at: DateTime
    user: str
    agency: str
    role: str
    request_id: str
    operation: str
    operation_hash: str
    purpose: str
    policy_version: str
    subjects: list[str]
    requested: list[str]
    fields: list[str]
    redacted: list[str]
    rules: list[str]
    decision: str
    reason: str
    break_glass: bool
    channel: str

    @classmethod
    def of(cls, entry: dict[str, Any]) -> AuditEntry:
        return cls(seq=int(entry["seq"]), at=DateTime(entry["at"]), user=entry.get("user", ""),
                   agency=entry.get("agency", ""), role=entry.get("role", ""), request_id=entry.get("request_id", ""),
                   operation=entry.get("operation", ""), operation_hash=entry.get("operation_hash", ""),
                   purpose=entry.get("purpose", ""), policy_version=entry.get("policy_version", ""),
                   subjects=list(entry.get("subjects") or []), requested=list(entry.get("requested") or []),
                   fields=list(entry.get("fields") or []), redacted=list(entry.get("redacted") or []),
                   rules=list(entry.get("rules") or []), decision=entry.get("decision", ""),
                   reason=entry.get("reason", ""), break_glass=bool(entry.get("break_glass")),
                   channel=entry.get("channel", ""))
