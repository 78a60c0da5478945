"""One GraphQL request from an authenticated caller to an audited response.

The single path every request takes (HTTP, tests and benchmarks alike): execute with a timeout,
format errors (unexpected ones masked, with the request id), then append the audit entry and only
then hand back the response; when the audit write fails, the response is withheld (fail closed).
Refusals before execution (no token, no purpose, a malformed body) are audited here too.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import logging
from dataclasses import dataclass, field
from typing import Any

from graphql import GraphQLError
from strawberry.exceptions import MissingQueryError
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError

from api.audit import AuditEntry
from api.auth import Principal
from api.errors import ApiError, AuditUnavailable, ErrorCode
from api.graphql.context import AppContext
from api.graphql.schema import MashgraphSchema
from api.service.scope import RequestScope, Services
from graph_model.errors import DatabaseUnavailable

__all__ = ["Outcome", "audit_refusal", "error_body", "execute_operation"]

log = logging.getLogger("mashgraph.api")

_TOO_COMPLEX = ("exceeds maximum operation depth", "aliases found", "Document contains more than",
                "Source contains more than")
_STATUS = {ErrorCode.UNAUTHENTICATED: 401, ErrorCode.PURPOSE_REQUIRED: 403, ErrorCode.BAD_REQUEST: 400,
           ErrorCode.BATCHING_NOT_SUPPORTED: 400, ErrorCode.GRAPHQL_PARSE_FAILED: 400,
           ErrorCode.GRAPHQL_VALIDATION_FAILED: 400, ErrorCode.QUERY_TOO_COMPLEX: 400, ErrorCode.TIMEOUT: 504,
           ErrorCode.AUDIT_UNAVAILABLE: 503, ErrorCode.SERVICE_UNAVAILABLE: 503}


@dataclass
class Outcome:
    status: int
    payload: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)


def error_body(code: ErrorCode, message: str, request_id: str) -> dict[str, Any]:
    return {"errors": [{"message": message, "extensions": {"code": code.value, "requestId": request_id}}],
            "extensions": {"requestId": request_id}}


def _format_error(error: GraphQLError, request_id: str) -> tuple[ErrorCode, dict[str, Any]]:
    original = error.original_error
    if isinstance(original, ApiError):
        code, message = original.code, str(original)
    elif isinstance(original, DatabaseUnavailable):
        code, message = ErrorCode.SERVICE_UNAVAILABLE, "the database is unavailable; try again shortly"
    elif original is None or error.path is None:
        # Parse and validation errors describe the client's own document: safe to return.
        text = error.message
        if any(marker in text for marker in _TOO_COMPLEX):
            code = ErrorCode.QUERY_TOO_COMPLEX
        elif text.startswith("Syntax Error"):
            code = ErrorCode.GRAPHQL_PARSE_FAILED
        else:
            code = ErrorCode.GRAPHQL_VALIDATION_FAILED
        message = text
    else:
        code, message = ErrorCode.INTERNAL, f"internal error (request id {request_id})"
    formatted: dict[str, Any] = {"message": message, "extensions": {"code": code.value, "requestId": request_id}}
    if error.locations:
        formatted["locations"] = [{"line": loc.line, "column": loc.column} for loc in error.locations]
    if error.path:
        formatted["path"] = list(error.path)
    return code, formatted


@functools.lru_cache(maxsize=1000)
def _operation_hash(query: str) -> str:
    return hashlib.sha256(query.encode()).hexdigest()


def _entry(services: Services, principal: Principal | None, purpose: str, request_id: str, *, decision: str,
           reason: str = "", query: str | None = None, operation: str = "") -> AuditEntry:
    return AuditEntry(
        user=principal.user if principal else "", agency=principal.agency if principal else "",
        role=principal.role if principal else "", request_id=request_id, purpose=purpose,
        policy_version=services.policy.version, decision=decision, reason=reason, operation=operation,
        operation_hash=_operation_hash(query) if query else "",
    )


async def audit_refusal(services: Services, principal: Principal | None, purpose: str, request_id: str,
                        code: ErrorCode, message: str, *, query: str | None = None,
                        headers: dict[str, str] | None = None) -> Outcome:
    """Audit a request refused before execution and build its response (withheld if the audit fails)."""
    try:
        await services.audit.append(_entry(services, principal, purpose, request_id, decision="refused",
                                           reason=code.value, query=query))
    except AuditUnavailable as exc:
        return Outcome(503, error_body(ErrorCode.AUDIT_UNAVAILABLE, str(exc), request_id))
    return Outcome(_STATUS.get(code, 400), error_body(code, message, request_id), headers or {})


async def execute_operation(services: Services, schema: MashgraphSchema, principal: Principal, purpose: str,
                            request_id: str, query: str, variables: dict[str, Any] | None = None,
                            operation_name: str | None = None) -> Outcome:
    """Run one operation for an authenticated caller with a known purpose; audit it; the response."""
    # Counted while it runs, its audit append included: batched reads and appends wait briefly while others run.
    services.in_flight.count += 1
    try:
        return await _execute_operation(services, schema, principal, purpose, request_id, query, variables,
                                        operation_name)
    finally:
        services.in_flight.count -= 1


async def _execute_operation(services: Services, schema: MashgraphSchema, principal: Principal, purpose: str,
                             request_id: str, query: str, variables: dict[str, Any] | None,
                             operation_name: str | None) -> Outcome:
    scope = RequestScope(services, principal, purpose, request_id)
    context = AppContext(scope=scope)
    timed_out = False
    result = None
    try:
        # asyncio.timeout rather than wait_for: the same deadline without another task per request.
        async with asyncio.timeout(services.settings.request_timeout):
            result = await schema.execute(query, variable_values=variables, context_value=context,
                                          operation_name=operation_name)
    except TimeoutError:
        timed_out = True
    except (MissingQueryError, InvalidOperationTypeError, CannotGetOperationTypeError) as exc:
        message = {MissingQueryError: "the request has no query",
                   InvalidOperationTypeError: "only queries and mutations are supported",
                   CannotGetOperationTypeError: "operationName does not name an operation of the document"}
        return await audit_refusal(services, principal, purpose, request_id, ErrorCode.BAD_REQUEST,
                                   message.get(type(exc), "bad request"), query=query)

    disclosure = scope.disclosure
    errors: list[dict[str, Any]] = []
    codes: list[ErrorCode] = []
    if timed_out:
        codes.append(ErrorCode.TIMEOUT)
        errors.append({"message": f"the request took longer than {services.settings.request_timeout:g} s",
                       "extensions": {"code": ErrorCode.TIMEOUT.value, "requestId": request_id}})
    elif result is not None and result.errors:
        for error in result.errors:
            code, formatted = _format_error(error, request_id)
            codes.append(code)
            errors.append(formatted)

    if timed_out or ErrorCode.INTERNAL in codes or ErrorCode.SERVICE_UNAVAILABLE in codes:
        decision = "error"
    elif codes and (result is None or result.data is None or not disclosure.subjects):
        decision = "refused"
    elif disclosure.redactions or codes or disclosure.refused:
        decision = "partial"
    else:
        decision = "permitted"
    reason = codes[0].value if codes else ErrorCode.FORBIDDEN.value if disclosure.refused else ""
    entry = _entry(services, principal, purpose, request_id, decision=decision, reason=reason, query=query,
                   operation=disclosure.operation)
    entry.root_fields = sorted(disclosure.operations)
    entry.subjects = sorted(disclosure.subjects) if not timed_out else []
    entry.requested = sorted(disclosure.requested)
    entry.fields = sorted(disclosure.fields) if not timed_out else []
    entry.redacted = sorted({f"{r['field']}:{r['reason']}" for r in disclosure.redactions})
    entry.rules = sorted(disclosure.rules)
    entry.break_glass = disclosure.break_glass
    entry.grant = disclosure.grant
    entry.justification_sha256 = disclosure.justification_sha256
    try:
        await services.audit.append(entry)
    except AuditUnavailable as exc:
        return Outcome(503, error_body(ErrorCode.AUDIT_UNAVAILABLE, str(exc), request_id))

    payload: dict[str, Any] = {}
    if timed_out:
        payload["data"] = None
    elif result is not None:
        payload["data"] = result.data
    if errors:
        payload["errors"] = errors
    payload["extensions"] = {"requestId": request_id, "policyVersion": services.policy.version,
                             "redactions": [] if timed_out else list(disclosure.redactions)}
    status = 200
    if timed_out:
        status = 504
    elif result is not None and result.data is None and codes:
        status = max((_STATUS.get(c, 200) for c in codes), default=200)
    elif ErrorCode.SERVICE_UNAVAILABLE in codes:
        status = 503
    return Outcome(status, payload)
