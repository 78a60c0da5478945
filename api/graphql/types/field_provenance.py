"""Where a golden value came from."""

from __future__ import annotations

import strawberry

__all__ = ["FieldProvenance"]


@strawberry.type(description="The records (and agencies) that hold a golden value. Only records visible to you "
                             "count: golden values are chosen among them.")
class FieldProvenance:
    field: str
    record_ids: list[strawberry.ID]
    sources: list[str]
