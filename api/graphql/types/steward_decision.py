"""A data steward's decision: a constraint every later resolution obeys until it is revoked."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry

from api.graphql.scalars import DateTime
from api.graphql.types.node import Node
from api.graphql.types.steward_decision_kind import StewardDecisionKind
from api.service.stewardship import DecisionView

if TYPE_CHECKING:
    from api.graphql.types.record import Record

__all__ = ["StewardDecision"]


@strawberry.type(description="A steward's decision about records: who made it, why and when. Full and real-time "
                             "resolution obey every active decision; a revoked one stays on file, inactive.")
class StewardDecision(Node):
    view: strawberry.Private[DecisionView]

    @strawberry.field(description="Opaque decision id (sd_...).")
    def id(self) -> strawberry.ID:
        return strawberry.ID(self.view.id)

    @strawberry.field
    def kind(self) -> StewardDecisionKind:
        return StewardDecisionKind(self.view.kind)

    @strawberry.field(description="The steward's reason, as written.")
    def reason(self) -> str:
        return self.view.reason

    @strawberry.field(description="The steward who decided.")
    def user(self) -> str:
        return self.view.user

    @strawberry.field(description="The steward's agency.")
    def agency(self) -> str:
        return self.view.agency

    @strawberry.field(description="When it was decided (ISO 8601).")
    def at(self) -> DateTime | None:
        return DateTime(self.view.at) if self.view.at else None

    @strawberry.field(description="False once revoked.")
    def active(self) -> bool:
        return self.view.active

    @strawberry.field(description="The records the decision is about that you may see.")
    def records(self) -> list[Annotated[Record, strawberry.lazy("api.graphql.types.record")]]:
        from api.graphql.types.record import Record

        return [Record.of(r) for r in self.view.records]
