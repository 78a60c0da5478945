"""The root mutation type."""

from __future__ import annotations

import strawberry

from api.graphql.context import Info
from api.graphql.ids import record_id
from api.graphql.types.break_glass_grant import BreakGlassGrant
from api.graphql.types.break_glass_outcome import BreakGlassOutcome
from api.graphql.types.mark_result import MarkResult
from api.graphql.types.record_mark import RecordMark
from api.service import governance

__all__ = ["Mutation"]


@strawberry.type(description="Break-glass, marking your agency's records, and reviews.")
class Mutation:
    @strawberry.mutation(description="Temporary wider access to one person for you, with a written justification "
                                     "(at least the policy's minimum length). Audited and queued for review; "
                                     "expires after the policy's time limit. It never lifts an owner's "
                                     "restriction, a held-not-disclosed mark or a restricted address.")
    async def break_glass(self, info: Info, person_id: strawberry.ID, justification: str) -> BreakGlassGrant:
        row = await governance.break_glass(info.context.scope, str(person_id), justification)
        return BreakGlassGrant.of(row)

    @strawberry.mutation(description="Mark one of your own agency's records held-not-disclosed (others see only "
                                     "that something is held and whom to contact) or owner-restricted (only your "
                                     "agency sees it), or clear the mark (NONE).")
    async def mark_record(self, info: Info, source: str, source_id: str, mark: RecordMark,
                          contact: str | None = None) -> MarkResult:
        uid = await governance.mark_record(info.context.scope, source, source_id, mark.value, contact)
        source_code, _, own_id = uid.partition(":")
        return MarkResult(record_id=strawberry.ID(record_id(uid)), source=source_code, source_id=own_id, mark=mark)

    @strawberry.mutation(description="Record the review of a break-glass grant (information governance).")
    async def review_break_glass(self, info: Info, id: strawberry.ID, outcome: BreakGlassOutcome,
                                 note: str | None = None) -> BreakGlassGrant:
        row = await governance.review_grant(info.context.scope, str(id), outcome.value, note)
        return BreakGlassGrant.of(row)
