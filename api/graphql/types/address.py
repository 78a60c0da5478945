"""An address as an agency recorded it (normalised)."""

from __future__ import annotations

import strawberry

from api.service.bundles import AddressLink

__all__ = ["Address"]


@strawberry.type(description="A postal address. placeholder: a value that means 'unknown' (No Fixed Abode, a "
                             "police station or council office used when the person's own is unknown).")
class Address:
    # Plain values copied when the address is disclosed (an Address is only built from a disclosed one): a
    # field with a resolver costs strawberry an Info, argument conversion and a resolver chain per value.
    display: str | None = strawberry.field(description="The address as the agency wrote it.")
    flat: str | None
    number: str | None
    building: str | None
    street: str | None
    town: str | None
    postcode: str | None = strawberry.field(description="Normalised UK postcode (outward code, space, inward code).")
    uprn: str | None = strawberry.field(description="Unique Property Reference Number, when an agency (housing) "
                                                    "holds it.")
    placeholder: bool

    @classmethod
    def of(cls, link: AddressLink) -> Address:
        return cls(display=link.display, flat=link.flat, number=link.number, building=link.building,
                   street=link.street, town=link.town, postcode=link.postcode, uprn=link.uprn,
                   placeholder=link.placeholder)
