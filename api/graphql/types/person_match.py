"""A search candidate."""

from __future__ import annotations

import strawberry

from api.graphql.ids import record_id
from api.graphql.types.match_evidence import MatchEvidence
from api.graphql.types.person import Person

__all__ = ["PersonMatch"]


@strawberry.type(description="A candidate for the person searched for: score is the match probability, weight "
                             "its match weight in bits, explanation the comparisons behind it (only fields you may "
                             "see take part).")
class PersonMatch:
    person: Person
    score: float
    weight: float
    explanation: list[MatchEvidence]
    matched_record_ids: list[strawberry.ID]

    @staticmethod
    def record_ids(uids: tuple[str, ...]) -> list[strawberry.ID]:
        return [strawberry.ID(record_id(uid)) for uid in uids]
