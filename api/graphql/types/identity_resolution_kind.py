"""How a requested person id relates to the person returned."""

from __future__ import annotations

from enum import Enum

import strawberry

__all__ = ["IdentityResolutionKind"]


@strawberry.enum(description="SAME: the id asked for is current. MERGED: it was merged into the person returned. "
                             "SPLIT: it was split; the person returned is one part, successorIds lists the parts "
                             "you may see.")
class IdentityResolutionKind(Enum):
    SAME = "SAME"
    MERGED = "MERGED"
    SPLIT = "SPLIT"
