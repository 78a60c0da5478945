"""The Relay ``Node`` interface: anything that can be fetched again by its id with ``node(id:)``."""

from __future__ import annotations

import strawberry

__all__ = ["Node"]


@strawberry.interface(description="An object with a stable, opaque id that `node(id:)` fetches again. Person ids "
                                  "are the ids `mashgraph export` writes (per_...), household ids hh_..., record "
                                  "ids rec_...")
class Node:
    @strawberry.field(description="Stable, opaque id.")
    def id(self) -> strawberry.ID:
        raise NotImplementedError  # every implementing type resolves its own
