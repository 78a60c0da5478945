"""Marks an owning agency puts on its own records."""

from __future__ import annotations

from enum import Enum

import strawberry

__all__ = ["RecordMark"]


@strawberry.enum(description="HELD_NOT_DISCLOSED: other agencies see only that something is held and whom to "
                             "contact. OWNER_RESTRICTED: only the owning agency sees the record. NONE: no mark.")
class RecordMark(Enum):
    NONE = "none"
    HELD_NOT_DISCLOSED = "held_not_disclosed"
    OWNER_RESTRICTED = "owner_restricted"
