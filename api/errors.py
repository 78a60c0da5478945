"""Errors of the API layer, and the documented error codes clients see in ``extensions.code``.

    MashgraphError (graph_model.errors)
    ├── ConfigError
    │   └── PolicyInvalid      a sharing-policy file with problems (all listed at once)
    └── ApiError               carries an ErrorCode; the message is safe to show to a client
        ├── Unauthenticated    no, malformed, expired or wrongly signed token       -> HTTP 401
        ├── PurposeRequired    no X-Purpose, or one the policy does not know        -> HTTP 403
        ├── Forbidden          the policy does not allow this operation/purpose     -> in the GraphQL errors
        ├── InvalidArgument    an argument out of range (page size, hops, ids)
        ├── NotFound           only where existence is already known to the caller (own records)
        └── AuditUnavailable   the audit entry could not be written: the response is withheld -> HTTP 503

Messages never contain personal values: ids, field names and counts only.
"""

from __future__ import annotations

from enum import Enum

from graph_model.errors import ConfigError, MashgraphError

__all__ = [
    "ApiError",
    "AuditUnavailable",
    "ErrorCode",
    "Forbidden",
    "InvalidArgument",
    "NotFound",
    "PolicyInvalid",
    "PurposeRequired",
    "Unauthenticated",
]


class ErrorCode(Enum):
    """Every code the API puts in ``errors[].extensions.code``. Part of the public contract."""

    UNAUTHENTICATED = "UNAUTHENTICATED"
    PURPOSE_REQUIRED = "PURPOSE_REQUIRED"
    FORBIDDEN = "FORBIDDEN"
    INVALID_ARGUMENT = "INVALID_ARGUMENT"
    NOT_FOUND = "NOT_FOUND"
    GRAPHQL_PARSE_FAILED = "GRAPHQL_PARSE_FAILED"
    GRAPHQL_VALIDATION_FAILED = "GRAPHQL_VALIDATION_FAILED"
    QUERY_TOO_COMPLEX = "QUERY_TOO_COMPLEX"
    BAD_REQUEST = "BAD_REQUEST"
    BATCHING_NOT_SUPPORTED = "BATCHING_NOT_SUPPORTED"
    TIMEOUT = "TIMEOUT"
    AUDIT_UNAVAILABLE = "AUDIT_UNAVAILABLE"
    SERVICE_UNAVAILABLE = "SERVICE_UNAVAILABLE"
    INTERNAL = "INTERNAL"


class PolicyInvalid(ConfigError):
    """A sharing-policy file that cannot be used; ``problems`` lists every problem found."""

    def __init__(self, source: str, problems: list[str]) -> None:
        super().__init__(f"sharing policy {source} is invalid:\n  " + "\n  ".join(problems))
        self.problems = problems


class ApiError(MashgraphError):
    """An error a client may see, with its code."""

    code: ErrorCode = ErrorCode.INTERNAL

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)


class Unauthenticated(ApiError):
    code = ErrorCode.UNAUTHENTICATED


class PurposeRequired(ApiError):
    code = ErrorCode.PURPOSE_REQUIRED


class Forbidden(ApiError):
    code = ErrorCode.FORBIDDEN


class InvalidArgument(ApiError):
    code = ErrorCode.INVALID_ARGUMENT


class NotFound(ApiError):
    code = ErrorCode.NOT_FOUND


class AuditUnavailable(ApiError):
    code = ErrorCode.AUDIT_UNAVAILABLE
