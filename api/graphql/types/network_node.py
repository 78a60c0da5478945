"""A node of a network."""

from __future__ import annotations

import strawberry

from api.graphql.types.network_node_kind import NetworkNodeKind

__all__ = ["NetworkNode"]


@strawberry.type(description="A person, household, address, phone, email or school. id: the person or household "
                             "id, or an opaque id for the others. truncated: not every neighbour is shown (a node "
                             "shared by more records than the hub cap, or the network's size cap).")
class NetworkNode:
    id: strawberry.ID
    kind: NetworkNodeKind
    label: str
    truncated: bool
