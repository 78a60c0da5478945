"""An identifier to search by."""

from __future__ import annotations

import strawberry

__all__ = ["IdentifierInput"]


@strawberry.input(description="An identifier to search by, e.g. {scheme: \"nhs_number\", value: \"943 476 5919\"}.")
class IdentifierInput:
    scheme: str
    value: str
