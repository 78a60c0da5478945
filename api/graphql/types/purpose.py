"""A purpose the policy knows (the values X-Purpose accepts)."""

from __future__ import annotations

import strawberry

__all__ = ["Purpose"]


@strawberry.type(description="A purpose for which information may be requested (send its code as X-Purpose).")
class Purpose:
    code: str
    description: str
