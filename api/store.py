"""The service's connection to Neo4j: one async driver, named statements from ``cypher/``.

The driver is created once (in the Starlette lifespan, or by a CLI command) and passed down.
Reads are routed to readers, writes run in managed transactions (retried on transient errors);
every statement has a server-side timeout. Driver errors are wrapped where they enter.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar

import neo4j
from neo4j import AsyncDriver, AsyncManagedTransaction, Query
from neo4j.exceptions import AuthError, Neo4jError, ServiceUnavailable, SessionExpired

import cypher
from graph_model.config import Settings
from graph_model.errors import DatabaseError, DatabaseUnavailable

__all__ = ["AsyncDatabase", "connect_async"]

T = TypeVar("T")
# Errors of a schema creation that lost a race to a concurrent, equivalent one.
_CREATED_MEANWHILE = frozenset({"Neo.ClientError.Schema.EquivalentSchemaRuleAlreadyExists",
                                "Neo.ClientError.Schema.IndexAlreadyExists",
                                "Neo.ClientError.Schema.ConstraintAlreadyExists"})


def connect_async(settings: Settings, *, pool_size: int = 100) -> AsyncDriver:
    """An async driver for the configured database (external, or the local server's credentials)."""
    if settings.external:
        auth = (settings.neo4j_user, settings.neo4j_password or "")
    else:
        from graph_model.localdb import LocalNeo4j

        auth = LocalNeo4j(settings).credentials()
    return neo4j.AsyncGraphDatabase.driver(settings.bolt_uri, auth=auth, max_connection_pool_size=pool_size,
                                           notifications_min_severity="OFF", connection_acquisition_timeout=10.0)


class AsyncDatabase:
    """Runs named statements against one database with the async driver."""

    def __init__(self, driver: AsyncDriver, database: str = "neo4j", *, timeout: float = 5.0) -> None:
        self.driver = driver
        self.database = database
        self.timeout = timeout

    def _query(self, name: str) -> Query:
        return Query(cypher.text(name), timeout=self.timeout)

    async def read(self, name: str, parameters: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        """Run a read-only statement in an auto-commit transaction (one round trip); rows as dicts."""
        return await self._execute(name, parameters, neo4j.READ_ACCESS)

    async def run(self, name: str, parameters: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        """Run a statement that writes, in an auto-commit transaction (routed to the leader)."""
        return await self._execute(name, parameters, neo4j.WRITE_ACCESS)

    async def _execute(self, name: str, parameters: Mapping[str, Any] | None, access: str) -> list[dict[str, Any]]:
        query = self._query(name)
        try:
            # Auto-commit (RUN and PULL pipelined, no BEGIN/COMMIT) and no bookmark manager: one server process
            # needs no causal chaining between its own queries. The driver's pool still reuses connections.
            async with self.driver.session(database=self.database, default_access_mode=access,
                                           bookmark_manager=None) as session:
                result = await session.run(query, dict(parameters or {}))
                # Statements return maps and lists (projections), never nodes: skip the driver's data() export.
                return [dict(record.items()) async for record in result]
        except (ServiceUnavailable, SessionExpired, AuthError, OSError) as exc:
            raise DatabaseUnavailable(f"Neo4j is unreachable (running {name})") from exc
        except Neo4jError as exc:
            raise DatabaseError(f"statement {name} failed: {exc.code}") from exc

    async def transaction(self, work: Callable[[Transaction], Awaitable[T]]) -> T:
        """Run ``work`` in one managed write transaction (retried as a whole on transient errors)."""

        @neo4j.unit_of_work(timeout=self.timeout)
        async def unit(tx: AsyncManagedTransaction) -> T:
            return await work(Transaction(tx))

        try:
            async with self.driver.session(database=self.database) as session:
                return await session.execute_write(unit)
        except (ServiceUnavailable, SessionExpired, AuthError, OSError) as exc:
            raise DatabaseUnavailable("Neo4j is unreachable (write transaction)") from exc
        except Neo4jError as exc:
            raise DatabaseError(f"write transaction failed: {exc.code}") from exc

    async def ensure_schema_statement(self, name: str) -> None:
        """Run an idempotent schema statement (CREATE ... IF NOT EXISTS). The workers of `serve --workers N`
        start together and each ensures the schema; on a new database their creations of the same index race:
        one may deadlock on the schema lock (transient: the managed transaction retries it) or find the index
        created between its check and its creation (what IF NOT EXISTS asked for: done)."""

        async def create(tx: Transaction) -> None:
            await tx.run(name)

        try:
            await self.transaction(create)
        except DatabaseError as exc:
            cause = exc.__cause__
            if not (isinstance(cause, Neo4jError) and cause.code in _CREATED_MEANWHILE):
                raise

    async def ping(self) -> bool:
        try:
            await self.read("api/ping")
        except DatabaseError:
            return False
        return True


class Transaction:
    """Named statements inside one managed transaction."""

    def __init__(self, tx: AsyncManagedTransaction) -> None:
        self._tx = tx

    async def run(self, name: str, parameters: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        result = await self._tx.run(cypher.text(name), dict(parameters or {}))
        return [dict(record.items()) async for record in result]
