"""A network: the people and things around a person, or the path between two people."""

from __future__ import annotations

import strawberry

from api.graphql.context import Info
from api.graphql.types.network_edge import NetworkEdge
from api.graphql.types.network_edge_kind import NetworkEdgeKind
from api.graphql.types.network_node import NetworkNode
from api.graphql.types.network_node_kind import NetworkNodeKind
from api.graphql.types.person import held_notice
from api.service.network import PERSON, node_id
from api.service.network import Network as NetworkData

__all__ = ["Network"]


@strawberry.type(description="Nodes and edges, all of them things you may see. Every edge between two nodes shown is "
                             "listed, those among the outermost layer included; nodes of the outermost layer may "
                             "have further neighbours (ask again from them, or with more hops). Lists are bounded by "
                             "the size cap (truncated tells when it was reached), so they are plain lists, not "
                             "connections.")
class Network:
    data: strawberry.Private[NetworkData]

    @classmethod
    def of(cls, info: Info, data: NetworkData) -> Network:
        disclosure = info.context.scope.disclosure
        disclosure.subjects |= {key for kind, key in data.nodes if kind == PERSON}
        return cls(data=data)

    @strawberry.field
    def nodes(self, info: Info) -> list[NetworkNode]:
        return [NetworkNode(id=strawberry.ID(node.id), kind=NetworkNodeKind(node.kind), label=node.label,
                            truncated=node.truncated, agencies=list(node.agencies),
                            held_elsewhere=[held_notice(info, h) for h in node.held], name_withheld=node.name_withheld)
                for node in self.data.nodes.values()]

    @strawberry.field
    def edges(self) -> list[NetworkEdge]:
        return [NetworkEdge(source=strawberry.ID(node_id(*edge.source)), target=strawberry.ID(node_id(*edge.target)),
                            kind=NetworkEdgeKind(edge.kind), evidence=sorted(edge.evidence))
                for edge in self.data.edges.values()]

    @strawberry.field
    def truncated(self) -> bool:
        return self.data.truncated
