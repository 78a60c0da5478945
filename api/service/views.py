"""What one caller may see of a person, record or household: the policy applied to the raw bundles.

Pure functions of (bundle, subject, decision point): no database, no GraphQL. Every value either
comes through or is replaced by :class:`Withheld` (reason and rule), and whether a value is
withheld depends only on the policy and on what the caller can already see, never on the hidden
values themselves (no oracle). Hidden records disappear completely: no id, no edge, no count, and
no contribution to golden values, links or search scores.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Generic, TypeVar

from api.policy import Decision, Effect, PolicyDecisionPoint, RedactionReason, Subject
from api.service.bundles import (
    AddressLink,
    HouseholdBundle,
    MemberSources,
    PersonBundle,
    RecordBundle,
    Related,
    Resolution,
)
from resolvers.golden import SOURCE_TRUST
from resolvers.link_evidence import decode_explanation

__all__ = [
    "AddressPeriod",
    "HeldNotice",
    "HouseholdView",
    "LinkView",
    "PersonView",
    "RecordView",
    "Withheld",
    "build_household",
    "build_link",
    "build_person",
    "count_visible_members",
]

T = TypeVar("T")
HELD = "held_not_disclosed"
OWNER_RESTRICTED = "owner_restricted"


@dataclass(frozen=True, slots=True)
class Withheld:
    """A value the caller may not see: it comes back null, listed in ``extensions.redactions``."""

    reason: RedactionReason
    rule: str

    @classmethod
    def of(cls, decision: Decision) -> Withheld:
        return cls(decision.reason or RedactionReason.NOT_PERMITTED, decision.rule)


# ---------------------------------------------------------------------------------------------- records
@dataclass(frozen=True, slots=True)
class RecordView:
    uid: str
    source: str
    category: str | None
    owned: bool
    person_id: str | None
    access: Decision  # the record group's decision (permit, or redact for a shell)
    source_id: str | Withheld
    recorded_at: str | Withheld | None
    given_name: str | Withheld | None
    middle_names: str | Withheld | None
    family_name: str | Withheld | None
    dob: str | Withheld | None
    sex: str | Withheld | None
    addresses: tuple[AddressLink, ...] | Withheld
    phones: tuple[tuple[str, str | None], ...] | Withheld
    emails: tuple[str, ...] | Withheld
    identifiers: tuple[tuple[str, str, bool], ...]
    identifiers_withheld: tuple[tuple[str, Withheld], ...]  # (field, why): decided by policy, not by values
    school: tuple[tuple[str, str | None], ...] | Withheld
    relationships: tuple[Related, ...] | Withheld
    flags: tuple[str, ...] | Withheld
    attributes: tuple[tuple[str, Any], ...]
    attributes_withheld: tuple[tuple[str, Withheld], ...]
    mark: str | None  # shown to the owning agency only
    rules: frozenset[str]
    break_glass: bool

    def permitted(self, name: str) -> bool:
        return not isinstance(getattr(self, name), Withheld)


@dataclass(frozen=True, slots=True)
class HeldNotice:
    """Another agency holds something it has not disclosed: whom to contact, never what."""

    agency: str
    contact: str
    since: str | None


_SCALAR_FIELDS = ("sourceId", "recordedAt", "givenName", "middleNames", "familyName", "dob", "sex", "addresses",
                  "phones", "emails", "school", "relationships", "flags")


@dataclass(frozen=True, slots=True)
class _Plan:
    """Every field decision for records of one category, for one subject (computed once, then reused)."""

    # every scalar field -> why it is withheld, or None when it is shown
    withheld: dict[str, Withheld | None]
    identifiers_withheld: tuple[tuple[str, Withheld], ...]
    attributes_withheld: tuple[tuple[str, Withheld], ...]
    permitted_identifiers: frozenset[str]  # schemes
    permitted_attributes: frozenset[str]  # names
    rules: frozenset[str]
    break_glass: bool


def _plan(pdp: PolicyDecisionPoint, subject: Subject, category: str | None, owned: bool, break_glass: bool,
          access: Decision) -> _Plan:
    def compute() -> _Plan:
        decide = {name: pdp.field(subject, category, name, owner=owned, break_glass=break_glass)
                  for name in pdp.policy.group_of_field}
        fields = {name: decide.get(name) or pdp.field(subject, category, name, owner=owned, break_glass=break_glass)
                  for name in _SCALAR_FIELDS}
        every = [access, *fields.values(), *decide.values()]
        return _Plan(
            withheld={name: None if d.permitted else Withheld.of(d) for name, d in fields.items()},
            identifiers_withheld=tuple((n, Withheld.of(d)) for n, d in sorted(decide.items())
                                       if n.startswith("identifier.") and not d.permitted),
            attributes_withheld=tuple((n, Withheld.of(d)) for n, d in sorted(decide.items())
                                      if n.startswith("attribute.") and not d.permitted),
            permitted_identifiers=frozenset(n.split(".", 1)[1] for n, d in decide.items()
                                            if n.startswith("identifier.") and d.permitted),
            permitted_attributes=frozenset(n.split(".", 1)[1] for n, d in decide.items()
                                           if n.startswith("attribute.") and d.permitted),
            rules=frozenset(d.rule for d in every), break_glass=any(d.break_glass for d in every),
        )

    key = ("record-plan", subject.agency, subject.role, subject.purpose, subject.clearances, category, owned,
           break_glass)
    return pdp.memoised(key, compute)


def _record_access(source: str, mark: str | None, subject: Subject, pdp: PolicyDecisionPoint, *,
                   break_glass: bool) -> tuple[str | None, bool, Decision]:
    """Whether a record exists for the subject (fully, as a redacted shell, or as a held notice), with its category
    and whether the subject's agency owns it: the one decision both a record's view and a household's count use."""
    category = pdp.category_of(source, mark)
    owned = pdp.owns(subject, source)
    return category, owned, pdp.record_access(subject, category, owner=owned, break_glass=break_glass)


