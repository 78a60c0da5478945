"""A household: people living together now."""

from __future__ import annotations

import strawberry

from api.graphql.context import Info, disclose
from api.graphql.types.address import Address
from api.graphql.types.address_period import AddressPeriod
from api.graphql.types.connection import Connection, paginate
from api.graphql.types.household_member import HouseholdMember
from api.graphql.types.node import Node
from api.service.views import HouseholdView

__all__ = ["Household"]


@strawberry.type(description="People living together now, as resolution found them. Only members you may see "
                             "are listed and counted.")
class Household(Node):
    view: strawberry.Private[HouseholdView]
    # Plain values of the caller's view of the household: no resolver to run for them.
    id: strawberry.ID = strawberry.field(description="Stable, opaque household id (hh_...).")
    size: int = strawberry.field(description="How many members you may see.")

    @classmethod
    def of(cls, view: HouseholdView) -> Household:
        return cls(view=view, id=strawberry.ID(view.id), size=view.size)

    @strawberry.field
    def members(self, info: Info, first: int | None = 20, after: str | None = None) -> Connection[HouseholdMember]:
        from api.graphql.types.person import Person

        return paginate(self.view.members, first, after, info.context.scope.settings.max_page_size,
                        lambda item: HouseholdMember(person=Person.of(info, item[0]), evidence=item[1]))

    @strawberry.field(description="The household's current address.")
    def address(self, info: Info) -> Address | None:
        link = disclose(info, self.view.address, "Household.address")
        return Address.of(link) if link is not None else None

    @strawberry.field(description="Addresses the members' records give, with periods.")
    def address_history(self, info: Info) -> list[AddressPeriod] | None:
        periods = disclose(info, self.view.addresses, "Household.addressHistory")
        return None if periods is None else [AddressPeriod(period=p) for p in periods]
