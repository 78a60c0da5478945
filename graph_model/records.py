"""The canonical record schema, its validation, and its normalised graph form.

A canonical record is one agency's record of one person (JSON Lines, one object per line)::

    source, source_id (required), given_name, middle_names, family_name, dob, sex,
    addresses [{line1, line2, town, postcode, from, to}], phones [..], emails [..],
    identifiers {scheme: value}, school {urn, name}, relationships [{type, source_id}],
    recorded_at

Unknown extra fields are kept (as JSON in ``extra``). :func:`prepare` turns a raw mapping into a
:class:`PreparedRecord`: the node properties and the shared-identifier links to write, plus warnings
for values kept but flagged (stored raw, never used for matching). A record that cannot be used at
all raises :class:`RecordRejected` with the reason.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import orjson

from graph_model.errors import InputError
from graph_model.normalise import (
    canonical_given_name,
    clean_family_name,
    clean_given_name,
    clean_name,
    family_name_parts,
    given_name_groups,
    normalise_address,
    normalise_email,
    normalise_identifier,
    normalise_phone,
    normalise_postcode,
    parse_date,
    phonetic_key,
)
from graph_model.pickling import fast_pickling

__all__ = [
    "CANONICAL_FIELDS",
    "RELATIONSHIP_TYPES",
    "PreparedRecord",
    "RecordRejected",
    "prepare",
    "record_uid",
]

CANONICAL_FIELDS = frozenset(
    {
        "source", "source_id", "given_name", "middle_names", "family_name", "dob", "sex",
        "addresses", "phones", "emails", "identifiers", "school", "relationships", "recorded_at",
    }
)
RELATIONSHIP_TYPES = frozenset({"parent_of", "child_of", "sibling_of", "partner_of", "carer_of", "other"})
_SEX = {"M": "M", "F": "F", "U": "U", "MALE": "M", "FEMALE": "F", "UNKNOWN": "U", "1": "M", "2": "F", "0": "U",
        "9": "U", "X": "U", "O": "U", "OTHER": "U", "NOT KNOWN": "U", "NOT SPECIFIED": "U"}


class RecordRejected(InputError):
    """A record that cannot be stored; ``reason`` is a short code, the message explains it."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


def record_uid(source: str, source_id: str) -> str:
    """The graph key of a record: unique across agencies."""
    return f"{source}:{source_id}"


@fast_pickling
@dataclass(slots=True)
class PreparedRecord:
    """What one record becomes in the graph."""

    uid: str
    source: str
    source_id: str
    props: dict[str, Any]
    addresses: list[dict[str, Any]] = field(default_factory=list)
    phones: list[dict[str, Any]] = field(default_factory=list)
    emails: list[dict[str, Any]] = field(default_factory=list)
    identifiers: list[dict[str, Any]] = field(default_factory=list)
    school: dict[str, Any] | None = None
    relationships: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _text(raw: Mapping[str, Any], key: str) -> str | None:
    value = raw.get(key)
    if type(value) is str:  # most values: tested first
        return value.strip() or None
    if value is None:
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise RecordRejected("bad_type", f"field {key!r} must be a string, got {type(value).__name__}")
    value = value.strip()
    return value or None


def _list(raw: Mapping[str, Any], key: str, item: type | tuple[type, ...]) -> list[Any]:
    value = raw.get(key)
    if value is None or (type(value) is list and not value):  # absent or empty (most emails and relationships)
        return []
    kinds = item if isinstance(item, tuple) else (item,)
    if isinstance(value, str) and str in kinds:
        return [value]  # a single phone or email given as a string is unambiguous
    if not isinstance(value, list):
        raise RecordRejected("bad_type", f"field {key!r} must be a list, got {type(value).__name__}")
    for element in value:
        if element is not None and not isinstance(element, item):
            names = "/".join(t.__name__ for t in kinds)
            raise RecordRejected("bad_type", f"every item of {key!r} must be a {names}")
    return [v for v in value if v is not None]


def _keep_unkeyed_place(address: Any, item: Mapping[str, Any], unkeyed: dict[str, Any]) -> None:
    """What an address without a dwelling key still says about where the person lives.

    An address gets no key when it cannot pick out one dwelling: a street without a house number or
    building outside a UK postcode ("Studley Street, Riverwood"), or a postcode alone. It is no Address
    node (that would make neighbours one household), but leaving it out entirely left such records with
    no location evidence at all. Kept on the record instead, for resolution only:
    ``unkeyed_postcodes``, the postcode (UK, normalised "LS6 2AB") or other postal code token ("4869",
    never with a space), compared like a keyed address's postcode; ``street_address``, for a current
    address (no end date), the street and its locality (town, else the postal code token) in the same
    "|"-separated shape as a key, compared only as "the same street" (resolvers.comparisons), never as
    the same dwelling."""
    if address.postcode or address.other_postcode:
        unkeyed["unkeyed_postcodes"].add(address.postcode or address.other_postcode)
    name = address.street or address.building
    locality = address.town or address.other_postcode
    if name and locality and unkeyed["street_address"] is None and not _text(item, "to"):
        unkeyed["street_address"] = f"{name}|{address.number or ''}|{address.flat or ''}|{locality}"


