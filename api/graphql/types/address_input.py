"""An address of a pushed record."""

from __future__ import annotations

import strawberry

__all__ = ["AddressInput"]


@strawberry.input(description="An address with the period the person lived there (ISO 8601 dates; `to` empty: "
                              "current).")
class AddressInput:
    line1: str
    line2: str | None = None
    town: str | None = None
    postcode: str | None = None
    from_: str | None = strawberry.field(default=None, name="from")
    to: str | None = None

    def canonical(self) -> dict[str, str | None]:
        return {"line1": self.line1, "line2": self.line2, "town": self.town, "postcode": self.postcode,
                "from": self.from_, "to": self.to}
