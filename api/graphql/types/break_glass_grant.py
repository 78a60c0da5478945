"""A break-glass grant."""

from __future__ import annotations

from typing import Any

import strawberry

from api.graphql.scalars import DateTime
from api.graphql.types.break_glass_outcome import BreakGlassOutcome

__all__ = ["BreakGlassGrant"]


@strawberry.type(description="Temporary wider access for one user to one person, with the written justification; "
                             "always audited and queued for information governance review.")
class BreakGlassGrant:
    id: strawberry.ID
    user: str
    agency: str
    role: str
    purpose: str
    person_id: strawberry.ID
    justification: str
    created_at: DateTime
    expires_at: DateTime
    reviewed: bool
    reviewed_by: str | None
    outcome: BreakGlassOutcome | None
    review_note: str | None

    @classmethod
    def of(cls, row: dict[str, Any]) -> BreakGlassGrant:
        return cls(id=strawberry.ID(row["id"]), user=row["user"], agency=row["agency"], role=row["role"],
                   purpose=row["purpose"], person_id=strawberry.ID(row["person_id"]),
                   justification=row["justification"], created_at=DateTime(row["created_at"]),
                   expires_at=DateTime(row["expires_at"]), reviewed=bool(row.get("reviewed")),
                   reviewed_by=row.get("reviewed_by"),
                   outcome=BreakGlassOutcome(row["outcome"]) if row.get("outcome") else None,
                   review_note=row.get("review_note"))
