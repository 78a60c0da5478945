"""Another agency holds something it has not disclosed."""

from __future__ import annotations

import strawberry

from api.graphql.scalars import DateTime
from api.graphql.types.agency import Agency

__all__ = ["HeldNotice"]


@strawberry.type(description="An agency holds information on this person that it has marked held-not-disclosed "
                             "(e.g. a live investigation): contact it; the content is never returned.")
class HeldNotice:
    agency: Agency
    contact: str
    since: DateTime | None
