"""The kinds of steward decision."""

from __future__ import annotations

from enum import Enum

import strawberry

__all__ = ["StewardDecisionKind"]


@strawberry.enum(description="CONFIRM_LINK: two records are one person (must-link). REJECT_LINK: they are not "
                             "(cannot-link). SPLIT_PERSON: a person's records are several people. MERGE_PERSONS: "
                             "several people are one.")
class StewardDecisionKind(Enum):
    CONFIRM_LINK = "confirm_link"
    REJECT_LINK = "reject_link"
    SPLIT_PERSON = "split_person"
    MERGE_PERSONS = "merge_persons"
