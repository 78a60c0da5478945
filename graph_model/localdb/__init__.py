"""A real Neo4j Community server with Graph Data Science, assembled from Maven Central and run locally."""

from graph_model.localdb.server import GDS_VERSION, NEO4J_VERSION, LocalNeo4j, ServerState

__all__ = ["GDS_VERSION", "NEO4J_VERSION", "LocalNeo4j", "ServerState"]
