"""What resolution knows of each record: the normalised values it compares, read from the graph."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from sys import intern
from typing import TYPE_CHECKING, Any, TypeVar, cast

from graph_model.normalise import PartialDate, parse_date

if TYPE_CHECKING:
    from graph_model.records import PreparedRecord

__all__ = ["COLUMNS", "RecordFeatures", "SharedValues", "features_from_prepared", "features_from_record",
           "features_from_row", "features_from_values"]


@dataclass(slots=True)
class RecordFeatures:
    """One record's comparable values. Sets hold only usable values (valid, not placeholders)."""

    uid: str
    source: str
    given: str | None
    given_canon: str | None
    given_groups: frozenset[str]
    middle: str | None
    family: str | None
    family_parts: tuple[str, ...]
    family_phonetic: str | None
    dob: PartialDate
    sex: str | None
    recorded_at: str | None
    address_keys: frozenset[str]
    current_address: str | None
    postcodes: frozenset[str]  # valid UK postcodes ("LS6 2AB")
    address_history: tuple[tuple[str, str | None, str | None, str | None], ...]  # (key, postcode, from, to)
    mobiles: frozenset[str]
    landlines: frozenset[str]
    emails: frozenset[str]
    identifiers: Mapping[str, frozenset[str]]
    schools: frozenset[str]
    related: Mapping[str, str]  # other record uid -> relationship type (as seen from this record)
    # Postcodes that are not UK ones (abroad, BFPO, mistyped), as tokens compared only for equality.
    other_postcodes: frozenset[str] = frozenset()
    # The current address's street and locality when the address has no dwelling key (no house number:
    # see graph_model.records._keep_unkeyed_place), "|"-separated like a key; only ever "the same street".
    street_address: str | None = None

    @property
    def full_dob(self) -> bool:
        return self.dob.precision == "day" and self.dob.usable


_INVERSE = {"parent_of": "child_of", "child_of": "parent_of", "carer_of": "cared_for_by"}
_EMPTY: frozenset[str] = frozenset()
# Shared by every record without identifiers or relationships: read-only by contract, like all features.
_NO_IDENTIFIERS: dict[str, frozenset[str]] = {}
_NO_RELATIONSHIPS: dict[str, str] = {}


_T = TypeVar("_T")


def _shared(value: str | None) -> str | None:
    return None if value is None else intern(value)


class SharedValues:
    """One object for each distinct immutable value across the records of one read.

    Most values repeat: a household's members share address keys, postcodes and landlines, a name's
    holders share its groups and parts, a person's records share identifiers. Python builds a new
    object for every value read (a frozenset of one value is 216 bytes), so a million records' features
    were mostly copies; one shared object per distinct value (equal, so every comparison, set operation
    and lookup gives the same answer) took 20k synthetic records' features from 2.9 KB to 1.3 KB a
    record (read as the driver gives them, every value a new string). Only for values nothing mutates:
    frozensets, tuples, strings, parsed dates, and identifier mappings (read-only by contract).

    ``derive`` keeps what was built from each distinct list a record read (its addresses, phones,
    identifiers) by that list's values: the members of a household read the same lists, and building
    the sets again for each (sorting, interning, a frozenset per field) was most of the read's Python.
    """

    __slots__ = ("dates", "derived", "identifiers", "values")

    def __init__(self) -> None:
        self.values: dict[Any, Any] = {}
        self.dates: dict[Any, PartialDate] = {}
        self.identifiers: dict[tuple[tuple[str, frozenset[str]], ...], dict[str, frozenset[str]]] = {}
        self.derived: dict[Any, Any] = {}

    def one(self, value: Any) -> Any:
        """The shared object equal to ``value`` (a frozenset, tuple or string)."""
        return self.values.setdefault(value, value)

    def derive(self, key: Any, build: Callable[..., _T], *args: Any) -> _T:
        """What ``build(*args)`` gave for ``key`` the first time it was asked (``key`` names ``args``' values)."""
        built = self.derived.get(key)
        if built is None:
            built = self.derived[key] = build(*args)
        return cast(_T, built)

    def date(self, value: Any) -> PartialDate:
        parsed = self.dates.get(value)
        if parsed is None:
            parsed = self.dates[value] = parse_date(value)
        return parsed

    def mapping(self, value: dict[str, frozenset[str]]) -> dict[str, frozenset[str]]:
        """The shared mapping equal to ``value`` (scheme -> values), its value sets shared too."""
        value = {scheme: self.one(values) for scheme, values in value.items()}
        return self.identifiers.setdefault(tuple(sorted(value.items())), value)


