"""What resolution knows of each record: the normalised values it compares, read from the graph."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from graph_model.normalise import PartialDate, parse_date

__all__ = ["RecordFeatures", "features_from_record", "features_from_row"]


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
    postcodes: frozenset[str]
    address_history: tuple[tuple[str, str | None, str | None, str | None], ...]  # (key, postcode, from, to)
    mobiles: frozenset[str]
    landlines: frozenset[str]
    emails: frozenset[str]
    identifiers: Mapping[str, frozenset[str]]
    schools: frozenset[str]
    related: Mapping[str, str]  # other record uid -> relationship type (as seen from this record)
    given_raw: str | None = None  # as the agency wrote it, for the golden record
    family_raw: str | None = None

    @property
    def full_dob(self) -> bool:
        return self.dob.precision == "day" and self.dob.usable


_INVERSE = {"parent_of": "child_of", "child_of": "parent_of", "carer_of": "cared_for_by"}


def features_from_row(row: Mapping[str, Any]) -> RecordFeatures:
    """Build features from one ``resolve/fetch_records`` row (or an equivalent mapping)."""
    addresses: Iterable[Mapping[str, Any]] = row.get("addresses") or []
    history = tuple(sorted(((a["key"], a.get("postcode"), a.get("from"), a.get("to")) for a in addresses),
                           key=lambda a: (a[3] is None, a[2] or ""), reverse=True))
    current = next((a["key"] for a in addresses if a.get("current")), None)
    if current is None and history and history[0][3] is None:
        current = history[0][0]
    identifiers: dict[str, set[str]] = {}
    for scheme, value in row.get("identifiers") or []:
        identifiers.setdefault(scheme, set()).add(value)
    phones = row.get("phones") or []
    related: dict[str, str] = {}
    for other, kind, outgoing in row.get("related") or []:
        related[other] = kind if outgoing else _INVERSE.get(kind, kind)
    return RecordFeatures(
        uid=row["uid"],
        source=row["source"],
        given=row.get("given"),
        given_canon=row.get("given_canon"),
        given_groups=frozenset(row.get("given_groups") or ()),
        middle=row.get("middle"),
        family=row.get("family"),
        family_parts=tuple(row.get("family_parts") or ()),
        family_phonetic=row.get("family_phonetic"),
        dob=parse_date(row.get("dob")),
        sex=row.get("sex") if row.get("sex") in ("M", "F") else None,
        recorded_at=row.get("recorded_at"),
        address_keys=frozenset(a[0] for a in history),
        current_address=current,
        postcodes=frozenset(a[1] for a in history if a[1]),
        address_history=history,
        mobiles=frozenset(p for p, kind in phones if kind == "mobile"),
        landlines=frozenset(p for p, kind in phones if kind != "mobile"),
        emails=frozenset(row.get("emails") or ()),
        identifiers={k: frozenset(v) for k, v in identifiers.items()},
        schools=frozenset(row.get("schools") or ()),
        related=related,
        given_raw=row.get("given_raw"),
        family_raw=row.get("family_raw"),
    )


def features_from_record(record: Mapping[str, Any]) -> RecordFeatures:
    """Features of a canonical record without a database: the same normalisation as ingest and the
    same selection as ``resolve/fetch_records`` (valid identifiers, no placeholder addresses). For
    tests and for estimating the shipped default model from synthetic records."""
    from graph_model.records import prepare

    prepared = prepare(dict(record))
    props = prepared.props
    return features_from_row({
        "uid": prepared.uid, "source": prepared.source, "given": props.get("given_norm"),
        "given_canon": props.get("given_canon"), "given_groups": props.get("given_groups"),
        "middle": props.get("middle_norm"), "family": props.get("family_norm"),
        "family_parts": props.get("family_parts"), "family_phonetic": props.get("family_phonetic"),
        "dob": props.get("dob"), "sex": props.get("sex"), "recorded_at": props.get("recorded_at"),
        "given_raw": props.get("given_name"), "family_raw": props.get("family_name"),
        "addresses": [{"key": a["key"], "postcode": a["node"]["postcode"], "from": a["from"], "to": a["to"],
                       "current": a["current"]} for a in prepared.addresses if not a["node"].get("placeholder")],
        "phones": [[p["e164"], p["kind"]] for p in prepared.phones],
        "emails": [e["address"] for e in prepared.emails],
        "identifiers": [[i["scheme"], i["value"]] for i in prepared.identifiers if i["valid"]],
        "schools": [prepared.school["urn"]] if prepared.school else [],
        "related": [[r["target_uid"], r["type"], True] for r in prepared.relationships],
    })
