"""One item of the data steward's review queue."""

from __future__ import annotations

import strawberry

from api.graphql.context import Info
from api.graphql.types.node import Node
from api.graphql.types.person import Person
from api.graphql.types.person_link import PersonLink
from api.graphql.types.review_item_kind import ReviewItemKind
from api.service.stewardship import ReviewView

__all__ = ["ReviewItem"]


@strawberry.type(description="Something for a steward to decide, most impactful first. impact: how many records "
                             "plus twice how many agencies a decision joins or separates. An uncertain link carries "
                             "both records side by side with the field-by-field explanation (link), and the people "
                             "each record resolves to now; a suspicious person carries the person and the reasons.")
class ReviewItem(Node):
    view: strawberry.Private[ReviewView]

    @strawberry.field(description="Opaque review item id (rv_...).")
    def id(self) -> strawberry.ID:
        return strawberry.ID(self.view.id)

    @strawberry.field
    def kind(self) -> ReviewItemKind:
        return ReviewItemKind(self.view.kind)

    @strawberry.field
    def impact(self) -> int:
        return self.view.impact

    @strawberry.field(description="The agencies whose records the decision would touch (those you may see).")
    def agencies(self) -> list[str]:
        return list(self.view.agencies)

    @strawberry.field(description="Why it is in the queue: uncertain_link, several_nhs_number, several_upn, "
                                  "several_pnc_id, linked_to_several_households, ...")
    def reasons(self) -> list[str]:
        return list(self.view.reasons)

    @strawberry.field(description="UNCERTAIN_LINK: the two records and the evidence (a, b, weight, probability, "
                                  "explanation).")
    def link(self) -> PersonLink | None:
        return PersonLink(view=self.view.link) if self.view.link is not None else None

    @strawberry.field(description="UNCERTAIN_LINK: the person record a resolves to now (with their other records).")
    def left_person(self, info: Info) -> Person | None:
        return Person.of(info, self.view.left) if self.view.left is not None else None

    @strawberry.field(description="UNCERTAIN_LINK: the person record b resolves to now (the same as leftPerson when "
                                  "the link joined them).")
    def right_person(self, info: Info) -> Person | None:
        return Person.of(info, self.view.right) if self.view.right is not None else None

    @strawberry.field(description="SUSPICIOUS_PERSON: the person.")
    def person(self, info: Info) -> Person | None:
        return Person.of(info, self.view.person) if self.view.person is not None else None