def build_record(record: RecordBundle, subject: Subject, pdp: PolicyDecisionPoint, *, address_restricted: bool,
                 break_glass: bool) -> RecordView | HeldNotice | None:
    """A record as the subject may see it; a held notice; or None when it does not exist for them."""
    category, owned, access = _record_access(record.source, record.mark, subject, pdp, break_glass=break_glass)
    if not access.visible:
        return None
    if record.mark == HELD and not owned:
        owner = pdp.policy.owner_of(record.source) or record.source
        contact = record.mark_contact or pdp.policy.contact_of(owner) or ""
        return HeldNotice(agency=owner, contact=contact, since=record.mark_at)
    plan = _plan(pdp, subject, category, owned, break_glass, access)
    rules = plan.rules
    withheld = plan.withheld

    def shown(field_name: str, value: T) -> T | Withheld:
        # The value, or why it is withheld, from the plan; a field the plan does not hold fails (KeyError):
        # it is never shown by default.
        reason = withheld[field_name]
        return value if reason is None else reason

    addresses: tuple[AddressLink, ...] | Withheld = shown("addresses", record.addresses)
    if address_restricted and not isinstance(addresses, Withheld):
        restriction = pdp.restricted_address(subject)
        rules = rules | {restriction.rule}
        if not restriction.permitted:
            addresses = Withheld.of(restriction)
    # A scheme or attribute the policy does not categorise is most restrictive: never disclosed.
    identifiers = tuple(item for item in record.identifiers if item[0] in plan.permitted_identifiers)
    attributes = tuple((name, value) for name, value in sorted(record.attributes.items())
                       if name in plan.permitted_attributes)
    return RecordView(
        uid=record.uid, source=record.source, category=category, owned=owned, person_id=record.person_id,
        access=access,
        source_id=shown("sourceId", record.source_id), recorded_at=shown("recordedAt", record.recorded_at),
        given_name=shown("givenName", record.given_name), middle_names=shown("middleNames", record.middle_names),
        family_name=shown("familyName", record.family_name), dob=shown("dob", record.dob),
        sex=shown("sex", record.sex), addresses=addresses, phones=shown("phones", record.phones),
        emails=shown("emails", record.emails), identifiers=identifiers,
        identifiers_withheld=plan.identifiers_withheld, school=shown("school", record.schools),
        relationships=shown("relationships", record.related), flags=shown("flags", record.flags),
        attributes=attributes, attributes_withheld=plan.attributes_withheld,
        mark=record.mark if owned else None, rules=rules, break_glass=plan.break_glass,
    )


