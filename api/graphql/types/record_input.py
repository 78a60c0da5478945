"""A record an agency system pushes (or asks to match): the canonical record schema in camelCase."""

from __future__ import annotations

from typing import Any

import strawberry

from api.graphql.types.address_input import AddressInput
from api.graphql.types.identifier_input import IdentifierInput
from api.graphql.types.relationship_input import RelationshipInput
from api.graphql.types.school_input import SchoolInput

__all__ = ["RecordInput"]


@strawberry.input(description="One agency record of one person, as in the canonical record schema: the record is "
                              "upserted by source and sourceId. Dates are ISO 8601 (a date of birth may be YYYY-MM "
                              "or YYYY). Values that cannot be used are kept but flagged (see IngestResult.warnings).")
class RecordInput:
    source: str
    source_id: str
    given_name: str | None = None
    middle_names: str | None = None
    family_name: str | None = None
    dob: str | None = None
    sex: str | None = None
    addresses: list[AddressInput] | None = None
    phones: list[str] | None = None
    emails: list[str] | None = None
    identifiers: list[IdentifierInput] | None = None
    school: SchoolInput | None = None
    relationships: list[RelationshipInput] | None = None
    recorded_at: str | None = None

    def canonical(self) -> dict[str, Any]:
        """The canonical (snake_case) record the loader validates and normalises."""
        return {
            "source": self.source, "source_id": self.source_id, "given_name": self.given_name,
            "middle_names": self.middle_names, "family_name": self.family_name, "dob": self.dob, "sex": self.sex,
            "addresses": [a.canonical() for a in self.addresses or []],
            "phones": list(self.phones or []), "emails": list(self.emails or []),
            "identifiers": {i.scheme: i.value for i in self.identifiers or []},
            "school": {"urn": self.school.urn, "name": self.school.name} if self.school else None,
            "relationships": [{"type": r.type, "source_id": r.source_id} for r in self.relationships or []],
            "recorded_at": self.recorded_at,
        }
