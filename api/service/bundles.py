"""What the database returns for people, records and households, before the policy is applied.

Raw values: never returned to a client as such. :mod:`api.service.views` turns them into what one
caller may see.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import orjson

__all__ = ["AddressLink", "HouseholdBundle", "MemberSources", "PersonBundle", "RecordBundle", "Resolution",
           "household_members_from_row", "parse_person_rows", "person_from_row"]


@dataclass(frozen=True, slots=True)
class AddressLink:
    key: str
    display: str | None
    flat: str | None
    number: str | None
    building: str | None
    street: str | None
    town: str | None
    postcode: str | None
    uprn: str | None
    placeholder: bool
    valid_from: str | None
    valid_to: str | None
    current: bool

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> AddressLink:
        return cls(key=row["key"], display=row.get("display"), flat=row.get("flat"), number=row.get("number"),
                   building=row.get("building"), street=row.get("street"), town=row.get("town"),
                   postcode=row.get("postcode"), uprn=row.get("uprn"), placeholder=bool(row.get("placeholder")),
                   valid_from=row.get("from"), valid_to=row.get("to"), current=bool(row.get("current")))


@dataclass(frozen=True, slots=True)
class Related:
    uid: str
    source: str
    type: str
    outgoing: bool
    person_id: str | None


@dataclass(frozen=True, slots=True)
class RecordBundle:
    uid: str
    source: str
    source_id: str
    person_id: str | None
    given_name: str | None
    middle_names: str | None
    family_name: str | None
    dob: str | None
    sex: str | None
    recorded_at: str | None
    flags: tuple[str, ...]
    attributes: Mapping[str, Any]  # the record's extra fields (kept from the source, not mapped)
    mark: str | None  # held_not_disclosed | owner_restricted
    mark_contact: str | None
    mark_at: str | None
    addresses: tuple[AddressLink, ...]
    phones: tuple[tuple[str, str | None], ...]  # (e164, kind)
    emails: tuple[str, ...]
    identifiers: tuple[tuple[str, str, bool], ...]  # (scheme, value, valid)
    schools: tuple[tuple[str, str | None], ...]  # (urn, name)
    related: tuple[Related, ...]

    @classmethod
    def from_row(cls, row: Mapping[str, Any], person_id: str | None) -> RecordBundle:
        extra = row.get("extra")
        try:
            attributes = orjson.loads(extra) if extra else {}
        except orjson.JSONDecodeError:
            attributes = {"_unparsable": True}
        if not isinstance(attributes, dict):
            attributes = {}
        mark = row.get("mark") or {}
        return cls(
            uid=row["uid"], source=row["source"], source_id=row["source_id"], person_id=person_id,
            given_name=row.get("given_name"), middle_names=row.get("middle_names"),
            family_name=row.get("family_name"), dob=row.get("dob"), sex=row.get("sex"),
            recorded_at=row.get("recorded_at"), flags=tuple(row.get("flags") or ()), attributes=attributes,
            mark=mark.get("kind"), mark_contact=mark.get("contact"),
            mark_at=str(mark["at"]) if mark.get("at") is not None else None,
            addresses=tuple(sorted((AddressLink.from_row(a) for a in row.get("addresses") or ()),
                                   key=lambda a: (not a.current, a.valid_to or "9999", a.key))),
            phones=tuple(sorted((p["e164"], p.get("kind")) for p in row.get("phones") or ())),
            emails=tuple(sorted(row.get("emails") or ())),
            identifiers=tuple(sorted((i["scheme"], i["value"], bool(i.get("valid"))) for i in row.get("identifiers") or ())),
            schools=tuple(sorted((s["urn"], s.get("name")) for s in row.get("schools") or ())),
            related=tuple(sorted((Related(r["uid"], r["source"], r.get("type") or "other", bool(r.get("outgoing")),
                                          r.get("person_id")) for r in row.get("related") or ()),
                                 key=lambda r: (r.uid, r.type))),
        )

    def restricted(self, flag: str | None) -> bool:
        return flag is not None and self.attributes.get(flag) is True


@dataclass(frozen=True, slots=True)
class Resolution:
    """How a requested person id led to this person."""

    requested_id: str
    kind: str  # SAME | MERGED | SPLIT
    successor_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PersonBundle:
    id: str
    household_id: str | None
    household_evidence: str | None
    restricted: bool  # a record of the person carries the restricted flag
    household_restricted: bool  # a member of their household does
    records: tuple[RecordBundle, ...]
    resolution: Resolution = field(default_factory=lambda: Resolution("", "SAME", ()))

    @property
    def address_restricted(self) -> bool:
        return self.restricted or self.household_restricted


def parse_person_rows(rows: list[dict[str, Any]]) -> dict[str, list[PersonBundle]]:
    """Rows of ``api/person_bundles`` -> requested id -> its people (one, or the successors of a split)."""
    found: dict[str, list[PersonBundle]] = {}
    for row in rows:
        requested = row["requested"]
        status = row["requested_status"]
        kind = "SAME" if status == "active" or row["id"] == requested else ("SPLIT" if status == "split" else "MERGED")
        resolution = Resolution(requested, kind, tuple(sorted(row.get("successor_ids") or ())))
        found.setdefault(requested, []).append(person_from_row(row, resolution))
    return found


def person_from_row(row: Mapping[str, Any], resolution: Resolution | None = None) -> PersonBundle:
    """One person of ``api/person_bundles`` or of a household's members in ``api/household_bundles``."""
    records = tuple(sorted((RecordBundle.from_row(r, row["id"]) for r in row["records"] or ()),
                           key=lambda r: (r.source, r.source_id)))
    return PersonBundle(
        id=row["id"], household_id=row.get("household_id"), household_evidence=row.get("household_evidence"),
        restricted=bool(row.get("restricted")), household_restricted=bool(row.get("household_restricted")),
        records=records, resolution=resolution or Resolution(row["id"], "SAME", ()),
    )


@dataclass(frozen=True, slots=True)
class HouseholdBundle:
    id: str
    address: AddressLink | None
    members: tuple[tuple[str, str | None], ...]  # (person id, evidence)
    people: tuple[PersonBundle, ...]  # the members, loaded with the household

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> HouseholdBundle:
        address = row.get("address")
        people = tuple(sorted((person_from_row(m) for m in row.get("members") or ()), key=lambda p: p.id))
        return cls(id=row["id"],
                   address=AddressLink.from_row({**address, "current": True}) if address else None,
                   members=tuple((p.id, p.household_evidence) for p in people), people=people)


@dataclass(frozen=True, slots=True)
class MemberSources:
    """A household member as far as the policy needs it to decide whether the member exists for a caller: the
    source and sharing mark of each of their records (no values)."""

    id: str
    records: tuple[tuple[str, str | None], ...]  # (source, mark kind)


def household_members_from_row(row: Mapping[str, Any]) -> tuple[MemberSources, ...]:
    """The ``household_members`` of a row of ``api/person_household_counts`` (empty without a household)."""
    return tuple(sorted((MemberSources(m["id"], tuple((r["source"], r.get("mark")) for r in m["records"] or ()))
                         for m in row.get("household_members") or ()), key=lambda m: m.id))
