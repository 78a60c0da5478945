"""One agency's record of a person, as the caller may see it."""

from __future__ import annotations

import asyncio
import json
from typing import TYPE_CHECKING, Annotated

import strawberry

from api.graphql.context import Info, disclose
from api.graphql.ids import record_id
from api.graphql.scalars import PartialDate
from api.graphql.types.address_period import AddressPeriod
from api.graphql.types.agency import Agency
from api.graphql.types.attribute import Attribute
from api.graphql.types.identifier import Identifier
from api.graphql.types.node import Node
from api.graphql.types.phone import Phone
from api.graphql.types.record_mark import RecordMark
from api.graphql.types.record_relationship import RecordRelationship
from api.graphql.types.school import School
from api.service.views import RecordView

if TYPE_CHECKING:
    from api.graphql.types.person import Person

__all__ = ["Record"]


@strawberry.type(description="One agency's record of a person. A record you may see only in part comes back with "
                             "the withheld fields null and listed in extensions.redactions.")
class Record(Node):
    view: strawberry.Private[RecordView]
    # Plain values (never withheld from a caller who may see the record): no resolver to run for them.
    id: strawberry.ID = strawberry.field(description="Opaque record id (rec_...).")
    source: str = strawberry.field(description="The agency system the record comes from (police, health, education, "
                                               "...).")

    @classmethod
    def of(cls, view: RecordView) -> Record:
        return cls(view=view, id=strawberry.ID(record_id(view.uid)), source=view.source)

    def _field(self, info: Info, name: str, value: object) -> object:
        return disclose(info, value, f"Record.{name}")

    @strawberry.field(description="The agency owning the record.")
    def agency(self, info: Info) -> Agency:
        policy = info.context.scope.services.policy
        code = policy.owner_of(self.view.source) or self.view.source
        found = policy.agencies.get(code)
        return Agency(code=code, name=found.name if found else code, contact=found.contact if found else None)

    @strawberry.field(description="The record's data category under the sharing policy.")
    def category(self) -> str | None:
        return self.view.category

    @strawberry.field(description="The record's id in the agency's own system.")
    def source_id(self, info: Info) -> str | None:
        return disclose(info, self.view.source_id, "Record.sourceId")

    @strawberry.field
    def recorded_at(self, info: Info) -> str | None:
        return disclose(info, self.view.recorded_at, "Record.recordedAt")

    @strawberry.field
    def given_name(self, info: Info) -> str | None:
        return disclose(info, self.view.given_name, "Record.givenName")

    @strawberry.field
    def middle_names(self, info: Info) -> str | None:
        return disclose(info, self.view.middle_names, "Record.middleNames")

    @strawberry.field
    def family_name(self, info: Info) -> str | None:
        return disclose(info, self.view.family_name, "Record.familyName")

    @strawberry.field
    def dob(self, info: Info) -> PartialDate | None:
        value = disclose(info, self.view.dob, "Record.dob")
        return PartialDate(value) if value else None

    @strawberry.field
    def sex(self, info: Info) -> str | None:
        return disclose(info, self.view.sex, "Record.sex")

    @strawberry.field(description="Addresses on the record, with periods (null when withheld).")
    def addresses(self, info: Info) -> list[AddressPeriod] | None:
        links = disclose(info, self.view.addresses, "Record.addresses")
        if links is None:
            return None
        return [AddressPeriod.of_link(link, self.view.source, self.view.uid) for link in links]

    @strawberry.field
    def phones(self, info: Info) -> list[Phone] | None:
        phones = disclose(info, self.view.phones, "Record.phones")
        return None if phones is None else [Phone(number=number, kind=kind) for number, kind in phones]

    @strawberry.field
    def emails(self, info: Info) -> list[str] | None:
        emails = disclose(info, self.view.emails, "Record.emails")
        return None if emails is None else list(emails)

    @strawberry.field(description="Identifiers on the record (withheld schemes listed in extensions.redactions).")
    def identifiers(self, info: Info) -> list[Identifier]:
        for field_name, withheld in self.view.identifiers_withheld:
            disclose(info, withheld, f"Record.identifiers.{field_name}")
        return [Identifier(scheme=s, value=v, valid=ok, sources=[self.view.source])
                for s, v, ok in self.view.identifiers]

    @strawberry.field(description="The school a pupil record names.")
    def school(self, info: Info) -> School | None:
        schools = disclose(info, self.view.school, "Record.school")
        if not schools:
            return None
        urn, name = schools[0]
        return School(urn=urn, name=name)

    @strawberry.field(description="Relationships the agency recorded to other people (only people you may see).")
    async def relationships(self, info: Info) -> list[RecordRelationship] | None:
        from api.graphql.types.person import Person

        related = disclose(info, self.view.relationships, "Record.relationships")
        if related is None:
            return None
        scope = info.context.scope
        people = await asyncio.gather(*(scope.person(r.person_id) for r in related if r.person_id))
        visible = {p.id: p for p in people if p is not None}
        found = []
        for item in related:
            person = visible.get(item.person_id or "")
            if person is not None and person.id == item.person_id:
                found.append(RecordRelationship(type=item.type, outgoing=item.outgoing,
                                                person=Person.of(info, person)))
        return found

    @strawberry.field(description="Data-quality flags: values kept but not used for matching (placeholders, "
                                  "failed checks).")
    def flags(self, info: Info) -> list[str] | None:
        flags = disclose(info, self.view.flags, "Record.flags")
        return None if flags is None else list(flags)

    @strawberry.field(description="Extra fields the agency's system holds that the policy categorises.")
    def attributes(self, info: Info) -> list[Attribute]:
        for field_name, withheld in self.view.attributes_withheld:
            disclose(info, withheld, f"Record.attributes.{field_name}")
        return [Attribute(name=name, value=json.dumps(value, sort_keys=True)) for name, value in self.view.attributes]

    @strawberry.field(description="The owning agency's mark on the record (shown to the owning agency only).")
    def mark(self) -> RecordMark | None:
        if not self.view.owned:
            return None
        return RecordMark(self.view.mark) if self.view.mark else RecordMark.NONE

    @strawberry.field(description="The person the record resolves to.")
    async def person(self, info: Info) -> Annotated[Person, strawberry.lazy("api.graphql.types.person")] | None:
        from api.graphql.types.person import Person

        if not self.view.person_id:
            return None
        view = await info.context.scope.person(self.view.person_id)
        if view is None or view.id != self.view.person_id:
            return None
        return Person.of(info, view)