# ---------------------------------------------------------------------------------------------- people
@dataclass(frozen=True, slots=True)
class AddressPeriod:
    address: AddressLink
    valid_from: str | None
    valid_to: str | None
    current: bool
    sources: tuple[str, ...]
    record_uids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Golden(Generic[T]):
    """A golden value chosen from the visible records, with the records that hold it."""

    value: T | None
    record_uids: tuple[str, ...] = ()


@dataclass(frozen=True, eq=False)
class PersonView:
    """A person as one caller may see them. Golden values are computed on first use (a household listed only
    for its size never pays for its members' golden records)."""

    id: str
    resolution: Resolution
    records: tuple[RecordView, ...]
    held: tuple[HeldNotice, ...]
    agencies: tuple[str, ...]
    household_id: str | None
    household_evidence: str | None
    address_restricted: bool
    restriction: Withheld | None  # why addresses are withheld, when the person's address is restricted
    break_glass: bool
    rules: frozenset[str]
    bundle: PersonBundle = field(repr=False)

    @property
    def record_uids(self) -> frozenset[str]:
        return frozenset(r.uid for r in self.records)

    @cached_property
    def given_name(self) -> Golden[str] | Withheld:
        return _choose(self.records, "given_name", _title)

    @cached_property
    def family_name(self) -> Golden[str] | Withheld:
        return _choose(self.records, "family_name", _title)

    @cached_property
    def middle_names(self) -> Golden[str] | Withheld:
        return _choose(self.records, "middle_names", _title)

    @cached_property
    def dob(self) -> Golden[str] | Withheld:
        return _choose(self.records, "dob")

    @cached_property
    def sex(self) -> Golden[str] | Withheld:
        return _choose(self.records, "sex")

    @cached_property
    def aliases(self) -> tuple[str, ...] | Withheld:
        given, family = self.given_name, self.family_name
        if isinstance(given, Withheld) and isinstance(family, Withheld):
            return given
        chosen = " ".join(v for v in (getattr(given, "value", None), getattr(family, "value", None)) if v)
        names = {" ".join(_title(n) for n in (r.given_name, r.family_name) if isinstance(n, str) and n)
                 for r in self.records}
        return tuple(sorted(names - {chosen, ""}))

    @cached_property
    def _addresses(self) -> tuple[Golden[AddressLink] | Withheld, tuple[AddressPeriod, ...] | Withheld]:
        if self.restriction is not None:
            return self.restriction, self.restriction
        history = _address_history(self.records)
        if history:
            current = [p for p in history.values() if p.current]
            best = max(current, key=lambda p: (p.valid_from or "", len(p.record_uids), p.address.key)) \
                if current else None
            periods = tuple(sorted(history.values(), key=lambda p: (not p.current, p.valid_from or "", p.address.key)))
            return (Golden(best.address, best.record_uids) if best else Golden(None)), periods
        withheld = next((r.addresses for r in self.records if isinstance(r.addresses, Withheld)), None)
        return (withheld or Golden(None)), (withheld or ())

    @property
    def current_address(self) -> Golden[AddressLink] | Withheld:
        return self._addresses[0]

    @property
    def addresses(self) -> tuple[AddressPeriod, ...] | Withheld:
        return self._addresses[1]

    @cached_property
    def _identifiers(self) -> tuple[tuple[tuple[str, str, bool, tuple[str, ...]], ...],
                                    tuple[tuple[str, Withheld], ...]]:
        sources: dict[tuple[str, str, bool], set[str]] = defaultdict(set)
        withheld: dict[str, Withheld] = {}
        for view in self.records:
            for item in view.identifiers:
                sources[item].add(view.source)
            for name, why in view.identifiers_withheld:
                withheld.setdefault(name, why)
        return (tuple((s, v, ok, tuple(sorted(src))) for (s, v, ok), src in sorted(sources.items())),
                tuple(sorted(withheld.items())))

    @property
    def identifiers(self) -> tuple[tuple[str, str, bool, tuple[str, ...]], ...]:
        """(scheme, value, valid, sources) across the visible records."""
        return self._identifiers[0]

    @property
    def identifiers_withheld(self) -> tuple[tuple[str, Withheld], ...]:
        return self._identifiers[1]


