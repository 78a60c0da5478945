"""The root mutation type."""

from __future__ import annotations

import strawberry

from api.graphql.context import Info
from api.graphql.ids import record_id
from api.graphql.types.break_glass_grant import BreakGlassGrant
from api.graphql.types.break_glass_outcome import BreakGlassOutcome
from api.graphql.types.ingest_error import IngestError
from api.graphql.types.ingest_result import IngestResult
from api.graphql.types.ingest_status import IngestStatus
from api.graphql.types.mark_result import MarkResult
from api.graphql.types.record_input import RecordInput
from api.graphql.types.record_mark import RecordMark
from api.graphql.types.record_ref_input import RecordRefInput
from api.graphql.types.steward_decision import StewardDecision
from api.graphql.types.steward_outcome import StewardOutcome
from api.service import governance, realtime, stewardship

__all__ = ["Mutation"]


async def _steward(info: Info, operation: str, reason: str, **arguments: object) -> StewardOutcome:
    decision, people = await stewardship.decide(info.context.scope, operation, reason, **arguments)  # type: ignore[arg-type]
    return StewardOutcome(decision=StewardDecision(view=decision), person_ids=[strawberry.ID(p) for p in people])


@strawberry.type(description="Pushing records, stewards' decisions, break-glass, marking your agency's records, "
                             "and reviews.")
class Mutation:
    @strawberry.mutation(description="Push records from your agency's system (role system, purpose data_submission): "
                                     "each is stored and resolved at once, and its result says which person and "
                                     "household it belongs to now. Each record gets its own result: a record that "
                                     "cannot be used, or that is not your agency's source, is REJECTED with an "
                                     "error, and the others in the same call are still stored.")
    async def ingest_records(self, info: Info, records: list[RecordInput]) -> list[IngestResult]:
        outcomes = await realtime.ingest_records(info.context.scope, [r.canonical() for r in records])
        return [IngestResult(source=o.source, source_id=o.source_id,
                             person_id=strawberry.ID(o.person_id) if o.person_id else None,
                             household_id=strawberry.ID(o.household_id) if o.household_id else None,
                             status=IngestStatus(o.status), warnings=o.warnings,
                             error=IngestError(code=o.error[0], message=o.error[1], field=o.error[2])
                             if o.error else None)
                for o in outcomes]

    @strawberry.mutation(description="The two records are one person (steward, data_stewardship): a must-link every "
                                     "later resolution obeys, even when scores drop. The reason is required.")
    async def confirm_link(self, info: Info, a: RecordRefInput, b: RecordRefInput, reason: str) -> StewardOutcome:
        return await _steward(info, "confirmLink", reason, records=[a.uid, b.uid])

    @strawberry.mutation(description="The two records are not one person: a cannot-link every later resolution "
                                     "obeys.")
    async def reject_link(self, info: Info, a: RecordRefInput, b: RecordRefInput, reason: str) -> StewardOutcome:
        return await _steward(info, "rejectLink", reason, records=[a.uid, b.uid])

    @strawberry.mutation(description="A person's records are several people: groups name every record of the person "
                                     "exactly once. The largest part keeps the id; the old id lists the others as "
                                     "successors.")
    async def split_person(self, info: Info, person_id: strawberry.ID, groups: list[list[RecordRefInput]],
                           reason: str) -> StewardOutcome:
        return await _steward(info, "splitPerson", reason, person_ids=[str(person_id)],
                              groups=[[r.uid for r in group] for group in groups])

    @strawberry.mutation(description="Several people are one: one id survives, the others resolve to it.")
    async def merge_persons(self, info: Info, ids: list[strawberry.ID], reason: str) -> StewardOutcome:
        if len(ids) > 20:
            from api.errors import InvalidArgument

            raise InvalidArgument("merge at most 20 people at once")
        return await _steward(info, "mergePersons", reason, person_ids=[str(i) for i in ids])

    @strawberry.mutation(description="Revoke a steward decision: it stays on file, inactive, and the people it "
                                     "touched are resolved again without it.")
    async def revoke_decision(self, info: Info, id: strawberry.ID, reason: str) -> StewardOutcome:
        return await _steward(info, "revokeDecision", reason, decision_id=str(id))

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
