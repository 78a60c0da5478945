"""One entry of the identity journal, for systems that keep person ids in sync."""

from __future__ import annotations

import strawberry

from api.graphql.scalars import DateTime
from api.graphql.types.person_change_kind import PersonChangeKind

__all__ = ["PersonChange"]


@strawberry.type(description="An identity change: a person created, merged, split, linked to a new record or "
                             "retired; decisionId names the steward decision that caused it, if one did.")
class PersonChange:
    kind: PersonChangeKind
    person_id: strawberry.ID
    related_person_ids: list[strawberry.ID]
    at: DateTime | None
    decision_id: strawberry.ID | None
