"""The root query type. Every field asks the service layer, which asks the policy decision point."""

from __future__ import annotations

from typing import Annotated

import strawberry
from graphql import FieldNode, FragmentDefinitionNode, FragmentSpreadNode, InlineFragmentNode, SelectionSetNode

from api.errors import InvalidArgument
from api.graphql.context import Info
from api.graphql.ids import HOUSEHOLD_ID, PERSON_ID, record_uid
from api.graphql.scalars import DateTime
from api.graphql.types.audit_entry import AuditEntry
from api.graphql.types.break_glass_grant import BreakGlassGrant
from api.graphql.types.connection import (
    Connection,
    Edge,
    connection_from_slice,
    decode_cursor,
    encode_cursor,
    page_window,
    paginate,
)
from api.graphql.types.household import Household
from api.graphql.types.identifier_input import IdentifierInput
from api.graphql.types.match_evidence import MatchEvidence
from api.graphql.types.network import Network
from api.graphql.types.network_edge_kind import NetworkEdgeKind
from api.graphql.types.node import Node
from api.graphql.types.page_info import PageInfo
from api.graphql.types.person import Person
from api.graphql.types.person_change import PersonChange
from api.graphql.types.person_change_kind import PersonChangeKind
from api.graphql.types.person_match import PersonMatch
from api.graphql.types.policy_info import PolicyInfo
from api.graphql.types.purpose import Purpose
from api.graphql.types.record import Record
from api.graphql.types.record_input import RecordInput
from api.graphql.types.review_item import ReviewItem
from api.graphql.types.steward_decision import StewardDecision
from api.service import governance, realtime, stewardship
from api.service.network import Explorer
from api.service.search import Match, SearchCriteria, search_people

__all__ = ["Query"]

_CHANGES = "change:"  # personChanges cursors are journal positions, not offsets


#: What a single view may ask of the person's household and still be answered from its members' sources and marks.
_COUNTED_HOUSEHOLD = frozenset({"id", "size", "__typename"})


def _household_selection(info: Info) -> set[str] | None:
    """The fields the current field's selection asks of ``household`` (fragments followed; cycles are invalid
    documents), or None when it does not ask for the household. Reads the parsed document directly: cheaper than
    building ``info.selected_fields``."""
    raw = info._raw_info
    households = [field for node in raw.field_nodes for field in _fields(node.selection_set, raw.fragments)
                  if field.name.value == "household"]
    if not households:
        return None
    return {field.name.value for household in households for field in _fields(household.selection_set, raw.fragments)}


def _fields(selection_set: SelectionSetNode | None, fragments: dict[str, FragmentDefinitionNode]) -> list[FieldNode]:
    """The fields a selection set asks for at its own level, through inline fragments and fragment spreads."""
    # A module function rather than a closure calling itself: such a closure is a reference cycle per call.
    found: list[FieldNode] = []
    for selection in selection_set.selections if selection_set else ():
        if isinstance(selection, FieldNode):
            found.append(selection)
        elif isinstance(selection, InlineFragmentNode):
            found.extend(_fields(selection.selection_set, fragments))
        elif isinstance(selection, FragmentSpreadNode):
            fragment = fragments.get(selection.name.value)
            if fragment is not None:
                found.extend(_fields(fragment.selection_set, fragments))
    return found


async def _person(info: Info, person_id: str) -> Person | None:
    scope = info.context.scope
    scope.require("person")
    scope.disclosure.requested.add(person_id)
    if not PERSON_ID.match(person_id):
        return None
    household = _household_selection(info)
    if household is None:
        view = await scope.person(person_id)
    elif household <= _COUNTED_HOUSEHOLD:
        view = await scope.person_and_household_count(person_id)
    else:
        view = await scope.person_and_household(person_id)
    return Person.of(info, view) if view is not None else None


async def _household(info: Info, household_id: str) -> Household | None:
    scope = info.context.scope
    scope.require("household")
    scope.disclosure.requested.add(household_id)
    if not HOUSEHOLD_ID.match(household_id):
        return None
    view = await scope.household(household_id)
    if view is None:
        return None
    for person, _ in view.members:
        scope.disclosure.disclose_person(person)
    return Household.of(view)


async def _record(info: Info, uid: str) -> Record | None:
    scope = info.context.scope
    scope.require("record")
    scope.disclosure.requested.add(uid)
    view = await scope.record(uid)
    if view is None:
        return None
    if view.person_id:
        scope.disclosure.subjects.add(view.person_id)
    scope.disclosure.rules |= view.rules
    return Record.of(view)


def _person_match(info: Info, match: Match) -> PersonMatch:
    return PersonMatch(person=Person.of(info, match.person), score=match.probability, weight=match.weight,
                       explanation=[MatchEvidence(comparison=e.comparison, level=e.level, weight=e.weight)
                                    for e in match.evidence],
                       matched_record_ids=PersonMatch.record_ids(match.record_uids))


