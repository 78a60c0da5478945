"""A relationship a pushed record states to another record of the same source."""

from __future__ import annotations

import strawberry

__all__ = ["RelationshipInput"]


@strawberry.input(description="A relationship to another record of the same agency system: type is parent_of, "
                              "child_of, sibling_of, partner_of, carer_of or other; sourceId the other record's id.")
class RelationshipInput:
    type: str
    source_id: str
