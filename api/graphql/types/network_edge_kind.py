"""Kinds of edge in a network."""

from __future__ import annotations

from enum import Enum

import strawberry

__all__ = ["NetworkEdgeKind"]


@strawberry.enum(description="MEMBER_OF: person to household. LIVES_AT: person to an address their records give. "
                             "USES_PHONE / USES_EMAIL: person to a phone or email. ATTENDS: person to school. "
                             "RELATED: a relationship an agency recorded between two people. LOCATED_AT: household "
                             "to its address.")
class NetworkEdgeKind(Enum):
    MEMBER_OF = "MEMBER_OF"
    LIVES_AT = "LIVES_AT"
    USES_PHONE = "USES_PHONE"
    USES_EMAIL = "USES_EMAIL"
    ATTENDS = "ATTENDS"
    RELATED = "RELATED"
    LOCATED_AT = "LOCATED_AT"
