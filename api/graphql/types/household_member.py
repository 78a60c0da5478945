"""A member of a household, with the evidence for membership."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry

if TYPE_CHECKING:
    from api.graphql.types.person import Person

__all__ = ["HouseholdMember"]


@strawberry.type(description="A member of a household. evidence: why resolution placed them here "
                             "(current_address:<how chosen>, relationship:<type>, shared_landline).")
class HouseholdMember:
    person: Annotated[Person, strawberry.lazy("api.graphql.types.person")]
    evidence: str | None
