"""Connecting to Neo4j and running the project's statements.

The driver is created once by the caller (CLI entry, Starlette lifespan) and passed down.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import neo4j
from neo4j import Driver
from neo4j.exceptions import AuthError, Neo4jError, ServiceUnavailable

import cypher
from graph_model.config import Settings
from graph_model.errors import DatabaseError, DatabaseUnavailable

__all__ = ["Database", "connect", "driver_errors", "run_in"]


def run_in(tx: neo4j.ManagedTransaction, name: str, parameters: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
    """Run statement ``name`` inside the caller's transaction; rows as dicts."""
    return [record.data() for record in tx.run(cypher.text(name), dict(parameters or {}))]


def connect(settings: Settings, *, check: bool = True) -> Driver:
    """A driver for the configured database (external, or the local server's credentials)."""
    if settings.external:
        auth = (settings.neo4j_user, settings.neo4j_password or "")
    else:
        from graph_model.localdb import LocalNeo4j

        auth = LocalNeo4j(settings).credentials()
    try:
        # Notifications off: the server's hints on missing property keys are noise in logs and tests.
        driver = neo4j.GraphDatabase.driver(settings.bolt_uri, auth=auth, max_connection_pool_size=64,
                                            notifications_min_severity="OFF")
        if check:
            driver.verify_connectivity()
    except AuthError as exc:
        raise DatabaseUnavailable(f"Neo4j at {settings.bolt_uri} refused the credentials") from exc
    except (ServiceUnavailable, OSError) as exc:
        hint = "set NEO4J_URI correctly" if settings.external else "run `mashgraph db start`"
        raise DatabaseUnavailable(f"Neo4j is not reachable at {settings.bolt_uri}", hint=hint) from exc
    return driver


@contextmanager
def driver_errors(statement: str) -> Iterator[None]:
    """The driver's errors raised inside, as the project's, naming the statement (or statements) that ran: a lost
    server as :class:`DatabaseUnavailable`, a refused statement as :class:`DatabaseError` with Neo4j's code."""
    try:
        yield
    except ServiceUnavailable as exc:
        raise DatabaseUnavailable(f"Neo4j became unreachable running {statement}") from exc
    except Neo4jError as exc:
        raise DatabaseError(f"statement {statement} failed: {exc.code}: {exc.message}") from exc


class Database:
    """Runs named statements from ``cypher/`` against one database, wrapping driver errors."""

    def __init__(self, driver: Driver, database: str = "neo4j") -> None:
        self.driver = driver
        self.database = database

    def run(self, name: str, parameters: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        """Run statement ``name`` in its own auto-committed transaction; rows as dicts."""
        statement = cypher.load(name)
        with driver_errors(name):
            if "IN TRANSACTIONS" in statement.text:
                # Batched statements commit their own inner transactions: they need an implicit one.
                with self.driver.session(database=self.database) as session:
                    records = list(session.run(statement.text, dict(parameters or {})))
            else:
                records, _, _ = self.driver.execute_query(
                    statement.text, parameters_=dict(parameters or {}), database_=self.database
                )
        return [record.data() for record in records]

    def stream(self, name: str, parameters: Mapping[str, Any] | None = None) -> Iterator[dict[str, Any]]:
        """Rows of statement ``name`` one at a time, without holding the whole result in memory."""
        statement = cypher.load(name)
        with driver_errors(name), self.driver.session(database=self.database, fetch_size=5000) as session:
            for record in session.run(statement.text, dict(parameters or {})):
                yield record.data()

    def write(self, name: str, parameters: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        """Run statement ``name`` in a managed write transaction (retried on transient errors)."""
        statement = cypher.load(name)

        def work(tx: neo4j.ManagedTransaction) -> list[dict[str, Any]]:
            return [r.data() for r in tx.run(statement.text, dict(parameters or {}))]

        with driver_errors(name), self.driver.session(database=self.database) as session:
            return session.execute_write(work)

    def ensure_schema(self) -> int:
        """Create every constraint and index in ``cypher/schema/`` (idempotent). Returns how many."""
        names = [n for n in cypher.all_statements() if n.startswith("schema/")]
        indexes = [n for n in names if cypher.text(n).startswith("CREATE INDEX")]
        # The indexes first, in one transaction: Neo4j populates the indexes created together in one job (one
        # scan of the nodes, not one each), in the background while the uniqueness constraints, each populated
        # and checked as it is created, are built one by one. On a freshly bulk-imported million records the
        # populations then overlap instead of queueing behind the constraints.
        with driver_errors(", ".join(indexes)), self.driver.session(database=self.database) as session:
            session.execute_write(lambda tx: [tx.run(cypher.text(n)).consume() for n in indexes])
        for name in names:
            if name not in indexes:
                self.run(name)
        self.run("admin/await_indexes")
        self.run("admin/create_resolve_lock")
        return len(names)