def _choose(records: Sequence[RecordView], attribute: str,
            normalise: Callable[[Any], Any] = lambda v: v) -> Golden[Any] | Withheld:
    """Survivorship over the visible, permitted values: most records, then source trust, then recency."""
    support: dict[Any, list[RecordView]] = defaultdict(list)
    withheld: Withheld | None = None
    for record in records:
        value = getattr(record, attribute)
        if isinstance(value, Withheld):
            withheld = withheld or value
        elif value is not None:
            support[normalise(value)].append(record)
    if not support:
        return withheld if withheld is not None else Golden(None)

    def rank(item: tuple[Any, list[RecordView]]) -> tuple[int, int, str, str]:
        holders = item[1]
        recorded = max((r.recorded_at for r in holders if isinstance(r.recorded_at, str)), default="")
        return (len(holders), max(SOURCE_TRUST.get(r.source, 0) for r in holders), recorded, str(item[0]))

    value, holders = max(support.items(), key=rank)
    return Golden(value, tuple(sorted(r.uid for r in holders)))


def _title(value: str) -> str:
    return value.strip().title()


def _address_history(records: Sequence[RecordView]) -> dict[str, AddressPeriod]:
    periods: dict[str, dict[str, Any]] = {}
    for record in records:
        if isinstance(record.addresses, Withheld):
            continue
        for link in record.addresses:
            if link.placeholder:
                continue
            period = periods.setdefault(link.key, {"address": link, "from": set(), "to": set(), "current": False,
                                                   "sources": set(), "uids": set()})
            if link.valid_from:
                period["from"].add(link.valid_from)
            period["to"].add(link.valid_to)
            period["current"] = period["current"] or link.current or link.valid_to is None
            period["sources"].add(record.source)
            period["uids"].add(record.uid)
    return {
        key: AddressPeriod(address=p["address"], valid_from=min(p["from"]) if p["from"] else None,
                           valid_to=None if None in p["to"] else max(t for t in p["to"] if t),
                           current=p["current"], sources=tuple(sorted(p["sources"])), record_uids=tuple(sorted(p["uids"])))
        for key, p in periods.items()
    }


def build_person(bundle: PersonBundle, subject: Subject, pdp: PolicyDecisionPoint, *,
                 break_glass: bool = False) -> PersonView | None:
    """The person as the subject may see them; None when nothing of them exists for the subject."""
    views: list[RecordView] = []
    held: list[HeldNotice] = []
    for record in bundle.records:
        view = build_record(record, subject, pdp, address_restricted=bundle.address_restricted, break_glass=break_glass)
        if isinstance(view, RecordView):
            views.append(view)
        elif isinstance(view, HeldNotice):
            held.append(view)
    if not views and not held:
        return None
    rules: set[str] = set()
    glass = False
    for view in views:
        rules |= view.rules
        glass = glass or view.break_glass
    restriction: Withheld | None = None
    if bundle.address_restricted:
        decision = pdp.restricted_address(subject)
        rules.add(decision.rule)
        if not decision.permitted:
            restriction = Withheld.of(decision)

    agencies = sorted({pdp.policy.owner_of(v.source) or v.source for v in views})
    return PersonView(
        id=bundle.id, resolution=bundle.resolution, records=tuple(views), held=tuple(held), agencies=tuple(agencies),
        household_id=bundle.household_id, household_evidence=bundle.household_evidence,
        address_restricted=bundle.address_restricted, restriction=restriction, break_glass=glass,
        rules=frozenset(rules), bundle=bundle,
    )


# ---------------------------------------------------------------------------------------------- households
@dataclass(frozen=True)
class HouseholdView:
    id: str
    members: tuple[tuple[PersonView, str | None], ...]  # visible members and the evidence for membership
    address: AddressLink | Withheld | None
    addresses: tuple[AddressPeriod, ...] | Withheld

    @property
    def size(self) -> int:
        return len(self.members)


def build_household(bundle: HouseholdBundle, members: Iterable[tuple[PersonView | None, str | None]],
                    subject: Subject, pdp: PolicyDecisionPoint) -> HouseholdView | None:
    """A household exists for the subject when at least one member does; it shows only those members."""
    visible = tuple((person, evidence) for person, evidence in members if person is not None)
    if not visible:
        return None
    restricted = any(person.address_restricted for person, _ in visible)
    restriction = pdp.restricted_address(subject) if restricted else None
    if restriction is not None and not restriction.permitted:
        withheld = Withheld.of(restriction)
        return HouseholdView(bundle.id, visible, withheld, withheld)
    records = [r for person, _ in visible for r in person.records]
    history = _address_history(records)
    address: AddressLink | Withheld | None = None
    if bundle.address is not None:
        if bundle.address.key in history:
            address = history[bundle.address.key].address
        else:
            # Nobody the caller sees gives this address in a record they may read: withhold it.
            why = next((r.addresses for r in records if isinstance(r.addresses, Withheld)), None)
            address = why or Withheld(RedactionReason.NOT_PERMITTED, "default-deny")
    periods = tuple(sorted(history.values(), key=lambda p: (not p.current, p.valid_from or "", p.address.key)))
    return HouseholdView(bundle.id, visible, address, periods)