def _kinds(kinds: list[NetworkEdgeKind] | None) -> list[str] | None:
    return [k.value for k in kinds] if kinds else None


@strawberry.type(description="Read the single view of people and households, search, explore networks. Every "
                             "request needs a bearer token and an X-Purpose header; what comes back is what your "
                             "agency and role may see for that purpose. Not found and not permitted look the same "
                             "(null).")
class Query:
    @strawberry.field(description="Fetch any object by its id (person, household or record).")
    async def node(self, info: Info, id: strawberry.ID) -> Node | None:
        text = str(id)
        if text.startswith("per_"):
            return await _person(info, text)
        if text.startswith("hh_"):
            return await _household(info, text)
        uid = record_uid(text)
        if uid is not None:
            return await _record(info, uid)
        if text.startswith("sd_") and len(text) <= 64:
            _, found = await stewardship.decisions(info.context.scope, False, 0, 1, [text])
            return StewardDecision(view=found[0]) if found else None
        info.context.scope.disclosure.requested.add(text[:80])
        return None

    @strawberry.field(description="The single view of a person. An old id after a merge or split still resolves "
                                  "(see resolution).")
    async def person(self, info: Info, id: strawberry.ID) -> Person | None:
        return await _person(info, str(id))

    @strawberry.field(description="Do we know this person? Candidates ranked by match probability, with the "
                                  "reasons. Needs a family name or an identifier.")
    async def search_people(self, info: Info, given_name: str | None = None, family_name: str | None = None,
                            dob: str | None = None, postcode: str | None = None,
                            identifier: IdentifierInput | None = None, first: int | None = 10,
                            after: str | None = None, min_probability: float = 0.01) -> Connection[PersonMatch]:
        scope = info.context.scope
        scope.require("searchPeople")
        if not 0 <= min_probability < 1:
            raise InvalidArgument("minProbability must be at least 0 and below 1")
        for value, name in ((given_name, "givenName"), (family_name, "familyName"), (dob, "dob"),
                            (postcode, "postcode")):
            if value is not None and len(value) > 100:
                raise InvalidArgument(f"{name} is too long")
        criteria = SearchCriteria(given_name=given_name, family_name=family_name, dob=dob, postcode=postcode,
                                  identifier_scheme=identifier.scheme if identifier else None,
                                  identifier_value=identifier.value if identifier else None)
        page_window(first, after, scope.settings.max_page_size, 10)  # validate before searching
        matches = await search_people(scope, criteria, min_probability=min_probability)
        return paginate(matches, first, after, scope.settings.max_page_size, lambda m: _person_match(info, m),
                        default=10)

    @strawberry.field(description="Which people would this record resolve to? The same candidates, model and rules "
                                  "as pushing it, ranked; nothing is stored. Only people and fields you may see take "
                                  "part; totalCount counts the best candidates up to the end of this page.")
    async def match_record(self, info: Info, record: RecordInput, first: int | None = 10, after: str | None = None,
                           min_probability: float = 0.01) -> Connection[PersonMatch]:
        scope = info.context.scope
        if not 0 <= min_probability < 1:
            raise InvalidArgument("minProbability must be at least 0 and below 1")
        offset, size = page_window(first, after, scope.settings.max_page_size, 10)
        matches = await realtime.match_record(scope, record.canonical(), min_probability=min_probability,
                                              people=offset + size)
        return paginate(matches, first, after, scope.settings.max_page_size, lambda m: _person_match(info, m),
                        default=10)

    @strawberry.field(description="The data steward's queue: uncertain links and suspicious people, most impactful "
                                  "first (thresholds: MASHGRAPH_REVIEW_LOWER / _UPPER).")
    async def review_queue(self, info: Info, first: int | None = 20, after: str | None = None) -> Connection[ReviewItem]:
        scope = info.context.scope
        offset, size = page_window(first, after, scope.settings.max_page_size, 20)
        total, items = await stewardship.review_queue(scope, offset, size)
        return connection_from_slice(items, offset, total, lambda view: ReviewItem(view=view))

    @strawberry.field(description="Identity changes (people created, merged, split, records linked) after `since`, "
                                  "oldest first, about people you may see. Start without `since`; continue with "
                                  "pageInfo.endCursor (also when the page is empty).")
    async def person_changes(self, info: Info, since: str | None = None,
                             first: int | None = 100) -> Connection[PersonChange]:
        scope = info.context.scope
        _, size = page_window(first, None, scope.settings.max_page_size, 100)
        position = decode_cursor(since, _CHANGES) if since else 0
        changes, reached, more = await realtime.person_changes(scope, position, size)
        edges = [Edge(cursor=encode_cursor(c.seq, _CHANGES), node=PersonChange(
            kind=PersonChangeKind(c.kind), person_id=strawberry.ID(c.person_id),
            related_person_ids=[strawberry.ID(p) for p in c.related], at=DateTime(c.at) if c.at else None,
            decision_id=strawberry.ID(c.decision_id) if c.decision_id else None)) for c in changes]
        return Connection(edges=edges, total_count=len(edges), page_info=PageInfo(
            has_next_page=more, has_previous_page=position > 0,
            start_cursor=edges[0].cursor if edges else None, end_cursor=encode_cursor(reached, _CHANGES)))

    @strawberry.field(description="Steward decisions, newest first (all, or only those still obeyed).")
    async def steward_decisions(self, info: Info, active_only: bool = True, first: int | None = 20,
                                after: str | None = None) -> Connection[StewardDecision]:
        scope = info.context.scope
        offset, size = page_window(first, after, scope.settings.max_page_size, 20)
        total, found = await stewardship.decisions(scope, active_only, offset, size)
        return connection_from_slice(found, offset, total, lambda view: StewardDecision(view=view))

    @strawberry.field(description="A household with its members, address history and the evidence for membership.")
    async def household(self, info: Info, id: strawberry.ID) -> Household | None:
        return await _household(info, str(id))

    @strawberry.field(description="The people, households, addresses, phones, emails and schools around a person, "
                                  "up to `hops` edges away (at most 3), and the edges between them.")
    async def network(self, info: Info, person_id: strawberry.ID, hops: int = 2,
                      kinds: list[NetworkEdgeKind] | None = None) -> Network | None:
        scope = info.context.scope
        scope.require("network")
        scope.disclosure.requested.add(str(person_id))
        if not 1 <= hops <= scope.settings.network_max_hops:
            raise InvalidArgument(f"hops must be between 1 and {scope.settings.network_max_hops}")
        if not PERSON_ID.match(str(person_id)):
            return None
        data = await Explorer(scope, _kinds(kinds)).network(str(person_id), hops)
        return Network.of(info, data) if data is not None else None

    @strawberry.field(description="The shortest connection between two people through what you may see (at most "
                                  "`maxHops` edges, at most 6); null when there is none.")
    async def path(self, info: Info, from_: Annotated[strawberry.ID, strawberry.argument(name="from")],
                   to: strawberry.ID, kinds: list[NetworkEdgeKind] | None = None, max_hops: int = 4) -> Network | None:
        scope = info.context.scope
        scope.require("path")
        scope.disclosure.requested |= {str(from_), str(to)}
        if not 1 <= max_hops <= scope.settings.path_max_hops:
            raise InvalidArgument(f"maxHops must be between 1 and {scope.settings.path_max_hops}")
        if not PERSON_ID.match(str(from_)) or not PERSON_ID.match(str(to)):
            return None
        data = await Explorer(scope, _kinds(kinds)).path(str(from_), str(to), max_hops)
        return Network.of(info, data) if data is not None else None

    @strawberry.field(description="One agency record by its id in the agency's system.")
    async def record(self, info: Info, source: str, source_id: str) -> Record | None:
        if len(source) > 64 or len(source_id) > 200:
            raise InvalidArgument("source or sourceId is too long")
        return await _record(info, f"{source.strip().lower()}:{source_id.strip()}")

    @strawberry.field(description="Who accessed a person (under any of their ids) and why, newest first "
                                  "(information governance; this read is audited too).")
    async def audit_trail(self, info: Info, person_id: strawberry.ID, first: int | None = 20,
                          after: str | None = None) -> Connection[AuditEntry]:
        scope = info.context.scope
        offset, size = page_window(first, after, scope.settings.max_page_size, 20)
        total, entries = await governance.audit_trail(scope, str(person_id), offset, size)
        return connection_from_slice(entries, offset, total, AuditEntry.of)

    @strawberry.field(description="Break-glass grants for review, newest first (information governance).")
    async def break_glass_grants(self, info: Info, pending_only: bool = True, first: int | None = 20,
                                 after: str | None = None) -> Connection[BreakGlassGrant]:
        scope = info.context.scope
        offset, size = page_window(first, after, scope.settings.max_page_size, 20)
        total, grants = await governance.grants_for_review(scope, pending_only, offset, size)
        return connection_from_slice(grants, offset, total, BreakGlassGrant.of)

    @strawberry.field(description="The sharing policy in force.")
    def policy(self, info: Info) -> PolicyInfo:
        policy = info.context.scope.services.policy
        return PolicyInfo(name=policy.name, version=policy.version, digest=policy.digest,
                          purposes=[Purpose(code=c, description=d) for c, d in policy.purposes.items()])
