"""An edge of a network."""

from __future__ import annotations

import strawberry

from api.graphql.types.network_edge_kind import NetworkEdgeKind

__all__ = ["NetworkEdge"]


@strawberry.type(description="An edge between two nodes (ids), with its evidence: <source>:<detail> for each "
                             "record that gives it (health:current, social_care:parent_of) or resolution:<how> for "
                             "household membership.")
class NetworkEdge:
    source: strawberry.ID
    target: strawberry.ID
    kind: NetworkEdgeKind
    evidence: list[str]
