"""Children in Need (CIN) census XML, the DfE statutory return councils produce from their social care system.

The census carries ids and dates only (no names, no addresses), so its records have identifiers and a
date of birth; the canonical schema accepts a record with an identifier and no name.

=======================================  ===============================================================
CIN census                               canonical record
=======================================  ===============================================================
Header/Source/LEA, ChildIdentifiers/     ``source_id`` ``cin/<LEA>/<LAchildID>`` (namespaced so that a census
LAchildID                                record never overwrites the same child's SSD/case-system record,
                                         which has the names); ``identifiers.la_child_id`` ``<LEA>/<id>``
UPN                                      ``identifiers.upn`` (check letter validated when prepared)
FormerUPN, UPNunknown                    ``former_upn``, ``upn_unknown``
PersonBirthDate                          ``dob``; ExpectedPersonBirthDate ``expected_dob`` (unborn child)
GenderCurrent (1/2/0/9) or Sex           ``sex``
PersonDeathDate                          ``death_date``
CINdetails referral/closure dates        ``cin_episodes`` [{referral_date, closure_date}]
Header CollectionDetails Year,           ``census_year``, ``census_reference_date``
ReferenceDate
=======================================  ===============================================================

Nothing else is read: needs codes, disabilities, assessments and plans are case information, not
identity, and stay in the case system. A Child without an LAchildID is rejected with the reason; a file
that stops being well-formed loads the children before the break and reports it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from lxml import etree

from graph_model.adapters._common import (
    date_part,
    drop_empty,
    element_text,
    local_name,
    release,
    safe_iterparse,
    xml_child,
    xml_children,
    xml_text,
)
from graph_model.ingest.formats import Format, ReadOptions, register
from graph_model.ingest.readers import SourceItem

__all__ = ["read_cin", "sniff_cin"]

DEFAULT_SOURCE = "social_care"
_SEX = {"1": "M", "2": "F", "0": "U", "9": "U", "M": "M", "F": "F", "U": "U"}


def read_cin(path: Path, options: ReadOptions) -> Iterator[SourceItem]:
    """Stream canonical records (one per Child) from a CIN census XML file."""
    source = options.source or DEFAULT_SOURCE
    header: dict[str, Any] = {}
    seen_root = False
    context = safe_iterparse(path)
    try:
        for event, element in context:
            name = local_name(element.tag)
            if event == "start":
                if not seen_root:
                    seen_root = True
                    if name != "Message":
                        yield SourceItem(element.sourceline or 1, error="not a CIN census file: the root "
                                                                        f"element is {name!r}, not Message")
                        return
                continue
            if name == "Header":
                header = _header(element)
            elif name == "Child":
                yield _child_item(element, header, source)
                release(element)
    except etree.XMLSyntaxError as exc:
        line = exc.lineno or 0
        message = str(exc.msg or exc).splitlines()[0][:200]
        yield SourceItem(line, error=f"XML is not well-formed at line {line}: {message}; "
                                     "nothing after that point was read", text=None)
        return
    if not seen_root:
        yield SourceItem(1, error="the file holds no XML element", text=None)


def _header(element: etree._Element) -> dict[str, Any]:
    collection = xml_child(element, "CollectionDetails")
    return {
        "lea": xml_text(element, "Source", "LEA"),
        "collection": xml_text(collection, "Collection"),
        "year": xml_text(collection, "Year"),
        "reference_date": xml_text(collection, "ReferenceDate"),
    }


def _child_item(child: etree._Element, header: dict[str, Any], source: str) -> SourceItem:
    line = child.sourceline or 0
    ids = xml_child(child, "ChildIdentifiers")
    la_child_id = xml_text(ids, "LAchildID")
    if la_child_id is None:
        return SourceItem(line, error="Child has no ChildIdentifiers/LAchildID to key it by",
                          text=element_text(child))
    lea = header.get("lea")
    scoped = f"{lea}/{la_child_id}" if lea else la_child_id
    episodes = [
        drop_empty({"referral_date": date_part(xml_text(details, "CINreferralDate")),
                    "closure_date": date_part(xml_text(details, "CINclosureDate"))})
        for details in xml_children(child, "CINdetails")
    ]
    record = {
        "source": source,
        "source_id": f"cin/{scoped}",
        "dob": date_part(xml_text(ids, "PersonBirthDate")),
        "sex": _sex(xml_text(ids, "GenderCurrent") or xml_text(ids, "Sex")),
        "identifiers": drop_empty({"la_child_id": scoped, "upn": xml_text(ids, "UPN")}),
        "former_upn": xml_text(ids, "FormerUPN"),
        "upn_unknown": xml_text(ids, "UPNunknown"),
        "expected_dob": date_part(xml_text(ids, "ExpectedPersonBirthDate")),
        "death_date": date_part(xml_text(ids, "PersonDeathDate")),
        "cin_episodes": [e for e in episodes if e],
        "census_year": header.get("year"),
        "census_reference_date": header.get("reference_date"),
    }
    return SourceItem(line, record=drop_empty(record))


def _sex(code: str | None) -> str | None:
    """CIN GenderCurrent 1 male, 2 female, 0 not known, 9 not specified; newer returns write M/F/U."""
    if code is None:
        return None
    return _SEX.get(code.upper(), code)


def sniff_cin(path: Path, head: bytes) -> bool:
    """A CIN census: XML with a ``Message`` root naming the CIN collection (or holding ``Children``)."""
    return b"<Message" in head and (b"<Collection>CIN" in head or b"<Children" in head)


register(Format(
    name="cin",
    description="Children in Need census XML (ids and dates only; names are absent)",
    default_source=DEFAULT_SOURCE,
    maps="LA child id, UPN (check letter), former UPN, DOB, sex, expected DOB, death date, CIN referral/"
         "closure dates; records carry identifiers and no names",
    read=read_cin,
    sniff=sniff_cin,
))
