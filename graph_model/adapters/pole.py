"""Police person records in the POLE shape (Person, Object, Location, Event, and the links between them).

Police records management systems (Niche RMS and others) hold nominals as POLE entities. There is no
national file format for them, so this adapter defines one close to how such systems export, in two
forms that carry the same entities:

**JSON** - a document ``{"entities": [...]}`` (or a bare list), or NDJSON with one entity per line.
Each entity names its kind in ``entity``:

- ``Person``: ``id``, ``surname``, ``forenames`` (first is the given name, the rest middle names),
  ``dob``, ``gender``, ``pnc_id``, ``cro_number``, ``aliases`` [{surname, forenames, dob}],
  ``recorded_at``; other fields are kept as extra fields.
- ``Location``: ``id``, ``address_line_1``, ``address_line_2``, ``town``, ``postcode``, ``uprn``.
- ``Object``: ``id``, ``object_type`` (Phone/Mobile, Email, Vehicle, ...), ``value``.
- ``Event``: ``id``, ``event_type``, ``occurred_at``.
- ``Link``: ``from``, ``to`` (entity ids), ``link_type``, ``from_date``, ``to_date``, ``role``.

**CSV** - one table per kind, found beside the persons table by replacing ``persons`` in its file name:
``pole_persons.csv`` (person_id, pnc_id, cro_number, surname, forenames, date_of_birth, gender,
recorded_at), ``pole_aliases.csv`` (person_id, surname, forenames, date_of_birth),
``pole_locations.csv`` (location_id, address_line_1, address_line_2, town, postcode, uprn),
``pole_objects.csv`` (object_id, object_type, value), ``pole_events.csv`` (event_id, event_type,
occurred_at), ``pole_links.csv`` (from_id, to_id, link_type, from_date, to_date, role).

Each Person becomes a record: its links to Locations of a residence type (RESIDES_AT, LIVES_AT,
HOME_ADDRESS, PREVIOUS_ADDRESS, ADDRESS) become ``addresses`` with the link's dates, other location
links ``other_locations``; phone and email Objects become ``phones``/``emails``, vehicles ``vehicles``,
other objects ``objects``; Events ``events`` [{id, event_type, date, role}]; links to other Persons
become ``relationships`` (PARENT_OF/FATHER_OF/MOTHER_OF parent_of, CHILD_OF/SON_OF/DAUGHTER_OF child_of,
SIBLING_OF/BROTHER_OF/SISTER_OF sibling_of, PARTNER_OF/SPOUSE_OF/EX_PARTNER_OF partner_of,
CARER_OF/GUARDIAN_OF carer_of, anything else - LIVES_WITH, ASSOCIATE_OF - other) with ``lives_with``
and ``person_links`` keeping what ``other`` loses. Aliases become ``aliases``; PNC id and CRO number
are identifiers (the PNC check letter is validated when prepared).

Links and non-person entities are indexed first (in a temporary SQLite file), then persons are
streamed: NDJSON and CSV are read twice and never held in memory.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson

from graph_model.adapters._common import CsvTable, SideIndex, clean, date_part, drop_empty, invert_codes, json_text
from graph_model.ingest.formats import Format, ReadOptions, register
from graph_model.ingest.readers import SourceItem

__all__ = ["read_pole", "sniff_pole"]

DEFAULT_SOURCE = "police"
_KINDS = {"person": "Person", "object": "Object", "location": "Location", "event": "Event", "link": "Link"}
_RESIDENCE_LINKS = frozenset({"RESIDES_AT", "LIVES_AT", "HOME_ADDRESS", "PREVIOUS_ADDRESS", "ADDRESS",
                              "CURRENT_ADDRESS"})
_PERSON_LINKS: dict[str, str] = invert_codes({
    "parent_of": "PARENT_OF FATHER_OF MOTHER_OF STEP_PARENT_OF",
    "child_of": "CHILD_OF SON_OF DAUGHTER_OF STEP_CHILD_OF",
    "sibling_of": "SIBLING_OF BROTHER_OF SISTER_OF HALF_SIBLING_OF",
    "partner_of": "PARTNER_OF SPOUSE_OF HUSBAND_OF WIFE_OF EX_PARTNER_OF BOYFRIEND_OF GIRLFRIEND_OF",
    "carer_of": "CARER_OF GUARDIAN_OF FOSTER_CARER_OF",
})
_PHONE_OBJECTS = frozenset({"PHONE", "MOBILE", "MOBILE_PHONE", "TELEPHONE", "LANDLINE"})
_EMAIL_OBJECTS = frozenset({"EMAIL", "EMAIL_ADDRESS"})
_VEHICLE_OBJECTS = frozenset({"VEHICLE", "CAR", "MOTORCYCLE", "VAN"})

# CSV tables: name in the file -> (kind, id column)
_CSV_TABLES = {"aliases": ("Alias", "person_id"), "locations": ("Location", "location_id"),
               "objects": ("Object", "object_id"), "events": ("Event", "event_id"), "links": ("Link", None)}
_PERSON_CSV_COLUMNS = {"person_id": "id", "pnc_id": "pnc_id", "cro_number": "cro_number",
                       "surname": "surname", "forenames": "forenames", "date_of_birth": "dob",
                       "gender": "gender", "recorded_at": "recorded_at"}


def _token(value: Any) -> str:
    return re.sub(r"[^A-Z0-9]+", "_", str(value or "").strip().upper()).strip("_")


def read_pole(path: Path, options: ReadOptions) -> Iterator[SourceItem]:
    """Stream canonical records (one per Person) from a POLE JSON, NDJSON or CSV export."""
    source = options.source or DEFAULT_SOURCE
    suffix = path.suffix.lower()
    with SideIndex() as side:
        if suffix == ".csv":
            yield from _read_csv(path, side, source)
        elif suffix in (".ndjson", ".jsonl"):
            for _line, entity in _ndjson_entities(path):
                if isinstance(entity, dict):
                    _index(side, entity)
            yield from _persons(_ndjson_entities(path), side, source)
        else:
            try:
                document = orjson.loads(path.read_bytes())
            except orjson.JSONDecodeError as exc:
                yield SourceItem(1, error=f"not valid JSON: {exc.msg} (line {exc.lineno})", text=None)
                return
            entities = document.get("entities") if isinstance(document, dict) else document
            if not isinstance(entities, list):
                yield SourceItem(1, text=None,
                                 error="a POLE JSON document is a list of entities or {\"entities\": [...]}")
                return
            for entity in entities:
                if isinstance(entity, dict):
                    _index(side, entity)
            # Items of a document are numbered by their position in the entity list.
            yield from _persons(enumerate(entities, start=1), side, source)


def _ndjson_entities(path: Path) -> Iterator[tuple[int, Any]]:
    """(line, entity) for each line; a line that is not JSON gives (line, _BadLine)."""
    with open(path, "rb") as fh:
        for number, raw in enumerate(fh, start=1):
            stripped = raw.strip()
            if not stripped:
                continue
            try:
                yield number, orjson.loads(stripped)
            except orjson.JSONDecodeError as exc:
                text = stripped.decode("utf-8", errors="replace")
                yield number, _BadLine(f"not valid JSON: {exc.msg}", text)


class _BadLine:
    def __init__(self, error: str, text: str) -> None:
        self.error, self.text = error, text


def _kind(entity: dict[str, Any]) -> str | None:
    return _KINDS.get(str(entity.get("entity") or entity.get("type") or "").strip().lower())


def _index(side: SideIndex, entity: dict[str, Any]) -> None:
    """Keep a non-person entity by id, and a link under both of its ends."""
    kind = _kind(entity)
    if kind == "Link":
        start, end = clean(entity.get("from")), clean(entity.get("to"))
        if start and end:
            side.add("link", start, {**entity, "_direction": "out"})
            side.add("link", end, {**entity, "_direction": "in"})
    elif kind in ("Location", "Object", "Event"):
        entity_id = clean(entity.get("id"))
        if entity_id:
            side.add("entity", entity_id, {**entity, "entity": kind})
    elif kind == "Person":
        entity_id = clean(entity.get("id"))
        if entity_id:
            side.add("person", entity_id, True)  # only to know the other end of a link is a person


def _persons(entities: Iterator[tuple[int, Any]], side: SideIndex, source: str) -> Iterator[SourceItem]:
    for line, entity in entities:
        if isinstance(entity, _BadLine):
            yield SourceItem(line, error=entity.error, text=entity.text)
            continue
        if not isinstance(entity, dict):
            yield SourceItem(line, error=f"a POLE entity must be an object, got {type(entity).__name__}",
                             text=json_text(entity))
            continue
        kind = _kind(entity)
        if kind is None:
            shown = entity.get("entity") or entity.get("type")
            if not (isinstance(shown, str) and shown.isidentifier() and len(shown) < 40):
                shown = "missing"
            yield SourceItem(line, text=json_text(entity),
                             error=f"entity kind {shown} is not one of Person, Object, Location, Event, Link")
            continue
        if kind == "Link":
            if not (clean(entity.get("from")) and clean(entity.get("to"))):
                yield SourceItem(line, error="Link needs both 'from' and 'to' entity ids", text=json_text(entity))
            continue
        if not clean(entity.get("id")):
            yield SourceItem(line, error=f"{kind} has no id", text=json_text(entity))
            continue
        if kind != "Person":
            continue
        yield SourceItem(line, record=_record(entity, str(clean(entity.get("id"))), side, source))


def _record(person: dict[str, Any], person_id: str, side: SideIndex, source: str) -> dict[str, Any]:
    given, middle = _split_forenames(person.get("forenames"))
    record: dict[str, Any] = {
        "source": source,
        "source_id": person_id,
        "given_name": given,
        "middle_names": middle,
        "family_name": clean(person.get("surname")),
        "dob": date_part(person.get("dob")),
        "sex": clean(person.get("gender")),
        "recorded_at": clean(person.get("recorded_at")),
        "identifiers": drop_empty({"pnc_id": clean(person.get("pnc_id")),
                                   "cro_number": clean(person.get("cro_number"))}),
    }
    aliases = [*(_alias(a) for a in person.get("aliases") or [] if isinstance(a, dict)),
               *(_alias(a) for a in side.get("alias", person_id))]
    record["aliases"] = [a for a in aliases if a]
    addresses: list[dict[str, Any]] = []
    phones: list[str] = []
    emails: list[str] = []
    collected: dict[str, list[Any]] = {"other_locations": [], "vehicles": [], "objects": [], "events": [],
                                       "lives_with": [], "person_links": []}
    relationships: list[dict[str, str]] = []
    for link in side.get("link", person_id):
        link_type = _token(link.get("link_type"))
        other_id = clean(link.get("to") if link["_direction"] == "out" else link.get("from"))
        if other_id is None or other_id == person_id:
            continue
        other = side.first("entity", other_id)
        if other is None:
            if side.first("person", other_id) is None or link["_direction"] != "out":
                continue  # a link to something not in the export, or a person link recorded on the other end
            kind = _PERSON_LINKS.get(link_type, "other")
            relationships.append({"type": kind, "source_id": other_id})
            if link_type == "LIVES_WITH":
                collected["lives_with"].append(other_id)
            elif kind == "other":
                collected["person_links"].append({"link_type": link_type, "person_id": other_id})
            continue
        kind = other["entity"]
        if kind == "Location":
            if link_type in _RESIDENCE_LINKS:
                address = _address(other, link)
                if address:
                    addresses.append(address)
            else:
                collected["other_locations"].append(drop_empty({"id": other_id, "link_type": link_type}))
        elif kind == "Object":
            object_type, value = _token(other.get("object_type")), clean(other.get("value"))
            if value is None:
                continue
            if object_type in _PHONE_OBJECTS:
                phones.append(value)
            elif object_type in _EMAIL_OBJECTS:
                emails.append(value)
            elif object_type in _VEHICLE_OBJECTS:
                collected["vehicles"].append(drop_empty({"vrm": value, "link_type": link_type}))
            else:
                collected["objects"].append(drop_empty({"id": other_id, "object_type": object_type,
                                                        "link_type": link_type}))
        elif kind == "Event":
            collected["events"].append(drop_empty({
                "id": other_id, "event_type": clean(other.get("event_type")),
                "date": date_part(other.get("occurred_at")), "role": clean(link.get("role")) or link_type,
            }))
    record.update(addresses=addresses, phones=phones, emails=emails, relationships=relationships, **collected)
    known = {"entity", "type", "id", "forenames", "surname", "dob", "gender", "recorded_at", "pnc_id",
             "cro_number", "aliases"}
    for key, value in person.items():
        if key not in known and value not in (None, "", [], {}):
            record[key] = value
    return drop_empty(record)


def _split_forenames(value: Any) -> tuple[str | None, str | None]:
    parts = (clean(value) or "").split()
    return (parts[0] if parts else None), (" ".join(parts[1:]) or None)


def _alias(alias: dict[str, Any]) -> dict[str, Any]:
    given, middle = _split_forenames(alias.get("forenames"))
    return drop_empty({"given_name": given, "middle_names": middle,
                       "family_name": clean(alias.get("surname")),
                       "dob": date_part(alias.get("dob") or alias.get("date_of_birth"))})


def _address(location: dict[str, Any], link: dict[str, Any]) -> dict[str, Any]:
    address = drop_empty({
        "line1": clean(location.get("address_line_1")),
        "line2": clean(location.get("address_line_2")),
        "town": clean(location.get("town")),
        "postcode": clean(location.get("postcode")),
        "uprn": clean(location.get("uprn")),
        "from": date_part(link.get("from_date")),
        "to": date_part(link.get("to_date")),
    })
    return address if address.keys() & {"line1", "postcode"} else {}


# --- CSV ----------------------------------------------------------------------------------------------

def _read_csv(path: Path, side: SideIndex, source: str) -> Iterator[SourceItem]:
    with CsvTable(path) as persons:
        table = _csv_table(path, persons.header)
        if table != "persons":
            what = f"the POLE {table} table" if table else "not a POLE persons table (no person_id column)"
            yield SourceItem(1, error=f"{path.name} is {what}: ingest pole_persons.csv, which reads the "
                                      "other tables beside it", text=",".join(persons.header))
            return
        for name, (kind, id_column) in _CSV_TABLES.items():
            sibling = path.with_name(path.name.replace("persons", name)) if "persons" in path.name else None
            if sibling is not None and sibling.exists():
                yield from _index_csv(side, sibling, kind, id_column)
        # The persons table is read twice: once so that links know which ids are persons, then to map.
        with CsvTable(path) as first_pass:
            for _line, row in first_pass:
                person_id = clean(row.get("person_id"))
                if person_id:
                    side.add("person", person_id, True)
        yield from _persons(_csv_persons(persons), side, source)


def _csv_table(path: Path, header: list[str]) -> str | None:
    """Which POLE table a CSV is, from its columns (and its name, for aliases, whose columns a persons
    table could also have)."""
    columns = set(header)
    if {"from_id", "to_id"} <= columns:
        return "links"
    for table, (_kind, id_column) in _CSV_TABLES.items():
        if id_column and id_column != "person_id" and id_column in columns:
            return table
    if "person_id" in columns:
        return "aliases" if "aliases" in path.name.lower() else "persons"
    return None


def _csv_persons(table: CsvTable) -> Iterator[tuple[int, Any]]:
    for line, row in table:
        if None in row:
            yield line, _BadLine("row has more cells than the header", str(line))
            continue
        entity: dict[str, Any] = {"entity": "Person"}
        for column, value in row.items():
            if clean(value) is not None:
                entity[_PERSON_CSV_COLUMNS.get(column, column)] = clean(value)
        yield line, entity


def _index_csv(side: SideIndex, path: Path, kind: str, id_column: str | None) -> Iterator[SourceItem]:
    with CsvTable(path) as table:
        needed = ["from_id", "to_id"] if kind == "Link" else [id_column or ""]
        missing = [c for c in needed if c not in table.header]
        if missing:
            yield SourceItem(1, error=f"{path.name} lacks columns {missing}: the table was not read",
                             text=",".join(table.header))
            return
        for line, row in table:
            values = {k: clean(v) for k, v in row.items() if k is not None and clean(v) is not None}
            if None in row:
                yield SourceItem(line, error=f"{path.name} line {line}: row has more cells than the header",
                                 text=str(line))
            elif kind == "Link":
                if values.get("from_id") and values.get("to_id"):
                    _index(side, {**values, "entity": "Link", "from": values["from_id"],
                                  "to": values["to_id"]})
            elif kind == "Alias":
                person_ref = values.get("person_id")
                if person_ref:
                    side.add("alias", person_ref, values)
            elif values.get(id_column or ""):
                _index(side, {**values, "entity": kind, "id": values[id_column or ""]})


def sniff_pole(path: Path, head: bytes) -> bool:
    """POLE: a persons CSV with person_id and pnc_id columns, or JSON whose entities name their kind."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        first = head.split(b"\n", 1)[0]
        return ((b"person_id" in first and (b"pnc_id" in first or b"pole" in path.name.lower().encode()))
                or (b"from_id" in first and b"to_id" in first and b"link_type" in first)
                or (b"location_id" in first and b"address_line_1" in first)
                or (b"object_id" in first and b"object_type" in first)
                or (b"event_id" in first and b"event_type" in first))
    if suffix in (".json", ".ndjson", ".jsonl"):
        return b'"entity"' in head and any(k in head for k in (b'"Person"', b'"Location"', b'"Link"',
                                                                b'"Object"', b'"Event"'))
    return False


register(Format(
    name="pole",
    description="police POLE export (Person, Object, Location, Event, Link) as JSON, NDJSON or CSV tables",
    default_source=DEFAULT_SOURCE,
    maps="nominals (names, DOB, gender, PNC id, CRO), aliases, residence locations with dates (UPRN), phone/"
         "email objects, vehicles, events, family links and lives-with as relationships",
    read=read_pole,
    sniff=sniff_pole,
))
