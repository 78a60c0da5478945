"""How the id asked for led to the person returned."""

from __future__ import annotations

import strawberry

from api.graphql.types.identity_resolution_kind import IdentityResolutionKind

__all__ = ["IdentityResolution"]


@strawberry.type(description="The id you asked for, and whether it was merged or split since (old ids keep "
                             "resolving).")
class IdentityResolution:
    requested_id: strawberry.ID
    kind: IdentityResolutionKind
    successor_ids: list[strawberry.ID]
