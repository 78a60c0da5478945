"""Why one pushed record was not stored."""

from __future__ import annotations

import strawberry

from api.errors import ErrorCode
from api.graphql.types import error_code  # noqa: F401  (registers ErrorCode as the GraphQL enum)

__all__ = ["IngestError"]


@strawberry.type(description="Why a record was rejected: INVALID_ARGUMENT (the record cannot be used; field names "
                             "it), FORBIDDEN (not your agency's source), SERVICE_UNAVAILABLE or INTERNAL (try again).")
class IngestError:
    code: ErrorCode
    message: str
    field: str | None = None
