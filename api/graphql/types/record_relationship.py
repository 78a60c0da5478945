"""A relationship an agency recorded between two people."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry

if TYPE_CHECKING:
    from api.graphql.types.person import Person

__all__ = ["RecordRelationship"]


@strawberry.type(description="A relationship the agency recorded: type as written from this record (parent_of, "
                             "child_of, sibling_of, partner_of, carer_of, other); outgoing false means the other "
                             "record holds it (read it backwards).")
class RecordRelationship:
    type: str
    outgoing: bool
    person: Annotated[Person, strawberry.lazy("api.graphql.types.person")]
