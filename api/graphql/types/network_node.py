"""A node of a network."""

from __future__ import annotations

import strawberry

from api.graphql.types.held_notice import HeldNotice
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
    agencies: list[str] = strawberry.field(
        description="People: the codes of the agencies whose records of the person you may see (as "
                    "Person.agenciesInvolved); empty for other kinds.")
    held_elsewhere: list[HeldNotice] = strawberry.field(
        description="People: agencies holding information on the person they have not disclosed, and whom to "
                    "contact (as Person.heldElsewhere); empty for other kinds.")
    name_withheld: bool = strawberry.field(
        description="People: the person exists for you but every name on their records is withheld from you.")
