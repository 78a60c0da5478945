"""HL7 FHIR R4 ``Patient`` and ``RelatedPerson`` resources, as NHS Personal Demographics Service returns them.

Input: one resource as a JSON file, a ``Bundle`` (searchset, collection, ...) as a JSON file, or NDJSON
(one resource per line, as a FHIR bulk export writes it; a Bundle on a line is expanded). Each resource
is validated with the ``fhir.resources`` R4B models (R4B is wire-compatible with R4 for these two
resources) and then mapped:

======================  ==========================================================================
FHIR                    canonical record
======================  ==========================================================================
``id``                  ``source_id`` (PDS uses the NHS number; ``RelatedPerson/<id>`` for those)
``identifier[]``        NHS number (system ``https://fhir.nhs.uk/Id/nhs-number``) to
                        ``identifiers.nhs_number``; its verification-status extension to
                        ``nhs_number_verification``; other systems to ``other_identifiers``
``name[]``              the current ``usual`` name (else official, else any current) as the main
                        name (``given[0]``, the rest of ``given`` as ``middle_names``, ``family``);
                        every other name to ``aliases`` [{given_name, middle_names, family_name,
                        use, period}]
``gender``              ``sex`` (male M, female F, other/unknown U)
``birthDate``           ``dob`` (partial dates keep their precision)
``address[]``           ``addresses`` with ``period`` as from/to; a UK Core AddressKey UPRN as ``uprn``
``telecom[]``           phone/sms to ``phones``, email to ``emails``
``meta.security``       code ``R`` or ``V`` (restricted / very restricted patient) to
                        ``restricted: true`` and ``confidentiality``; the sharing policy honours it
``meta.lastUpdated``    ``recorded_at``
``generalPractitioner`` ``gp_ods_code``; ``deceased[x]`` to ``deceased``
RelatedPerson           its own record with ``relationships`` [{type, source_id: the patient}]
                        (v3 RoleCode MTH/FTH/PRN... parent_of, GUARD carer_of, SIB... sibling_of,
                        SPS/DOMPART... partner_of, CHILD/SON/DAU... child_of, else other)
======================  ==========================================================================

Rejected per resource, with the reason: a resource of another type, one that fails FHIR validation,
an identifier that has a value but no ``system`` (its scheme cannot be known), a resource with
neither an ``id`` nor an NHS number to key it by.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import orjson
from pydantic import ValidationError

from graph_model.adapters._common import clean, date_part, drop_empty, invert_codes, json_text
from graph_model.ingest.formats import Format, ReadOptions, register
from graph_model.ingest.readers import SourceItem

__all__ = ["NHS_NUMBER_SYSTEM", "ResourceRejected", "read_fhir", "sniff_fhir", "to_record"]

DEFAULT_SOURCE = "health"
NHS_NUMBER_SYSTEM = "https://fhir.nhs.uk/Id/nhs-number"
# UK Core and the older CareConnect profile name the extension differently; both end like this.
_VERIFICATION_SUFFIX = "NHSNumberVerificationStatus"
_ADDRESS_KEY_SUFFIX = "AddressKey"
_CONFIDENTIALITY_SYSTEM = "http://terminology.hl7.org/CodeSystem/v3-Confidentiality"
_RESTRICTED_CODES = frozenset({"R", "V"})
_SEX = {"male": "M", "female": "F", "other": "U", "unknown": "U"}


@cache
def _models() -> dict[str, Any]:
    """The R4B model classes, imported on first use: they take ~0.4 s to import, which every other
    format (and ``mashgraph formats``) would otherwise pay."""
    from fhir.resources.R4B.patient import Patient
    from fhir.resources.R4B.relatedperson import RelatedPerson

    return {"Patient": Patient, "RelatedPerson": RelatedPerson}

# HL7 v3 RoleCode: what the related person is *to the patient*, as a canonical relationship type.
_ROLE_TYPES: dict[str, str] = invert_codes({
    "parent_of": "MTH FTH PRN NMTH NFTH NPRN STPMTH STPFTH STPPRN ADOPTMTH ADOPTFTH ADOPTP GESTM",
    "carer_of": "GUARD FOSTPRN FTHFOST MTHFOST",
    "sibling_of": "SIB BRO SIS HSIB HBRO HSIS NSIB NBRO NSIS STPSIB STPBRO STPSIS TWIN TWINBRO TWINSIS",
    "partner_of": "SPS HUSB WIFE DOMPART SIGOTHR",
    "child_of": "CHILD SON DAU NCHILD STPCHLD CHLDADOPT DAUADOPT SONADOPT CHLDFOST DAUFOST SONFOST",
})


class ResourceRejected(Exception):
    """A resource that cannot become a record; the message says why (never with its values)."""


def read_fhir(path: Path, options: ReadOptions) -> Iterator[SourceItem]:
    """Stream canonical records from a FHIR JSON resource, Bundle or NDJSON file."""
    source = options.source or DEFAULT_SOURCE
    if path.suffix.lower() in (".ndjson", ".jsonl"):
        yield from _read_ndjson(path, source)
        return
    try:
        document = orjson.loads(path.read_bytes())
    except orjson.JSONDecodeError as exc:
        if _looks_like_ndjson(path):
            yield from _read_ndjson(path, source)
            return
        yield SourceItem(1, error=f"not valid JSON: {exc.msg} (line {exc.lineno})", text=None)
        return
    yield from _resource_items(document, 1, source, top_level=True)


def _looks_like_ndjson(path: Path) -> bool:
    with open(path, "rb") as fh:
        first = fh.readline().strip()
    try:
        return isinstance(orjson.loads(first), dict)
    except orjson.JSONDecodeError:
        return False


def _read_ndjson(path: Path, source: str) -> Iterator[SourceItem]:
    with open(path, "rb") as fh:
        for number, raw in enumerate(fh, start=1):
            stripped = raw.strip()
            if not stripped:
                continue
            try:
                resource = orjson.loads(stripped)
            except orjson.JSONDecodeError as exc:
                yield SourceItem(number, error=f"not valid JSON: {exc.msg}",
                                 text=stripped.decode("utf-8", errors="replace"))
                continue
            yield from _resource_items(resource, number, source, top_level=False)


def _resource_items(resource: Any, line: int, source: str, *, top_level: bool) -> Iterator[SourceItem]:
    """The items of one resource; a Bundle's entries are numbered by entry when the Bundle is the file."""
    if not isinstance(resource, dict):
        yield SourceItem(line, error=f"a FHIR resource must be a JSON object, got {type(resource).__name__}",
                         text=json_text(resource))
        return
    kind = resource.get("resourceType")
    if kind == "Bundle":
        entries = resource.get("entry") or []
        if not isinstance(entries, list):
            yield SourceItem(line, error="Bundle.entry must be a list", text=None)
            return
        for index, entry in enumerate(entries, start=1):
            inner = entry.get("resource") if isinstance(entry, dict) else None
            number = index if top_level else line
            if inner is None:
                yield SourceItem(number, error=f"Bundle entry {index} has no resource", text=json_text(entry))
                continue
            yield from _resource_items(inner, number, source, top_level=False)
        return
    try:
        record = to_record(resource, source)
    except ResourceRejected as exc:
        yield SourceItem(line, error=str(exc), text=json_text(resource))
        return
    yield SourceItem(line, record=record)


