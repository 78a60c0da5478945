"""The Starlette application: ``POST /graphql``, ``/healthz``, ``/readyz`` (and GraphiQL in development).

The Neo4j driver is created once in the lifespan (or handed in) and passed down; the policy is
loaded and checked at start, the audit writer started, the API's indexes and constraints ensured.
Requests: JSON body only (no GET queries, no form posts: no cross-site requests without a CORS
preflight), one operation per request (no batching), bearer token and ``X-Purpose`` required.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import gc
import logging
import os
from collections.abc import AsyncIterator, Mapping
from pathlib import Path
from typing import Any

import orjson
from neo4j import AsyncDriver
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from api.audit import AuditLog, SharedHead, ensure_audit_schema
from api.auth import Principal, TokenVerifier, UnknownToPolicy
from api.config import ApiSettings
from api.errors import ErrorCode, PolicyInvalid, Unauthenticated
from api.execution import Outcome, audit_refusal, error_body, execute_operation
from api.graphql.schema import MashgraphSchema, build_schema
from api.policy import DEFAULT_POLICY, Policy, load_policy
from api.service.coalesce import InFlight
from api.service.scope import Services
from api.service.warmup import plan_hot_statements
from api.store import AsyncDatabase, connect_async
from api.web import routes as web_routes

__all__ = ["create_app", "create_app_from_environ", "ensure_api_schema"]

log = logging.getLogger("mashgraph.api")

_SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "Pragma": "no-cache",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
}
_GC_YOUNG_THRESHOLD = 20_000  # allocations between young collections (Python's default: 700)
_API_SCHEMA = ("api/index_record_family_norm", "api/index_record_family_phonetic", "api/index_record_dob",
               "api/index_address_postcode", "policy/mark_uid_unique", "policy/break_glass_id_unique",
               "policy/break_glass_user_index")


async def ensure_api_schema(db: AsyncDatabase) -> None:
    """The indexes and constraints the API relies on (idempotent)."""
    for name in _API_SCHEMA:
        await db.ensure_schema_statement(name)
    await ensure_audit_schema(db)


_RAW_SECURITY_HEADERS = [(name.lower().encode("latin-1"), value.encode("latin-1"))
                         for name, value in _SECURITY_HEADERS.items()]


class _ClientGone(Exception):
    """The client disconnected before its request body arrived: nothing was read for it, nothing to answer."""


class GraphQLEndpoint:
    """``POST /graphql`` as a plain ASGI application.

    The one endpoint every practitioner's system calls, so it skips what Starlette builds per request for a route
    (its middleware, exception handlers, Request and Response objects, an exit stack): the headers are read from the
    scope, the body from ``receive``, the JSON answer sent as two messages. Other routes stay Starlette's. An
    unexpected failure is answered with a masked 500 carrying the request id (what Starlette's error middleware
    did, with the API's error body) and logged with the request id.
    """

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request_id = os.urandom(16).hex()  # 128 random bits, as uuid4's hex (without its version digits)
        state = scope["app"].state
        headers: dict[str, str] = {}
        for name, value in scope["headers"]:
            headers.setdefault(name.decode("latin-1").lower(), value.decode("latin-1"))  # the first, as Starlette's
        try:
            outcome = await _handle(headers, _body_chunks(receive), request_id, state.services, state.schema,
                                    state.verifier)
        except _ClientGone:
            return
        except Exception as exc:
            log.exception("unexpected %s in request %s", type(exc).__name__, request_id)
            outcome = Outcome(500, error_body(ErrorCode.INTERNAL, f"internal error (request id {request_id})",
                                              request_id))
        body = orjson.dumps(outcome.payload)
        raw_headers = [(b"content-length", str(len(body)).encode("latin-1")), (b"content-type", b"application/json"),
                       *_RAW_SECURITY_HEADERS, (b"x-request-id", request_id.encode("latin-1")),
                       *[(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in outcome.headers.items()]]
        await send({"type": "http.response.start", "status": outcome.status, "headers": raw_headers})
        await send({"type": "http.response.body", "body": body})


async def _body_chunks(receive: Receive) -> AsyncIterator[bytes]:
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise _ClientGone
        chunk = message.get("body", b"")
        if chunk:
            yield chunk
        if not message.get("more_body", False):
            return


async def _handle(headers: Mapping[str, str], chunks: AsyncIterator[bytes], request_id: str, services: Services,
                  schema: MashgraphSchema, verifier: TokenVerifier) -> Outcome:
    settings = services.settings
    purpose = headers.get("x-purpose", "").strip()[:64]
    # Who asks comes first: an unauthenticated caller learns nothing, not even about the body.
    principal: Principal | None = None
    authorization = headers.get("authorization", "")
    scheme, _, token = authorization.partition(" ")
    try:
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthenticated("send Authorization: Bearer <token>")
        # Admitted under the policy this request runs with (the cache is keyed by the policy's digest).
        principal = verifier.verify(token.strip(), services.policy)
    except Unauthenticated as exc:
        # A signed token the policy does not admit still names who tried: the audit entry keeps them.
        principal = exc.principal if isinstance(exc, UnknownToPolicy) else None
        return await audit_refusal(services, principal, purpose, request_id, ErrorCode.UNAUTHENTICATED, str(exc),
                                   headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})
    policy = services.policy

    content_type = headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "application/json":
        return await audit_refusal(services, principal, purpose, request_id, ErrorCode.BAD_REQUEST,
                                   "send the request as Content-Type: application/json")
    declared = headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > settings.max_body_bytes):
        return await audit_refusal(services, principal, purpose, request_id, ErrorCode.BAD_REQUEST,
                                   f"the request body is larger than {settings.max_body_bytes} bytes")
    body = bytearray()
    async for chunk in chunks:
        body += chunk
        if len(body) > settings.max_body_bytes:
            return await audit_refusal(services, principal, purpose, request_id, ErrorCode.BAD_REQUEST,
                                       f"the request body is larger than {settings.max_body_bytes} bytes")
    try:
        document = orjson.loads(bytes(body))
    except orjson.JSONDecodeError:
        return await audit_refusal(services, principal, purpose, request_id, ErrorCode.BAD_REQUEST,
                                   "the request body is not JSON")
    if isinstance(document, list):
        return await audit_refusal(services, principal, purpose, request_id, ErrorCode.BATCHING_NOT_SUPPORTED,
                                   "batched requests are not supported: send one operation per request")
    query = document.get("query") if isinstance(document, dict) else None
    variables = document.get("variables") if isinstance(document, dict) else None
    operation_name = document.get("operationName") if isinstance(document, dict) else None
    if (not isinstance(query, str) or not query.strip() or not isinstance(variables, dict | None)
            or not isinstance(operation_name, str | None)):
        return await audit_refusal(services, principal, purpose, request_id, ErrorCode.BAD_REQUEST,
                                   "the body must be {\"query\": string, \"variables\"?: object, "
                                   "\"operationName\"?: string}")
    if not purpose or purpose not in policy.purposes:
        return await audit_refusal(services, principal, purpose if purpose in policy.purposes else "",
                                   request_id, ErrorCode.PURPOSE_REQUIRED,
                                   "state the purpose in the X-Purpose header; one of: "
                                   + ", ".join(policy.purposes), query=query)
    return await execute_operation(services, schema, principal, purpose, request_id, query, variables,
                                   operation_name)


async def graphiql(request: Request) -> Response:
    settings: ApiSettings = request.app.state.services.settings
    if not settings.development:
        return Response(orjson.dumps(error_body(ErrorCode.BAD_REQUEST, "use POST", "-")), status_code=405,
                        headers={**_SECURITY_HEADERS, "Allow": "POST"}, media_type="application/json")
    from strawberry.http.ides import get_graphql_ide_html

    headers = {k: v for k, v in _SECURITY_HEADERS.items() if k != "Content-Security-Policy"}
    return HTMLResponse(get_graphql_ide_html("graphiql"), headers=headers)


async def healthz(request: Request) -> Response:
    """Liveness: the database answers."""
    services: Services = request.app.state.services
    ok = await services.db.ping()
    return Response(orjson.dumps({"status": "ok" if ok else "database unreachable"}), status_code=200 if ok else 503,
                    headers=_SECURITY_HEADERS, media_type="application/json")


async def readyz(request: Request) -> Response:
    """Readiness: started, policy loaded, audit writer running, database answering."""
    state = request.app.state
    services: Services = state.services
    writer_ok = services.audit.running
    ok = bool(state.ready) and writer_ok and await services.db.ping()
    body = {"status": "ready" if ok else "not ready", "policyVersion": services.policy.version}
    return Response(orjson.dumps(body), status_code=200 if ok else 503, headers=_SECURITY_HEADERS,
                    media_type="application/json")


class MashgraphApp(Starlette):
    """Starlette, with ``POST /graphql`` handed straight to its endpoint (Starlette's route for it, the same
    endpoint, is kept for any other path form)."""

    def __init__(self, graphql: GraphQLEndpoint, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.graphql = graphql

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "POST" and scope["path"] == "/graphql" \
                and not scope.get("root_path"):
            scope["app"] = self
            await self.graphql(scope, receive, send)
            return
        await super().__call__(scope, receive, send)


class PolicyWatcher:
    """Notices a change to the policy file and loads it; an invalid file leaves the policy in force (logged).

    The new policy serves requests that start after the swap; a request in flight finishes under the
    policy it started with (its scope holds it), and its audit entry names that version.
    """

    def __init__(self, path: Path, policy: Policy) -> None:
        self.path = path
        self.digest = policy.digest
        self.signature = self._signature()

    def _signature(self) -> tuple[int, int] | None:
        try:
            stat = self.path.stat()
        except OSError:
            return None
        return stat.st_mtime_ns, stat.st_size

    def check(self) -> Policy | None:
        """The new policy when the file changed to a valid one with different content; else None."""
        signature = self._signature()
        if signature is None or signature == self.signature:
            return None
        self.signature = signature
        try:
            policy = load_policy(self.path)
        except PolicyInvalid as exc:
            log.error("the changed policy file %s is invalid; the policy in force stays: %s", self.path, exc)
            return None
        if policy.digest == self.digest:
            return None
        self.digest = policy.digest
        return policy


async def _watch_policy(app: Starlette, watcher: PolicyWatcher, interval: float) -> None:
    while True:
        await asyncio.sleep(interval)
        policy = await asyncio.to_thread(watcher.check)
        if policy is not None:
            services: Services = app.state.services
            # A new Services, hence a new decision point: no decision memoised under the old policy survives.
            app.state.services = dataclasses.replace(services, policy=policy)
            log.warning("sharing policy reloaded: version %s (%s)", policy.version, policy.digest[:12])


def _tune_garbage_collector() -> None:
    """Set the cyclic garbage collector for a long-running server process, once it has started.

    Everything built at start (modules, schema, policy, driver) lives as long as the process: frozen, full
    collections no longer walk it again and again (each walked ~200k objects). A larger first generation lets
    a request's objects die by reference counting before a collection sees them, instead of being traversed
    and promoted while the request is in flight. With requests that form no reference cycles, the collector's
    share of the server's CPU under the benchmark fell from ~30% to ~5%.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(_GC_YOUNG_THRESHOLD, 10, 10)


def create_app(settings: ApiSettings, *, driver: AsyncDriver | None = None, policy: Policy | None = None,
               tune_gc: bool = False) -> Starlette:
    """The application for these settings. A driver passed in is used (and not closed); else one is made.

    ``tune_gc``: the application owns its process (``mashgraph serve``): tune the garbage collector at start."""
    watched: Path | None = None
    if policy is None:
        policy = load_policy(settings.policy_file)
        watched = settings.policy_file or DEFAULT_POLICY
    verifier = TokenVerifier(settings)  # configuration problems surface now, not on the first request
    schema = build_schema(settings)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        own_driver = driver is None
        active = driver or connect_async(settings.database)
        db = AsyncDatabase(active, settings.database.neo4j_database, timeout=settings.query_timeout)
        shared_head = SharedHead(settings.audit_shared_head) if settings.audit_shared_head else None
        # The requests this process serves: batched reads and appends wait briefly for them.
        in_flight = InFlight(settings.batch_window)
        audit = AuditLog(db, timeout=settings.audit_timeout, shared_head=shared_head, in_flight=in_flight)
        watcher: asyncio.Task[None] | None = None
        try:
            await ensure_api_schema(db)
            await audit.start()
            app.state.services = Services(settings=settings, db=db, policy=policy, audit=audit, in_flight=in_flight)
            # Before saying ready: the first burst of requests after a Neo4j restart would otherwise each plan
            # the same large statements at once and time out (api/service/warmup.py).
            app.state.planned_statements = await plan_hot_statements(db, app.state.services.restricted_marker)
            if watched is not None and settings.policy_reload_seconds > 0:
                watcher = asyncio.create_task(_watch_policy(app, PolicyWatcher(watched, policy),
                                                            settings.policy_reload_seconds), name="policy-watcher")
            if tune_gc:
                _tune_garbage_collector()
            app.state.ready = True
            log.info("mashgraph API ready: policy %s (%s), mode %s", policy.version, policy.digest[:12],
                     settings.mode)
            yield
        finally:
            app.state.ready = False
            if watcher is not None:
                watcher.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await watcher
            await audit.close()
            if getattr(app.state, "services", None) is not None:
                app.state.services.close()
            if own_driver:
                await active.close()

    endpoint = GraphQLEndpoint()
    app = MashgraphApp(
        endpoint,
        routes=[
            Route("/graphql", endpoint, methods=["POST"]),
            Route("/graphql", graphiql, methods=["GET"]),
            Route("/healthz", healthz, methods=["GET"]),
            Route("/readyz", readyz, methods=["GET"]),
            *web_routes(),
        ],
        lifespan=lifespan,
    )
    app.state.schema = schema
    app.state.verifier = verifier
    app.state.ready = False
    return app


def create_app_from_environ() -> Starlette:
    """Factory for ``uvicorn --factory`` with several workers: settings from this process's environment."""
    return create_app(ApiSettings.from_mapping(os.environ), tune_gc=True)