def count_visible_members(members: Iterable[MemberSources], subject: Subject, pdp: PolicyDecisionPoint,
                          break_glass_people: Iterable[str] = ()) -> int:
    """How many of a household's members exist for the subject: exactly the members for whom :func:`build_person`
    would give a view (a record that exists for them, or a held notice), decided record by record as
    :func:`build_record` decides, from sources and marks alone (no member's values are loaded or judged)."""
    glass = frozenset(break_glass_people)
    return sum(1 for member in members
               if any(_record_access(source, mark, subject, pdp, break_glass=member.id in glass)[2].visible
                      for source, mark in member.records))


# ---------------------------------------------------------------------------------------------- links
#: Which record field each comparison of the linkage model reads (its evidence is that field's).
COMPARISON_FIELDS = {
    "prior": None, "given_name": "givenName", "family_name": "familyName", "dob": "dob", "sex": "sex",
    "location": "addresses", "contact": "phones", "nhs_number": "identifier.nhs_number", "upn": "identifier.upn",
    "pnc_id": "identifier.pnc_id", "other_identifier": "identifier.nhs_number", "name_frequency": "givenName",
}


@dataclass(frozen=True, slots=True)
class Evidence:
    comparison: str
    level: str
    weight: float


@dataclass(frozen=True, slots=True)
class LinkView:
    a: RecordView
    b: RecordView
    weight: float | Withheld
    probability: float | Withheld
    evidence: tuple[Evidence, ...]
    withheld: tuple[tuple[str, Withheld], ...]  # comparisons left out, and why
    rules: tuple[str, ...]
    cannot_link: str | None


def _field_decision(record: RecordView, field_name: str) -> Decision:
    """Whether the caller may see this field of this (visible) record, as the record view decided."""
    if field_name.startswith("identifier."):
        withheld = dict(record.identifiers_withheld)
        if field_name in withheld:
            return Decision(Effect.DENY, withheld[field_name].rule, withheld[field_name].reason)
        return Decision(Effect.PERMIT, record.access.rule)
    attribute = {"givenName": "given_name", "familyName": "family_name", "dob": "dob", "sex": "sex",
                 "addresses": "addresses", "phones": "phones"}[field_name]
    value = getattr(record, attribute)
    if isinstance(value, Withheld):
        return Decision(Effect.DENY, value.rule, value.reason)
    return Decision(Effect.PERMIT, record.access.rule)


def build_link(row: dict[str, Any], a: RecordView, b: RecordView) -> LinkView:
    """A scored link between two visible records; evidence from fields either side withholds is left out."""
    items = decode_explanation(row.get("explanation"))
    shown: list[Evidence] = []
    withheld: list[tuple[str, Withheld]] = []
    for item in items:
        comparison = str(item.get("comparison"))
        field_name = COMPARISON_FIELDS.get(comparison, "")
        if field_name is None:
            shown.append(Evidence(comparison, str(item.get("level")), float(item.get("weight") or 0.0)))
            continue
        if not field_name:
            withheld.append((comparison, Withheld(RedactionReason.UNCATEGORISED_FIELD, "uncategorised")))
            continue
        blocked = next((d for d in (_field_decision(r, field_name) for r in (a, b)) if not d.permitted), None)
        if blocked is not None:
            withheld.append((comparison, Withheld.of(blocked)))
        else:
            shown.append(Evidence(comparison, str(item.get("level")), float(item.get("weight") or 0.0)))
    if withheld:
        # The total would reveal what the withheld comparisons contributed.
        why = withheld[0][1]
        weight: float | Withheld = why
        probability: float | Withheld = why
    else:
        weight, probability = float(row["weight"]), float(row["probability"])
    return LinkView(a=a, b=b, weight=weight, probability=probability, evidence=tuple(shown),
                    withheld=tuple(withheld), rules=tuple(row.get("rules") or ()), cannot_link=row.get("cannot_link"))

