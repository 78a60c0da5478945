"""A scored link between two records of one person: why they were merged."""

from __future__ import annotations

import strawberry

from api.graphql.context import Info, disclose
from api.graphql.types.match_evidence import MatchEvidence
from api.graphql.types.record import Record
from api.service.views import LinkView

__all__ = ["PersonLink"]


@strawberry.type(description="Two of the person's records and the evidence linking them (Fellegi-Sunter match "
                             "weights in bits). Comparisons of fields you may not see are left out, and then the "
                             "total weight and probability are withheld too.")
class PersonLink:
    view: strawberry.Private[LinkView]

    @strawberry.field
    def a(self) -> Record:
        return Record.of(self.view.a)

    @strawberry.field
    def b(self) -> Record:
        return Record.of(self.view.b)

    @strawberry.field
    def weight(self, info: Info) -> float | None:
        return disclose(info, self.view.weight, "PersonLink.weight")

    @strawberry.field
    def probability(self, info: Info) -> float | None:
        return disclose(info, self.view.probability, "PersonLink.probability")

    @strawberry.field
    def explanation(self, info: Info) -> list[MatchEvidence]:
        for comparison, withheld in self.view.withheld:
            disclose(info, withheld, f"PersonLink.explanation.{comparison}")
        return [MatchEvidence(comparison=e.comparison, level=e.level, weight=e.weight) for e in self.view.evidence]

    @strawberry.field(description="The blocking rules that proposed the pair.")
    def blocking_rules(self) -> list[str]:
        return list(self.view.rules)

    @strawberry.field(description="Why the two can never be one person, if so.")
    def cannot_link(self) -> str | None:
        return self.view.cannot_link
