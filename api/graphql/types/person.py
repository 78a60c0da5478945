"""A person: the golden record across every agency's records the caller may see."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry

from api.graphql.context import Info, disclose
from api.graphql.ids import record_id
from api.graphql.scalars import DateTime, PartialDate
from api.graphql.types.address import Address
from api.graphql.types.address_period import AddressPeriod
from api.graphql.types.agency import Agency
from api.graphql.types.connection import Connection, paginate
from api.graphql.types.field_provenance import FieldProvenance
from api.graphql.types.held_notice import HeldNotice
from api.graphql.types.identifier import Identifier
from api.graphql.types.identity_resolution import IdentityResolution
from api.graphql.types.identity_resolution_kind import IdentityResolutionKind
from api.graphql.types.node import Node
from api.service.views import Golden, PersonView, Withheld
from api.service.views import HeldNotice as HeldNoticeView

if TYPE_CHECKING:
    from api.graphql.types.household import Household
    from api.graphql.types.person_link import PersonLink
    from api.graphql.types.record import Record

__all__ = ["Person", "agency", "held_notice"]


def agency(info: Info, code: str) -> Agency:
    policy = info.context.scope.services.policy
    found = policy.agencies.get(code)
    return Agency(code=code, name=found.name if found else code, contact=found.contact if found else None)


def held_notice(info: Info, held: HeldNoticeView) -> HeldNotice:
    return HeldNotice(agency=agency(info, held.agency), contact=held.contact,
                      since=DateTime(held.since) if held.since else None)


@strawberry.type(description="A person: one child or adult across agencies. Values are chosen among the records you "
                             "may see (most records, then the most trusted source, then the most recent); a record "
                             "you may not see does not exist for you, in values, lists or counts.")
class Person(Node):
    view: strawberry.Private[PersonView]
    id: strawberry.ID = strawberry.field(description="Stable, opaque person id: the id `mashgraph export` writes.")

    @classmethod
    def of(cls, info: Info, view: PersonView) -> Person:
        info.context.scope.disclosure.disclose_person(view)
        return cls(view=view, id=strawberry.ID(view.id))

    @strawberry.field(description="How the id you asked for led here (old ids resolve after merges and splits).")
    def resolution(self, info: Info) -> IdentityResolution:
        resolution = self.view.resolution
        return IdentityResolution(requested_id=strawberry.ID(resolution.requested_id or self.view.id),
                                  kind=IdentityResolutionKind(resolution.kind),
                                  successor_ids=[strawberry.ID(i) for i in resolution.successor_ids])

    def _golden(self, info: Info, value: Golden[str] | Withheld, name: str) -> str | None:
        golden = disclose(info, value, f"Person.{name}")
        return golden.value if golden is not None else None

    @strawberry.field
    def given_name(self, info: Info) -> str | None:
        return self._golden(info, self.view.given_name, "givenName")

    @strawberry.field
    def middle_names(self, info: Info) -> str | None:
        return self._golden(info, self.view.middle_names, "middleNames")

    @strawberry.field
    def family_name(self, info: Info) -> str | None:
        return self._golden(info, self.view.family_name, "familyName")

    @strawberry.field(description="Date of birth (ISO 8601; may be known only to the month or year).")
    def dob(self, info: Info) -> PartialDate | None:
        value = self._golden(info, self.view.dob, "dob")
        return PartialDate(value) if value else None

    @strawberry.field(description="M, F or U.")
    def sex(self, info: Info) -> str | None:
        return self._golden(info, self.view.sex, "sex")

    @strawberry.field(description="Other names the person's records give (nicknames, former surnames).")
    def aliases(self, info: Info) -> list[str] | None:
        aliases = disclose(info, self.view.aliases, "Person.aliases")
        return None if aliases is None else list(aliases)

    @strawberry.field(description="The current address, from the records you may see.")
    def current_address(self, info: Info) -> Address | None:
        golden = disclose(info, self.view.current_address, "Person.currentAddress")
        return Address.of(golden.value) if golden is not None and golden.value is not None else None

    @strawberry.field(description="Every address the person's records give, with periods.")
    def address_history(self, info: Info) -> list[AddressPeriod] | None:
        periods = disclose(info, self.view.addresses, "Person.addressHistory")
        return None if periods is None else [AddressPeriod(period=p) for p in periods]

    @strawberry.field(description="Identifiers across the person's records (withheld schemes listed in "
                                  "extensions.redactions).")
    def identifiers(self, info: Info) -> list[Identifier]:
        for field_name, withheld in self.view.identifiers_withheld:
            disclose(info, withheld, f"Person.identifiers.{field_name}")
        return [Identifier(scheme=s, value=v, valid=ok, sources=list(src)) for s, v, ok, src in self.view.identifiers]

    @strawberry.field(description="The agencies whose records of this person you may see.")
    def agencies_involved(self, info: Info) -> list[Agency]:
        return [agency(info, code) for code in self.view.agencies]

    @strawberry.field(description="Agencies holding information they have not disclosed, and whom to contact.")
    def held_elsewhere(self, info: Info) -> list[HeldNotice]:
        return [held_notice(info, h) for h in self.view.held]

    @strawberry.field(description="Which records each golden value comes from.")
    def provenance(self) -> list[FieldProvenance]:
        by_uid = {r.uid: r for r in self.view.records}
        found = []
        for name, value in (("givenName", self.view.given_name), ("middleNames", self.view.middle_names),
                            ("familyName", self.view.family_name), ("dob", self.view.dob), ("sex", self.view.sex),
                            ("currentAddress", self.view.current_address)):
            if isinstance(value, Golden) and value.value is not None:
                found.append(FieldProvenance(field=name, record_ids=[strawberry.ID(record_id(u))
                                                                     for u in value.record_uids],
                                             sources=sorted({by_uid[u].source for u in value.record_uids})))
        return found

    @strawberry.field(description="How many of the person's records you may see.")
    def record_count(self) -> int:
        return len(self.view.records)

    @strawberry.field(description="The agencies' records of this person that you may see.")
    def records(self, info: Info, first: int | None = 20,
                after: str | None = None) -> Connection[Annotated[Record, strawberry.lazy("api.graphql.types.record")]]:
        from api.graphql.types.record import Record

        return paginate(self.view.records, first, after, info.context.scope.settings.max_page_size,
                        Record.of)

    @strawberry.field(description="The household the person lives in now.")
    async def household(self, info: Info) -> Annotated[Household, strawberry.lazy("api.graphql.types.household")] | None:
        from api.graphql.types.household import Household

        if not self.view.household_id:
            return None
        scope = info.context.scope
        size = await scope.household_size(self.view.household_id)
        if size is not None:  # counted from the members' sources and marks: the single view asked for no more
            return Household.counted(self.view.household_id, size) if size else None
        view = await scope.household(self.view.household_id)
        return Household.of(view) if view is not None else None

    @strawberry.field(description="Why the records were merged: the scored links between them.")
    async def links(self, info: Info, first: int | None = 20, after: str | None = None) \
            -> Connection[Annotated[PersonLink, strawberry.lazy("api.graphql.types.person_link")]]:
        from api.graphql.types.person_link import PersonLink

        links = await info.context.scope.links(self.view)
        return paginate(links, first, after, info.context.scope.settings.max_page_size,
                        lambda link: PersonLink(view=link))

    @strawberry.field(description="True when a break-glass grant widened what this view shows.")
    def break_glass(self) -> bool:
        return self.view.break_glass
