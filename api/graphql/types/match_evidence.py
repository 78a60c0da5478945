"""One comparison's contribution to a match score."""

from __future__ import annotations

import strawberry

__all__ = ["MatchEvidence"]


@strawberry.type(description="One comparison of the linkage model: the level reached and its match weight in bits "
                             "(positive: evidence for the same person).")
class MatchEvidence:
    comparison: str
    level: str
    weight: float
