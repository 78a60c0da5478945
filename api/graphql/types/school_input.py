"""The school of a pushed record."""

from __future__ import annotations

import strawberry

__all__ = ["SchoolInput"]


@strawberry.input(description="A school by its URN (six digits) and name.")
class SchoolInput:
    urn: str | None = None
    name: str | None = None
