"""What a steward's decision did."""

from __future__ import annotations

import strawberry

from api.graphql.types.steward_decision import StewardDecision

__all__ = ["StewardOutcome"]


@strawberry.type(description="The decision stored, and the people its records resolve to after it (already "
                             "re-resolved).")
class StewardOutcome:
    decision: StewardDecision
    person_ids: list[strawberry.ID]
