"""The outcome of one pushed record."""

from __future__ import annotations

import strawberry

from api.graphql.types.ingest_error import IngestError
from api.graphql.types.ingest_status import IngestStatus

__all__ = ["IngestResult"]


@strawberry.type(description="One pushed record: the person and household it resolves to now (keep the person id: "
                             "it keeps resolving after merges and splits), or why it was rejected. Warnings are codes "
                             "for values kept but not used for matching (e.g. dob:impossible, postcode:invalid).")
class IngestResult:
    source: str
    source_id: str
    person_id: strawberry.ID | None
    household_id: strawberry.ID | None
    status: IngestStatus
    warnings: list[str]
    error: IngestError | None = None