def to_record(resource: dict[str, Any], source: str = DEFAULT_SOURCE) -> dict[str, Any]:
    """Validate one Patient or RelatedPerson resource and map it onto a canonical record.

    Raises :class:`ResourceRejected` with the reason when the resource is unusable.
    """
    kind = resource.get("resourceType")
    model_class = _models().get(kind) if isinstance(kind, str) else None
    if model_class is None:
        shown = kind if isinstance(kind, str) and kind.isidentifier() and len(kind) < 64 else "missing"
        raise ResourceRejected(f"resource type {shown} is not supported (Patient and RelatedPerson are)")
    try:
        model = model_class.model_validate(resource)
    except ValidationError as exc:
        raise ResourceRejected(f"{kind} failed FHIR R4 validation: {_describe(exc)}") from None

    identifiers, extra = _identifiers(model)
    names = _names(model.name or [])
    record: dict[str, Any] = {"source": source}
    if kind == "Patient":
        source_id = clean(model.id) or identifiers.get("nhs_number")
        if not source_id:
            raise ResourceRejected("Patient has neither an id nor an NHS number to key it by")
        record["source_id"] = source_id
    else:
        if not clean(model.id):
            raise ResourceRejected("RelatedPerson has no id to key it by")
        record["source_id"] = f"RelatedPerson/{model.id}"
        record["relationships"] = _relationships(model)
        record["fhir_resource_type"] = "RelatedPerson"
        codes = sorted(set(_relationship_codes(model)))
        record["relationship_codes"] = codes
    record.update(names)
    record["dob"] = date_part(model.birthDate)
    record["sex"] = _SEX.get(model.gender or "") if model.gender else None
    if model.gender and model.gender not in _SEX:
        record["fhir_gender"] = model.gender
    record["addresses"] = [_address(address) for address in model.address or []]
    record["addresses"] = [a for a in record["addresses"] if a]
    record["phones"], record["emails"] = _telecom(model.telecom or [])
    record["identifiers"] = identifiers
    record.update(extra)
    record.update(_security(model))
    if model.meta is not None and model.meta.lastUpdated is not None:
        record["recorded_at"] = _iso(model.meta.lastUpdated)
    if kind == "Patient":
        record.update(_patient_extras(model))
    return drop_empty(record)


