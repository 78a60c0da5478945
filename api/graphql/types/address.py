"""An address as an agency recorded it (normalised)."""

from __future__ import annotations

import strawberry

from api.service.bundles import AddressLink

__all__ = ["Address"]


@strawberry.type(description="A postal address. placeholder: a value that means 'unknown' (No Fixed Abode, a "
                             "police station or council office used when the person's own is unknown).")
class Address:
    link: strawberry.Private[AddressLink]

    @strawberry.field(description="The address as the agency wrote it.")
    def display(self) -> str | None:
        return self.link.display

    @strawberry.field
    def flat(self) -> str | None:
        return self.link.flat

    @strawberry.field
    def number(self) -> str | None:
        return self.link.number

    @strawberry.field
    def building(self) -> str | None:
        return self.link.building

    @strawberry.field
    def street(self) -> str | None:
        return self.link.street

    @strawberry.field
    def town(self) -> str | None:
        return self.link.town

    @strawberry.field(description="Normalised UK postcode (outward code, space, inward code).")
    def postcode(self) -> str | None:
        return self.link.postcode

    @strawberry.field(description="Unique Property Reference Number, when an agency (housing) holds it.")
    def uprn(self) -> str | None:
        return self.link.uprn

    @strawberry.field
    def placeholder(self) -> bool:
        return self.link.placeholder
