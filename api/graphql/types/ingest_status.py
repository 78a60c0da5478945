"""What happened to one pushed record."""

from __future__ import annotations

from enum import Enum

import strawberry

__all__ = ["IngestStatus"]


@strawberry.enum(description="CREATED: a new record, stored and resolved. UPDATED: a changed record, stored and "
                             "resolved again. UNCHANGED: the same as stored already (nothing written). REJECTED: "
                             "not stored (see error).")
class IngestStatus(Enum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    REJECTED = "rejected"
