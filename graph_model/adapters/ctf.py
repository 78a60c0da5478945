"""DfE Common Transfer File (CTF) XML: pupils and their contacts, as school MIS (SIMS, Arbor...) export them.

Each ``Pupil`` becomes a record and each family ``Contact`` of that pupil another record linked to it:

=================================  ======================================================================
CTF                                canonical record
=================================  ======================================================================
Header/SourceSchool LEA + Estab    scope of ``source_id``: pupil ``<LEA><Estab>/<UPN>``, contact
                                   ``<pupil id>/contact/<Order>`` (CTF contacts carry no id of their own)
Header/SourceSchool URN, name      ``school`` {urn, name} of every pupil
UPN                                ``identifiers.upn`` (check letter validated when prepared: an
                                   invalid one is kept but flagged)
UniqueLearnerNumber                ``identifiers.uln``; UCI to ``uci``
Forename, BasicDetails/MiddleNames,
Surname                            ``given_name``, ``middle_names``, ``family_name``
BasicDetails/Preferred*, Former*   ``aliases`` [{given_name, family_name, use: preferred|former}]
BasicDetails/FormerUPN             ``former_upn`` (+ ``former_upn_valid: false`` when its check letter
                                   is wrong)
DOB, Sex (or Gender)               ``dob``, ``sex``
Address (BS7666 or AddressLines)   ``addresses`` (UPRN kept); a contact's ``AddressAsPupil`` copies
                                   the pupil's address
Phones/Phone/PhoneNo, Email        ``phones``, ``emails``
Contact Relationship               contact ``relationships`` [{type, source_id: pupil}]: PAR/MOT/FAT/STP
                                   parent_of; CAR/FOS/FOF/FOM carer_of; any other family code carer_of
                                   when the contact has parental ``Responsibility``, else other.
                                   Professional contacts (DOC doctor, SWR social worker, CHM
                                   childminder) are not people of the family: not loaded, their codes
                                   listed in the pupil's ``contacts_not_loaded``
=================================  ======================================================================

The Header and each Pupil are validated against ``schemas/ctf-subset.xsd`` (mashgraph's own schema of
the elements it reads; the published DfE XSD is not shipped). A pupil that fails it is rejected with the
reason and its contacts with it; a Header that fails it rejects the file (its pupils' school would be
unknown). A file that stops being well-formed loads the pupils before the break and reports the break.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from lxml import etree

from graph_model.adapters._common import (
    clean,
    date_part,
    drop_empty,
    element_text,
    local_name,
    redact_xsd_message,
    release,
    safe_iterparse,
    xml_child,
    xml_children,
    xml_text,
)
from graph_model.ingest.formats import Format, ReadOptions, register
from graph_model.ingest.readers import SourceItem
from graph_model.normalise.identifiers import is_valid_upn

__all__ = ["ctf_schema", "read_ctf", "sniff_ctf"]

DEFAULT_SOURCE = "education"
_PARENT_CODES = frozenset({"PAR", "MOT", "FAT", "STP"})
_CARER_CODES = frozenset({"CAR", "FOS", "FOF", "FOM"})
_PROFESSIONAL_CODES = frozenset({"DOC", "SWR", "CHM"})
_PHONE_TYPES_SKIPPED = frozenset({"F"})  # fax


@cache
def ctf_schema() -> etree.XMLSchema:
    """The shipped CTF subset schema, compiled once."""
    text = resources.files("graph_model.adapters").joinpath("schemas/ctf-subset.xsd").read_bytes()
    return etree.XMLSchema(etree.fromstring(text))


def _schema_errors(element: etree._Element) -> str | None:
    schema = ctf_schema()
    try:
        if schema.validate(element):
            return None
    except etree.XMLSchemaValidateError:
        # libxml2 cannot validate some content, such as an unexpanded entity reference (entities are
        # never expanded here): such an element is not a CTF element we can trust.
        return "the element holds content the schema cannot check (an entity reference?)"
    errors = [f"line {error.line}: {redact_xsd_message(error.message)}" for error in schema.error_log][:3]
    return "; ".join(errors)


def read_ctf(path: Path, options: ReadOptions) -> Iterator[SourceItem]:
    """Stream canonical records (pupils, then each pupil's contacts) from a CTF XML file."""
    source = options.source or DEFAULT_SOURCE
    school: dict[str, Any] | None = None
    seen_root = False
    context = safe_iterparse(path)
    try:
        for event, element in context:
            name = local_name(element.tag)
            if event == "start":
                if not seen_root:
                    seen_root = True
                    if name != "CTfile":
                        yield SourceItem(element.sourceline or 1,
                                         error=f"not a Common Transfer File: the root element is {name!r}")
                        return
                continue
            if name == "Header":
                problem = _schema_errors(element)
                if problem:
                    yield SourceItem(element.sourceline or 1, text=element_text(element),
                                     error=f"CTF Header fails the CTF schema, so no pupil can be read: "
                                           f"{problem}")
                    return
                school = _school(element)
            elif name == "Pupil":
                line = element.sourceline or 0
                if school is None:
                    yield SourceItem(line, error="Pupil before the CTF Header: the school is unknown",
                                     text=element_text(element))
                else:
                    problem = _schema_errors(element)
                    if problem:
                        yield SourceItem(line, error=f"Pupil fails the CTF schema: {problem}",
                                         text=element_text(element))
                    else:
                        yield from _pupil_items(element, school, source)
                release(element)
    except etree.XMLSyntaxError as exc:
        line = exc.lineno or 0
        yield SourceItem(line, error=f"XML is not well-formed at line {line}: {_syntax_message(exc)}; "
                                     "nothing after that point was read", text=None)
        return
    if not seen_root:
        yield SourceItem(1, error="the file holds no XML element", text=None)


def _syntax_message(exc: etree.XMLSyntaxError) -> str:
    # libxml2 messages name tags and positions; keep only the first line and cap it.
    return str(exc.msg or exc).splitlines()[0][:200]


def _school(header: etree._Element) -> dict[str, Any]:
    source_school = xml_child(header, "SourceSchool")
    return {
        "lea": xml_text(source_school, "LEA"),
        "estab": xml_text(source_school, "Estab"),
        "urn": xml_text(source_school, "URN"),
        "name": xml_text(source_school, "SchoolName"),
        "ctf_version": xml_text(header, "CTFversion"),
    }


def _pupil_items(pupil: etree._Element, school: dict[str, Any], source: str) -> Iterator[SourceItem]:
    upn = xml_text(pupil, "UPN")
    pupil_id = f"{school['lea']}{school['estab']}/{upn}"
    basic = xml_child(pupil, "BasicDetails")
    address = _address(xml_child(pupil, "Address"))
    record: dict[str, Any] = {
        "source": source,
        "source_id": pupil_id,
        "given_name": xml_text(pupil, "Forename"),
        "middle_names": xml_text(basic, "MiddleNames"),
        "family_name": xml_text(pupil, "Surname"),
        "dob": date_part(xml_text(pupil, "DOB")),
        "sex": xml_text(pupil, "Sex") or xml_text(pupil, "Gender"),
        "addresses": [address] if address else [],
        "phones": _phones(pupil),
        "emails": [e for e in (xml_text(pupil, "Email"),) if e],
        "identifiers": drop_empty({"upn": upn, "uln": xml_text(pupil, "UniqueLearnerNumber")}),
        "school": drop_empty({"urn": school["urn"], "name": school["name"]}) if school["urn"] else None,
        "uci": xml_text(pupil, "UCI"),
        "aliases": _aliases(pupil, basic),
        "dfe_establishment": f"{school['lea']}/{school['estab']}",
    }
    former_upn = xml_text(basic, "FormerUPN")
    if former_upn:
        record["former_upn"] = former_upn
        if not is_valid_upn(former_upn):
            record["former_upn_valid"] = False
    contacts: list[tuple[int, dict[str, Any]]] = []
    not_loaded: list[str] = []
    for index, contact in enumerate(xml_children(xml_child(pupil, "Contacts"), "Contact"), start=1):
        code = (xml_text(contact, "Relationship") or "").upper()
        if code in _PROFESSIONAL_CODES:
            not_loaded.append(code)
            continue
        contacts.append((contact.sourceline or 0,
                         _contact(contact, index, code, pupil_id, address, source)))
    if not_loaded:
        record["contacts_not_loaded"] = not_loaded
    yield SourceItem(pupil.sourceline or 0, record=drop_empty(record))
    for line, contact_record in contacts:
        yield SourceItem(line, record=contact_record)


def _contact(contact: etree._Element, index: int, code: str, pupil_id: str,
             pupil_address: dict[str, Any] | None, source: str) -> dict[str, Any]:
    responsibility = (xml_text(contact, "Responsibility") or "").lower() in ("true", "1")
    if code in _PARENT_CODES:
        kind = "parent_of"
    elif code in _CARER_CODES or responsibility:
        kind = "carer_of"  # parental responsibility without being a parent: a carer for our purposes
    else:
        kind = "other"
    address_element = xml_child(contact, "Address")
    if (xml_text(address_element, "AddressAsPupil") or "").lower() in ("true", "1"):
        address = dict(pupil_address) if pupil_address else None
    else:
        address = _address(address_element)
    order = xml_text(contact, "Order") or str(index)
    return drop_empty({
        "source": source,
        "source_id": f"{pupil_id}/contact/{order}",
        "given_name": xml_text(contact, "Forename"),
        "middle_names": xml_text(contact, "MiddleNames"),
        "family_name": xml_text(contact, "Surname"),
        "sex": xml_text(contact, "Sex") or xml_text(contact, "Gender"),
        "addresses": [address] if address else [],
        "phones": _phones(contact),
        "emails": [e for e in (xml_text(contact, "Email"),) if e],
        "relationships": [{"type": kind, "source_id": pupil_id}],
        "title": xml_text(contact, "Title"),
        "relationship_code": code or None,
        "parental_responsibility": responsibility,
        "contact_order": int(order) if order.isdigit() else order,
    })


def _aliases(pupil: etree._Element, basic: etree._Element | None) -> list[dict[str, Any]]:
    given, family = xml_text(pupil, "Forename"), xml_text(pupil, "Surname")
    aliases = []
    for use, given_tag, family_tag in (("preferred", "PreferredForename", "PreferredSurname"),
                                       ("former", "FormerForename", "FormerSurname")):
        alias_given, alias_family = xml_text(basic, given_tag), xml_text(basic, family_tag)
        if not (alias_given or alias_family):
            continue
        if (alias_given or given, alias_family or family) == (given, family):
            continue  # the same as the legal name: no new evidence
        aliases.append({"given_name": alias_given or given, "family_name": alias_family or family,
                        "use": use})
    return aliases


def _address(element: etree._Element | None) -> dict[str, Any] | None:
    if element is None:
        return None
    bs7666 = xml_child(element, "BS7666Address")
    lines = xml_child(element, "AddressLines")
    result: dict[str, Any]
    if bs7666 is not None:
        saon, paon, street = xml_text(bs7666, "SAON"), xml_text(bs7666, "PAON"), xml_text(bs7666, "Street")
        # "Flat 2", "10", "High Street" -> "Flat 2, 10 High Street": the form the address key expects.
        street_part = " ".join(p for p in (paon, street) if p) or None
        result = {
            "line1": ", ".join(p for p in (saon, street_part) if p) or None,
            "line2": xml_text(bs7666, "Locality"),
            "town": xml_text(bs7666, "PostTown") or xml_text(bs7666, "Town"),
            "uprn": xml_text(bs7666, "UniquePropertyReferenceNumber"),
        }
    elif lines is not None:
        parts = [xml_text(lines, f"AddressLine{n}") for n in range(1, 6)]
        present = [p for p in parts if p]
        # Lines after the first are locality/town/county in some order; the last present one
        # (when there are three or more) is the town, as MIS exports lay them out.
        town = present[-1] if len(present) >= 3 else None
        middle = present[1:-1] if town else present[1:]
        result = {"line1": present[0] if present else None, "line2": ", ".join(middle) or None, "town": town}
    else:
        result = {}
    result["postcode"] = xml_text(element, "PostCode")
    result = drop_empty(result)
    return result if result.keys() & {"line1", "postcode"} else None


def _phones(element: etree._Element) -> list[str]:
    phones = []
    for phone in xml_children(xml_child(element, "Phones"), "Phone"):
        kind = (xml_text(phone, "TelephoneType") or "").upper()
        number = clean(xml_text(phone, "PhoneNo"))
        if number and kind not in _PHONE_TYPES_SKIPPED:
            phones.append(number)
    return phones


def sniff_ctf(path: Path, head: bytes) -> bool:
    """A CTF: XML whose root element is ``CTfile``."""
    return b"<CTfile" in head


register(Format(
    name="ctf",
    description="DfE Common Transfer File XML (pupils and contacts), checked against a shipped subset XSD",
    default_source=DEFAULT_SOURCE,
    maps="UPN (check letter), ULN, former UPN, names, preferred/former names as aliases, DOB, sex, address "
         "(UPRN), phones, email, school URN from the header; contacts as records linked parent_of/carer_of",
    read=read_ctf,
    sniff=sniff_ctf,
))
