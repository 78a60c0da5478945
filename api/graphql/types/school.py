"""A school."""

from __future__ import annotations

import strawberry

__all__ = ["School"]


@strawberry.type(description="A school by its URN (unique reference number).")
class School:
    urn: str
    name: str | None
