"""A field an agency's system holds beyond the canonical record (consent status, GP practice, ...)."""

from __future__ import annotations

import strawberry

__all__ = ["Attribute"]


@strawberry.type(description="An extra field of a record, kept as the agency sent it; value is JSON text. Only "
                             "attributes the sharing policy categorises are ever returned.")
class Attribute:
    name: str
    value: str
