"""The Graph Data Science Python client, or None where the server has no GDS.

OpenGDS lacks ``gds.debug.arrow``, which the client calls on connect; ``graphdatascience`` 2.2
tolerates that (ProcedureNotFound is caught and Arrow is simply not used), so the pairing
Neo4j 5.26 + OpenGDS 2.13 + graphdatascience 2.2 works without Arrow.
"""

from __future__ import annotations

from neo4j import Driver
from neo4j.exceptions import ClientError

from graph_model.errors import DatabaseError

__all__ = ["gds_available", "gds_client"]


def gds_available(driver: Driver, database: str = "neo4j") -> bool:
    try:
        driver.execute_query("RETURN gds.version() AS v", database_=database)
    except ClientError:
        return False
    return True


def gds_client(driver: Driver, database: str = "neo4j"):  # type: ignore[no-untyped-def]
    """A ``GraphDataScience`` client sharing the caller's driver, or None when GDS is absent."""
    if not gds_available(driver, database):
        return None
    from graphdatascience import GraphDataScience

    try:
        return GraphDataScience(driver, database=database, show_progress=False)
    except Exception as exc:  # the client raises plain exceptions on version mismatches
        raise DatabaseError(f"the Graph Data Science client could not connect: {exc}") from exc