class _Unshared(SharedValues):
    """Every value its own object (a single record: nothing to share)."""

    __slots__ = ()

    def one(self, value: Any) -> Any:
        return value

    def derive(self, key: Any, build: Callable[..., _T], *args: Any) -> _T:
        return build(*args)

    def date(self, value: Any) -> PartialDate:
        return parse_date(value)

    def mapping(self, value: dict[str, frozenset[str]]) -> dict[str, frozenset[str]]:
        return value


_UNSHARED = _Unshared()


# The columns of ``resolve/fetch_records`` (and ``fetch_records_by_uid``), in order.
COLUMNS = ("uid", "source", "given", "given_canon", "given_groups", "middle", "family", "family_parts", "family_phonetic",
           "dob", "sex", "recorded_at", "addresses", "phones", "emails", "identifiers", "schools", "related",
           "street_address", "unkeyed_postcodes")


def features_from_row(row: Mapping[str, Any]) -> RecordFeatures:
    """Build features from one ``resolve/fetch_records`` row (or an equivalent mapping)."""
    return features_from_values([row.get(column) for column in COLUMNS])


def features_from_values(values: Sequence[Any], shared: SharedValues = _UNSHARED) -> RecordFeatures:
    """Build features from one ``resolve/fetch_records`` row's values, in COLUMNS order (a full run
    reads hundreds of thousands of rows: positions, not per-row dictionaries).

    ``shared``: the distinct values of one read (see :class:`SharedValues`), so that records holding
    equal values hold one object."""
    (uid, source, given, given_canon, given_groups, middle, family, family_parts, family_phonetic, dob, sex,
     recorded_at, addresses, phones, emails, identifier_pairs, schools, related_rows, street_address,
     unkeyed_postcodes) = values
    # Names, sources and places repeat across records: one shared string each keeps a million records'
    # features in memory (the driver makes a new string for every value it reads). Not recorded_at: nearly
    # every record has its own.
    one = shared.one
    places: _Places = _NO_PLACES
    if addresses:
        places = shared.derive(tuple(map(tuple, addresses)), _places, addresses, one)
    history, current, address_keys, postcodes, other_postcodes = places
    identifiers: Mapping[str, frozenset[str]] = _NO_IDENTIFIERS
    if identifier_pairs:
        identifiers = shared.derive(("identifiers", tuple(map(tuple, identifier_pairs))), _identifiers,
                                    identifier_pairs, shared)
    mobiles, landlines = _EMPTY, _EMPTY
    if phones:
        mobiles, landlines = shared.derive(("phones", tuple(map(tuple, phones))), _phones, phones, one)
    related: Mapping[str, str] = _NO_RELATIONSHIPS
    if related_rows:
        # A related record's uid is the same string as that record's own uid (both go through ``one``).
        related = {one(other): intern(kind if outgoing else _INVERSE.get(kind, kind))
                   for other, kind, outgoing in related_rows}
    if unkeyed_postcodes:
        # Postcodes of addresses without a dwelling key place the person all the same. A UK postcode is
        # stored normalised with its space ("LS6 2AB"); another postal code token never has one.
        postcodes = one(postcodes | {p for p in unkeyed_postcodes if " " in p})
        other_postcodes = one(other_postcodes | {p for p in unkeyed_postcodes if " " not in p})
    return RecordFeatures(
        uid=one(uid),
        source=intern(source),
        given=_shared(given),
        given_canon=_shared(given_canon),
        given_groups=one(frozenset(given_groups)) if given_groups else _EMPTY,
        middle=_shared(middle),
        family=_shared(family),
        family_parts=one(tuple(family_parts)) if family_parts else (),
        family_phonetic=_shared(family_phonetic),
        dob=shared.date(dob),
        sex=sex if sex in ("M", "F") else None,
        recorded_at=recorded_at,
        address_keys=address_keys,
        current_address=current,
        postcodes=postcodes,
        address_history=history,
        mobiles=mobiles,
        landlines=landlines,
        emails=one(frozenset(emails)) if emails else _EMPTY,
        identifiers=identifiers,
        schools=one(frozenset(schools)) if schools else _EMPTY,
        related=related,
        other_postcodes=other_postcodes,
        street_address=_shared(street_address),
    )