def prepare(raw: Any) -> PreparedRecord:
    """Validate and normalise one canonical record. Raises :class:`RecordRejected`."""
    # A dict (what JSON gives) is tested first: the Mapping test goes through the ABC machinery (~0.1 us, a few
    # times a record).
    if type(raw) is not dict and not isinstance(raw, Mapping):
        raise RecordRejected("not_an_object", f"a record must be a JSON object, got {type(raw).__name__}")
    source = _text(raw, "source")
    source_id = _text(raw, "source_id")
    if not source:
        raise RecordRejected("missing_source", "required field 'source' is missing or empty")
    if not source_id:
        raise RecordRejected("missing_source_id", "required field 'source_id' is missing or empty")
    source = source.lower()
    warnings: list[str] = []

    given_raw, middle_raw, family_raw = _text(raw, "given_name"), _text(raw, "middle_names"), _text(raw, "family_name")
    given, family = clean_given_name(given_raw), clean_family_name(family_raw)
    middle = clean_name(middle_raw)

    identifiers_raw = raw.get("identifiers") or {}
    if type(identifiers_raw) is not dict and not isinstance(identifiers_raw, Mapping):
        raise RecordRejected("bad_type", "field 'identifiers' must be an object {scheme: value}")
    identifiers: list[dict[str, Any]] = []
    seen_ids: set[str] = set()
    for scheme, value in identifiers_raw.items():
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        if not isinstance(value, (str, int)):
            raise RecordRejected("bad_type", f"identifier {scheme!r} must be a string")
        ident = normalise_identifier(str(scheme), str(value))
        if ident.value is None:
            warnings.append(f"identifier:{ident.scheme}:{ident.reason or 'unusable'}")
            continue
        if not ident.valid:
            warnings.append(f"identifier:{ident.scheme}:{ident.reason or 'invalid'}")
        key = f"{ident.scheme}:{ident.value}"
        if key not in seen_ids:
            seen_ids.add(key)
            identifiers.append({"key": key, "scheme": ident.scheme, "value": ident.value, "valid": ident.valid})

    if not (given or family or given_raw or family_raw) and not identifiers:
        raise RecordRejected("no_name_or_identifier", "a record needs at least a name or an identifier")

    dob = parse_date(_text(raw, "dob"))
    if dob.flag:
        warnings.append(f"dob:{dob.flag}")

    sex_raw = _text(raw, "sex")
    sex = _SEX.get(sex_raw.upper()) if sex_raw else None
    if sex_raw and sex is None:
        warnings.append("sex:unrecognised")

    record_uprn = next((i["value"] for i in identifiers if i["scheme"] == "uprn"), None)
    addresses: dict[str, dict[str, Any]] = {}
    unkeyed: dict[str, Any] = {"street_address": None, "unkeyed_postcodes": set()}
    for item in _list(raw, "addresses", dict):
        line1, line2, town = _text(item, "line1"), _text(item, "line2"), _text(item, "town")
        postcode_raw = _text(item, "postcode")
        # The key stays postcode-based so that agencies without a UPRN meet on the same node; a UPRN
        # (housing) is kept on the node, and is the key only when nothing else identifies the address.
        item_uprn = _text(item, "uprn")
        if item_uprn:
            item_uprn = normalise_identifier("uprn", item_uprn).value  # same form as the identifier node
        uprn = item_uprn or (record_uprn if len(raw.get("addresses") or []) == 1 else None)
        address = normalise_address(line1, line2, town, postcode_raw)
        if address.key is None and uprn:
            address = normalise_address(line1, line2, town, postcode_raw, uprn=uprn)
        if postcode_raw and not normalise_postcode(postcode_raw).valid:
            warnings.append("postcode:invalid")
        if address.key is None:
            if line1 or postcode_raw:
                warnings.append("address:unusable")
            if not address.placeholder:
                _keep_unkeyed_place(address, item, unkeyed)
            continue
        valid_from, valid_to = parse_date(_text(item, "from")), parse_date(_text(item, "to"))
        link: dict[str, Any] = {
            "key": address.key,
            "node": {
                "key": address.key, "flat": address.flat, "number": address.number,
                "building": address.building, "street": address.street, "town": address.town,
                "postcode": address.postcode, "other_postcode": address.other_postcode,
                "placeholder": address.placeholder,
                "display": address.raw, "uprn": uprn,
            },
            "from": valid_from.value, "to": valid_to.value,
        }
        if address.placeholder:
            warnings.append("address:placeholder")
        previous = addresses.get(address.key)
        if previous is None or (previous["to"] is not None and link["to"] is None):
            addresses[address.key] = link
    # The current address is the one with no end date, latest start first (one address, as most records have,
    # needs no ordering).
    address_links = (sorted(addresses.values(), key=lambda a: (a["to"] is None, a["from"] or ""), reverse=True)
                     if len(addresses) > 1 else list(addresses.values()))
    for index, link in enumerate(address_links):
        link["current"] = index == 0 and link["to"] is None

    phones: dict[str, dict[str, Any]] = {}
    for value in _list(raw, "phones", (str, int)):
        phone = normalise_phone(str(value))
        if phone.placeholder:
            warnings.append("phone:placeholder")
        elif phone.e164 is None:
            warnings.append("phone:unparseable")
        else:
            phones.setdefault(phone.e164, {"e164": phone.e164, "kind": phone.kind})

    emails: dict[str, dict[str, Any]] = {}
    for value in _list(raw, "emails", str):
        email = normalise_email(value)
        if email.placeholder:
            warnings.append("email:placeholder")
        elif email.value is None or not email.valid:
            warnings.append("email:invalid")
        else:
            emails.setdefault(email.value, {"address": email.value})

    school = None
    school_raw = raw.get("school")
    if school_raw is not None:
        if type(school_raw) is not dict and not isinstance(school_raw, Mapping):
            raise RecordRejected("bad_type", "field 'school' must be an object {urn, name}")
        urn = _text(school_raw, "urn")
        if urn and urn.isdigit() and len(urn) == 6:
            school = {"urn": urn, "name": _text(school_raw, "name")}
        elif urn:
            warnings.append("school:invalid_urn")

    relationships: list[dict[str, Any]] = []
    for item in _list(raw, "relationships", dict):
        kind, target = (_text(item, "type") or "other").lower(), _text(item, "source_id")
        if not target:
            warnings.append("relationship:missing_source_id")
            continue
        if kind not in RELATIONSHIP_TYPES:
            warnings.append("relationship:unknown_type")
            kind = "other"
        if target != source_id:
            relationships.append({"type": kind, "target_uid": record_uid(source, target), "target_source_id": target})

    extra = {k: v for k, v in raw.items() if k not in CANONICAL_FIELDS}
    uid = record_uid(source, source_id)
    props: dict[str, Any] = {
        "uid": uid,
        "source": source,
        "source_id": source_id,
        "given_name": given_raw,
        "middle_names": middle_raw,
        "family_name": family_raw,
        "given_norm": given,
        "middle_norm": middle,
        "family_norm": family,
        "given_canon": canonical_given_name(given),
        "given_groups": sorted(given_name_groups(given)),
        "family_parts": list(family_name_parts(family)),
        "given_phonetic": phonetic_key(given),
        "family_phonetic": phonetic_key(family),
        "dob": dob.value if dob.usable else None,
        "dob_raw": dob.raw,
        "dob_precision": dob.precision if dob.usable else None,
        "dob_flag": dob.flag,
        "sex": sex,
        "recorded_at": _text(raw, "recorded_at"),
        "extra": orjson.dumps(extra, option=orjson.OPT_SORT_KEYS).decode() if extra else None,
        "flags": sorted(set(warnings)),
        "street_address": unkeyed["street_address"],
        "unkeyed_postcodes": sorted(unkeyed["unkeyed_postcodes"]),
    }
    # Absent values and empty lists are not stored (every list here is a plain list: the test is its length).
    props = {k: v for k, v in props.items() if v is not None and (type(v) is not list or v)}
    prepared = PreparedRecord(
        uid=uid, source=source, source_id=source_id, props=props,
        addresses=address_links, phones=list(phones.values()), emails=list(emails.values()),
        identifiers=identifiers, school=school, relationships=relationships, warnings=warnings,
    )
    prepared.props["content_hash"] = content_hash(prepared)
    return prepared


def content_hash(record: PreparedRecord) -> str:
    """A digest of everything stored for a record, to tell an update from an unchanged re-ingest."""
    payload = orjson.dumps(
        [record.props, record.addresses, record.phones, record.emails, record.identifiers, record.school,
         record.relationships],
        option=orjson.OPT_SORT_KEYS,
    )
    return hashlib.blake2b(payload, digest_size=16).hexdigest()
