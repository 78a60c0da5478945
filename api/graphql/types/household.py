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
    # The caller's view of the household; None when only its members were counted (a single view asking for its id
    # and size): the fields below that need more build the view then.
    view: strawberry.Private[HouseholdView | None]
    # Plain values of the caller's view of the household: no resolver to run for them.
    id: strawberry.ID = strawberry.field(description="Stable, opaque household id (hh_...).")
    size: int = strawberry.field(description="How many members you may see.")

    @classmethod
    def of(cls, view: HouseholdView) -> Household:
        return cls(view=view, id=strawberry.ID(view.id), size=view.size)

    @classmethod
    def counted(cls, household_id: str, size: int) -> Household:
        return cls(view=None, id=strawberry.ID(household_id), size=size)

    async def _view(self, info: Info) -> HouseholdView | None:
        return self.view if self.view is not None else await info.context.scope.household(str(self.id))

    @strawberry.field
    async def members(self, info: Info, first: int | None = 20,
                      after: str | None = None) -> Connection[HouseholdMember]:
        from api.graphql.types.person import Person

        view = await self._view(info)
        return paginate(view.members if view is not None else (), first, after,
                        info.context.scope.settings.max_page_size,
                        lambda item: HouseholdMember(person=Person.of(info, item[0]), evidence=item[1]))

    @strawberry.field(description="The household's current address.")
    async def address(self, info: Info) -> Address | None:
        view = await self._view(info)
        link = disclose(info, view.address, "Household.address") if view is not None else None
        return Address.of(link) if link is not None else None

    @strawberry.field(description="Addresses the members' records give, with periods.")
    async def address_history(self, info: Info) -> list[AddressPeriod] | None:
        view = await self._view(info)
        periods = disclose(info, view.addresses, "Household.addressHistory") if view is not None else None
        return None if periods is None else [AddressPeriod(period=p) for p in periods]