# A record's places from its addresses: history (newest first), current address key, address keys, UK postcodes
# and other postal codes.
_Places = tuple[tuple[tuple[str, str | None, str | None, str | None], ...], str | None, frozenset[str],
                frozenset[str], frozenset[str]]
_NO_PLACES: _Places = ((), None, _EMPTY, _EMPTY, _EMPTY)


def _places(addresses: Sequence[Sequence[Any]], one: Callable[[Any], Any]) -> _Places:
    """Rows of [key, postcode, other_postcode, from, to, current], as resolve/fetch_records reads them."""
    history = one(tuple(sorted((one((intern(key), _shared(postcode), _shared(start), _shared(end)))
                                for key, postcode, _other, start, end, _current in addresses),
                               key=lambda a: (a[3] is None, a[2] or ""), reverse=True)))
    current = next((row[0] for row in addresses if row[5]), None)
    if current is None and history[0][3] is None:
        current = history[0][0]
    return (history, _shared(current), one(frozenset(a[0] for a in history)),
            one(frozenset(a[1] for a in history if a[1])), one(frozenset(row[2] for row in addresses if row[2])))


def _identifiers(pairs: Sequence[Sequence[str]], shared: SharedValues) -> Mapping[str, frozenset[str]]:
    grouped: dict[str, set[str]] = {}
    for scheme, value in pairs:
        grouped.setdefault(scheme, set()).add(value)
    return shared.mapping({intern(k): frozenset(v) for k, v in grouped.items()})


def _phones(phones: Sequence[Sequence[str]], one: Callable[[Any], Any]) -> tuple[frozenset[str], frozenset[str]]:
    return (one(frozenset(p for p, kind in phones if kind == "mobile")),
            one(frozenset(p for p, kind in phones if kind != "mobile")))


def features_from_record(record: Mapping[str, Any]) -> RecordFeatures:
    """Features of a canonical record without a database: the same normalisation as ingest and the
    same selection as ``resolve/fetch_records`` (valid identifiers, no placeholder addresses). For
    tests and for estimating the shipped default model from synthetic records."""
    from graph_model.records import prepare

    return features_from_prepared(prepare(dict(record)))


def features_from_prepared(prepared: PreparedRecord) -> RecordFeatures:
    """Features of a normalised record that is not stored (real-time matching), as the graph would give them."""
    props = prepared.props
    return features_from_row({
        "uid": prepared.uid, "source": prepared.source, "given": props.get("given_norm"),
        "given_canon": props.get("given_canon"), "given_groups": props.get("given_groups"),
        "middle": props.get("middle_norm"), "family": props.get("family_norm"),
        "family_parts": props.get("family_parts"), "family_phonetic": props.get("family_phonetic"),
        "dob": props.get("dob"), "sex": props.get("sex"), "recorded_at": props.get("recorded_at"),
        "addresses": [[a["key"], a["node"]["postcode"], a["node"].get("other_postcode"), a["from"], a["to"],
                       a["current"]] for a in prepared.addresses if not a["node"].get("placeholder")],
        "phones": [[p["e164"], p["kind"]] for p in prepared.phones],
        "emails": [e["address"] for e in prepared.emails],
        "identifiers": [[i["scheme"], i["value"]] for i in prepared.identifiers if i["valid"]],
        "schools": [prepared.school["urn"]] if prepared.school else [],
        "related": [[r["target_uid"], r["type"], True] for r in prepared.relationships],
        "street_address": props.get("street_address"), "unkeyed_postcodes": props.get("unkeyed_postcodes"),
    })
