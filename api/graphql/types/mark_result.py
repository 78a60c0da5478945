"""The result of marking a record."""

from __future__ import annotations

import strawberry

from api.graphql.types.record_mark import RecordMark

__all__ = ["MarkResult"]


@strawberry.type(description="The record and the mark it now carries.")
class MarkResult:
    record_id: strawberry.ID
    source: str
    source_id: str
    mark: RecordMark
