"""The outcome of an information governance review of a break-glass grant."""

from __future__ import annotations

from enum import Enum

import strawberry

__all__ = ["BreakGlassOutcome"]


@strawberry.enum(description="APPROPRIATE: the access was justified. INAPPROPRIATE: it was not (to be followed up).")
class BreakGlassOutcome(Enum):
    APPROPRIATE = "appropriate"
    INAPPROPRIATE = "inappropriate"
