"""An address with the period it applies to."""

from __future__ import annotations

import strawberry

from api.graphql.scalars import PartialDate
from api.graphql.types.address import Address
from api.service.bundles import AddressLink
from api.service.views import AddressPeriod as AddressPeriodView

__all__ = ["AddressPeriod"]


@strawberry.type(description="An address and when it applied (no `to`: still current). sources: the agencies "
                             "whose records give it.")
class AddressPeriod:
    period: strawberry.Private[AddressPeriodView]

    @classmethod
    def of_link(cls, link: AddressLink, source: str, uid: str) -> AddressPeriod:
        return cls(period=AddressPeriodView(address=link, valid_from=link.valid_from, valid_to=link.valid_to,
                                            current=link.current, sources=(source,), record_uids=(uid,)))

    @strawberry.field
    def address(self) -> Address:
        return Address.of(self.period.address)

    @strawberry.field(name="from")
    def valid_from(self) -> PartialDate | None:
        return PartialDate(self.period.valid_from) if self.period.valid_from else None

    @strawberry.field(name="to")
    def valid_to(self) -> PartialDate | None:
        return PartialDate(self.period.valid_to) if self.period.valid_to else None

    @strawberry.field
    def current(self) -> bool:
        return self.period.current

    @strawberry.field
    def sources(self) -> list[str]:
        return list(self.period.sources)
