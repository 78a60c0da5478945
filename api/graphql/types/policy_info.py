"""The sharing policy in force."""

from __future__ import annotations

import strawberry

from api.graphql.types.purpose import Purpose

__all__ = ["PolicyInfo"]


@strawberry.type(description="The sharing policy in force: its version (recorded in every audit entry) and "
                             "purposes.")
class PolicyInfo:
    name: str
    version: str
    digest: str
    purposes: list[Purpose]