def _describe(exc: ValidationError) -> str:
    """Where validation failed and why, without the offending values."""
    parts = []
    for error in exc.errors(include_input=False, include_url=False)[:3]:
        location = ".".join(str(p) for p in error.get("loc", ())) or "resource"
        message = " ".join(str(error.get("msg", "invalid")).split())
        parts.append(f"{location}: {message}")
    more = len(exc.errors()) - len(parts)
    return "; ".join(parts) + (f" (and {more} more)" if more > 0 else "")


def _identifiers(model: Any) -> tuple[dict[str, str], dict[str, Any]]:
    identifiers: dict[str, str] = {}
    extra: dict[str, Any] = {}
    others: list[dict[str, str]] = []
    for index, identifier in enumerate(model.identifier or []):
        value = clean(identifier.value)
        if value is None:
            continue
        system = clean(identifier.system)
        if system is None:
            # Without a system nobody can tell an NHS number from a hospital number: refuse rather
            # than guess, so the sending system fixes its export.
            raise ResourceRejected(f"identifier[{index}] has a value but no system, so its scheme is unknown")
        if system == NHS_NUMBER_SYSTEM:
            identifiers["nhs_number"] = value
            verification = _verification_status(identifier)
            if verification:
                extra["nhs_number_verification"] = verification
        else:
            others.append({"system": system, "value": value})
    if others:
        extra["other_identifiers"] = others
    return identifiers, extra


def _verification_status(identifier: Any) -> str | None:
    for extension in identifier.extension or []:
        concept = extension.valueCodeableConcept
        if (extension.url or "").endswith(_VERIFICATION_SUFFIX) and concept is not None:
            for coding in concept.coding or []:
                if coding.code:
                    return coding.code
    return None


def _is_current(period: Any, today: str) -> bool:
    if period is None or period.end is None:
        return True
    return (_iso(period.end) or "") >= today


def _names(names: list[Any]) -> dict[str, Any]:
    """The main name and the aliases of a resource's ``name[]``."""
    if not names:
        return {}
    today = dt.date.today().isoformat()

    def rank(name: Any) -> int:
        current = _is_current(name.period, today)
        if name.use == "usual" and current:
            return 0
        if name.use == "official" and current:
            return 1
        if current and name.use not in ("old", "maiden", "anonymous"):
            return 2
        return 3

    ordered = sorted(range(len(names)), key=lambda i: (rank(names[i]), i))
    main = names[ordered[0]]
    result: dict[str, Any] = _name_parts(main)
    if not (main.given or main.family) and clean(main.text):
        result["name_text"] = clean(main.text)
    aliases = []
    for index in ordered[1:]:
        name = names[index]
        alias = _name_parts(name)
        alias["use"] = name.use
        if name.period is not None:
            alias["period"] = drop_empty({"start": _iso(name.period.start), "end": _iso(name.period.end)})
        if not (name.given or name.family):
            alias["text"] = clean(name.text)
        alias = drop_empty(alias)
        if alias.keys() - {"use", "period"}:
            aliases.append(alias)
    result["aliases"] = aliases
    return result


def _name_parts(name: Any) -> dict[str, Any]:
    given = [g for g in (clean(part) for part in name.given or []) if g]
    return drop_empty({
        "given_name": given[0] if given else None,
        "middle_names": " ".join(given[1:]) or None,
        "family_name": clean(name.family),
    })


_SUB_BUILDING = re.compile(r"^(flat|apartment|apt|unit|room|maisonette)\b\.?\s*\S+$", re.IGNORECASE)


