"""People into households: who lives together now.

A person's current address is taken across all their records, aware that some agencies hold an old
one: the address with the latest start date wins; without dates, the address that the most recently
recorded record calls current; then the one most records agree on. People sharing a current address
form a household (an address shared by more people than any family, such as a hostel, refuge or
police station, is not). A person with no usable current address joins the household of someone
their records are related to (parent_of, child_of, carer_of, partner_of) or share a landline with.
An adult whose records place them in several households is flagged.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from resolvers.features import RecordFeatures

__all__ = ["HouseholdResult", "PersonPlace", "form_households", "place_of"]

MAX_HOUSEHOLD_SIZE = 14
_LIVES_WITH = {"parent_of", "child_of", "carer_of", "cared_for_by", "partner_of", "sibling_of"}


@dataclass(frozen=True, slots=True)
class PersonPlace:
    current_address: str | None
    evidence: str  # how the current address was chosen
    addresses: tuple[str, ...]  # every address key the person's records hold
    several_current: bool  # records disagree on the current address (flag for analysts)


def place_of(records: Sequence[RecordFeatures]) -> PersonPlace:
    """The person's current address from all their records."""
    dated: list[tuple[str, str]] = []  # (from, key) for addresses still current
    claims: Counter[str] = Counter()
    latest_claim: tuple[str, str] | None = None
    all_keys: set[str] = set()
    for record in records:
        all_keys |= record.address_keys
        for key, _postcode, start, end in record.address_history:
            if end is None and start:
                dated.append((start, key))
        if record.current_address:
            claims[record.current_address] += 1
            stamp = record.recorded_at or ""
            if latest_claim is None or stamp > latest_claim[0]:
                latest_claim = (stamp, record.current_address)
    several = len(claims) > 1
    if dated:
        return PersonPlace(max(dated)[1], "latest_move_in_date", tuple(sorted(all_keys)), several)
    if latest_claim and latest_claim[0]:
        return PersonPlace(latest_claim[1], "most_recent_record", tuple(sorted(all_keys)), several)
    if claims:
        key, _ = max(claims.items(), key=lambda kv: (kv[1], kv[0]))
        return PersonPlace(key, "most_records", tuple(sorted(all_keys)), several)
    return PersonPlace(None, "none", tuple(sorted(all_keys)), several)


@dataclass
class HouseholdResult:
    household_of: dict[int, int]  # person label -> household label
    evidence: dict[int, str]  # person label -> why they are in it
    address_of: dict[int, str | None]  # household label -> address key
    flagged_several_households: list[int] = field(default_factory=list)
    oversized_addresses: int = 0


def form_households(
    people: Mapping[int, Sequence[int]],
    features: Sequence[RecordFeatures],
    person_of_record: Mapping[str, int],
    places: Mapping[int, PersonPlace],
) -> HouseholdResult:
    """Households for people (person label -> record indices), given each person's place."""
    by_address: dict[str, list[int]] = defaultdict(list)
    for person, place in places.items():
        if place.current_address:
            by_address[place.current_address].append(person)

    household_of: dict[int, int] = {}
    evidence: dict[int, str] = {}
    address_of: dict[int, str | None] = {}
    oversized = 0
    for key, members in sorted(by_address.items()):
        if len(members) > MAX_HOUSEHOLD_SIZE:
            oversized += 1
            continue
        label = min(members)
        address_of[label] = key
        for person in members:
            household_of[person] = label
            evidence[person] = f"current_address:{places[person].evidence}"

    # People without a household yet: follow recorded relationships, then shared landlines.
    landline_owner: dict[str, int] = {}
    for person, records in people.items():
        if person in household_of:
            for i in records:
                for phone in features[i].landlines:
                    landline_owner.setdefault(phone, person)
    for person, records in sorted(people.items()):
        if person in household_of:
            continue
        joined = None
        for i in records:
            for other_uid, kind in sorted(features[i].related.items()):
                other = person_of_record.get(other_uid)
                if kind in _LIVES_WITH and other is not None and other in household_of:
                    joined, why = household_of[other], f"relationship:{kind}"
                    break
            if joined is not None:
                break
        if joined is None:
            for i in records:
                for phone in sorted(features[i].landlines):
                    owner = landline_owner.get(phone)
                    if owner is not None:
                        joined, why = household_of[owner], "shared_landline"
                        break
                if joined is not None:
                    break
        if joined is not None:
            household_of[person] = joined
            evidence[person] = why
    # An adult whose records place them at the addresses of several households (a parent who moved
    # between two families, someone linked to several homes) is worth an analyst's look.
    household_at = {key: label for label, key in address_of.items() if key}
    flagged = []
    for person, records in people.items():
        homes = {household_at[k] for i in records if (k := features[i].current_address) in household_at}
        if len(homes) > 1 and _adult(features[i] for i in records):
            flagged.append(person)
    return HouseholdResult(household_of, evidence, address_of, sorted(flagged), oversized)


def _adult(records: Iterable[RecordFeatures], reference_year: int | None = None) -> bool:
    """Adult unless a date of birth says under 18 (no date of birth: assume adult, as contacts are)."""
    year_now = reference_year or date.today().year
    years = [r.dob.year for r in records if r.dob.usable and r.dob.year]
    return not years or year_now - max(years) >= 18
