"""The kinds of item in the steward's review queue."""

from __future__ import annotations

from enum import Enum

import strawberry

__all__ = ["ReviewItemKind"]


@strawberry.enum(description="UNCERTAIN_LINK: two records scored between the review thresholds, undecided. "
                             "SUSPICIOUS_PERSON: a person whose records look like several people (several NHS "
                             "numbers, UPNs or PNC ids; an adult linked to several households).")
class ReviewItemKind(Enum):
    UNCERTAIN_LINK = "uncertain_link"
    SUSPICIOUS_PERSON = "suspicious_person"
