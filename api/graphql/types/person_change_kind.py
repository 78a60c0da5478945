"""The kinds of identity change."""

from __future__ import annotations

from enum import Enum

import strawberry

__all__ = ["PersonChangeKind"]


@strawberry.enum(description="CREATED: a new person. MERGED: personId was folded into relatedPersonIds[0] (the old "
                             "id keeps resolving to it). SPLIT: personId's records now belong to relatedPersonIds. "
                             "LINKED: a new record joined personId. RETIRED: personId is no longer in use.")
class PersonChangeKind(Enum):
    CREATED = "created"
    MERGED = "merged"
    SPLIT = "split"
    LINKED = "linked"
    RETIRED = "retired"
