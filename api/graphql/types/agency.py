"""An agency of the safeguarding partnership, as the sharing policy names it."""

from __future__ import annotations

import strawberry

__all__ = ["Agency"]


@strawberry.type(description="An agency of the partnership and whom to contact there.")
class Agency:
    code: str
    name: str
    contact: str | None
