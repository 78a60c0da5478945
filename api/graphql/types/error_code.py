"""The documented error codes (``errors[].extensions.code``)."""

from __future__ import annotations

import strawberry

from api.errors import ErrorCode as _ErrorCode

__all__ = ["ErrorCode"]

ErrorCode = strawberry.enum(
    _ErrorCode, name="ErrorCode",
    description="Codes in errors[].extensions.code. UNAUTHENTICATED (HTTP 401): no, bad or expired token. "
                "PURPOSE_REQUIRED (HTTP 403): no X-Purpose header, or one the policy does not know. FORBIDDEN: "
                "the policy does not allow this operation for the role and purpose. INVALID_ARGUMENT: an argument "
                "out of range (page size, hops, cursor). NOT_FOUND: only for your own agency's records. "
                "GRAPHQL_PARSE_FAILED / GRAPHQL_VALIDATION_FAILED: the document is not valid for this schema. "
                "QUERY_TOO_COMPLEX: depth, alias or token limits. BAD_REQUEST: the HTTP body is not one GraphQL "
                "request. BATCHING_NOT_SUPPORTED: send one operation per request. TIMEOUT (HTTP 504). "
                "AUDIT_UNAVAILABLE (HTTP 503): the audit entry could not be written, so the response was "
                "withheld. SERVICE_UNAVAILABLE (HTTP 503): the database is unreachable. INTERNAL: an unexpected "
                "error; quote extensions.requestId.")