def _address(address: Any) -> dict[str, Any]:
    lines = [line for line in (clean(part) for part in address.line or []) if line]
    if len(lines) > 1 and _SUB_BUILDING.match(lines[0]):
        # PDS often puts "Flat 2" on a line of its own; the address key needs it with the street line.
        lines = [f"{lines[0]}, {lines[1]}", *lines[2:]]
    period = address.period
    mapped = {
        "line1": lines[0] if lines else None,
        "line2": ", ".join(lines[1:]) or None,
        "town": clean(address.city) or clean(address.district),
        "postcode": clean(address.postalCode),
        "from": _iso(period.start) if period is not None else None,
        "to": _iso(period.end) if period is not None else None,
        "uprn": _address_key(address, "UPRN"),
    }
    if address.use:
        mapped["use"] = address.use  # not a canonical part (dropped by prepare), kept for readers
    result = drop_empty(mapped)
    return result if result.keys() & {"line1", "postcode"} else {}


def _address_key(address: Any, key_type: str) -> str | None:
    """A key (UPRN, PAF) from the UK Core AddressKey extension: sub-extensions ``type`` and ``value``."""
    for extension in address.extension or []:
        if not (extension.url or "").endswith(_ADDRESS_KEY_SUFFIX):
            continue
        kind = value = None
        for sub in extension.extension or []:
            if sub.url == "type" and sub.valueCoding is not None:
                kind = sub.valueCoding.code
            elif sub.url == "value":
                value = clean(sub.valueString)
        if kind and kind.upper() == key_type and value:
            return value
    return None


def _telecom(points: list[Any]) -> tuple[list[str], list[str]]:
    # Ended contact points are kept too: an old number still links records of the same person.
    phones: list[str] = []
    emails: list[str] = []
    for point in points:
        value = clean(point.value)
        if value is None:
            continue
        if point.system in ("phone", "sms"):
            phones.append(value)
        elif point.system == "email":
            emails.append(value)
    return phones, emails


def _security(model: Any) -> dict[str, Any]:
    if model.meta is None:
        return {}
    codes = [label.code for label in model.meta.security or []
             if label.code and (label.system in (None, _CONFIDENTIALITY_SYSTEM))]
    restricted = [code for code in codes if code.upper() in _RESTRICTED_CODES]
    if restricted:
        return {"restricted": True, "confidentiality": restricted[0].upper()}
    if codes:
        return {"confidentiality": codes[0].upper()}
    return {}


def _patient_extras(model: Any) -> dict[str, Any]:
    extra: dict[str, Any] = {}
    for practitioner in model.generalPractitioner or []:
        identifier = practitioner.identifier
        if identifier is not None and clean(identifier.value):
            extra["gp_ods_code"] = clean(identifier.value)
            break
    if model.deceasedDateTime is not None:
        extra["deceased"] = _iso(model.deceasedDateTime)
    elif model.deceasedBoolean:
        extra["deceased"] = True
    return extra


def _relationship_codes(model: Any) -> list[str]:
    return [coding.code.upper() for concept in model.relationship or [] for coding in concept.coding or []
            if coding.code]


def _relationships(model: Any) -> list[dict[str, str]]:
    """The related person's relationship to the patient it belongs to (first recognised code wins)."""
    target = _patient_key(model.patient)
    if target is None:
        return []
    codes = _relationship_codes(model)
    kind = next((_ROLE_TYPES[code] for code in codes if code in _ROLE_TYPES), "other")
    return [{"type": kind, "source_id": target}]


def _patient_key(reference: Any) -> str | None:
    """The patient's ``source_id``: the id in ``Patient/<id>`` (relative or absolute), else its NHS number."""
    if reference is None:
        return None
    ref = clean(reference.reference)
    if ref and "Patient/" in ref:
        return ref.rsplit("Patient/", 1)[1].split("/")[0] or None
    identifier = reference.identifier
    if identifier is not None and identifier.system == NHS_NUMBER_SYSTEM:
        return clean(identifier.value)
    return None


def _iso(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return clean(value)


def sniff_fhir(path: Path, head: bytes) -> bool:
    """FHIR JSON or NDJSON: a .json/.ndjson file whose first bytes name a ``resourceType``."""
    return path.suffix.lower() in (".json", ".ndjson", ".jsonl") and b'"resourceType"' in head


register(Format(
    name="fhir",
    description="HL7 FHIR R4 Patient/RelatedPerson: one resource, a Bundle, or NDJSON (NHS PDS)",
    default_source=DEFAULT_SOURCE,
    maps="NHS number (+verification status), names (usual name; others as aliases), gender, birthDate, "
         "addresses with periods, telecom, restricted flag (meta.security R/V), RelatedPerson relationships",
    read=read_fhir,
    sniff=sniff_fhir,
))
