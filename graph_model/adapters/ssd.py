"""Standard Safeguarding Dataset (SSD) person tables as CSV, as councils extract them from Liquidlogic/Mosaic.

The SSD (Data to Insight) is a set of tables; this adapter reads the person table and, when they sit
beside it, the tables that belong to a person:

- ``ssd_person.csv`` (the file to ingest): ``pers_person_id`` (the stable person id: ``source_id``),
  ``pers_forename``, ``pers_surname``, ``pers_dob``, ``pers_sex``/``pers_gender``, ``pers_upn`` (UPN),
  ``pers_common_child_id`` (NHS number); every other column is kept as an extra field.
- ``ssd_linked_identifiers.csv``: ``link_person_id``, ``link_identifier_type``, ``link_identifier_value``,
  ``link_valid_from_date``, ``link_valid_to_date``. Known types become identifiers (the current one:
  no end date, latest start): Unique Pupil Number ``upn``, NHS Number ``nhs_number``, Unique Learner
  Number ``uln``, PNC ``pnc_id``, National Insurance Number ``ni_number``; Former Unique Pupil Number
  becomes ``former_upn``; every row, known or not, is kept in ``linked_identifiers`` [{type, value,
  from, to}] (unknown types such as case or family numbers are never used as identifiers: they can be
  shared by several people).
- ``ssd_address.csv``: ``addr_person_id``, ``addr_address_json`` (ROOM/FLOOR/FLAT/BUILDING/HOUSE/STREET/
  TOWN/UPRN), ``addr_address_postcode``, ``addr_address_start_date``, ``addr_address_end_date``. A
  protected address (postcode ``CON``, as the SSD writes it) is not loaded: ``address_protected: true``.
- ``ssd_family.csv``: ``fami_person_id``, ``fami_family_id``, kept as ``ssd_family_ids``.

Side tables are found by replacing ``ssd_person`` in the file name (``2024_ssd_person.csv`` ->
``2024_ssd_linked_identifiers.csv``). They are indexed in a temporary SQLite file, then the person table
is streamed, so memory stays bounded whatever the size of the extract.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson

from graph_model.adapters._common import CsvTable, SideIndex, clean, date_part, drop_empty
from graph_model.ingest.formats import Format, ReadOptions, register
from graph_model.ingest.readers import SourceItem

__all__ = ["read_ssd", "sniff_ssd"]

DEFAULT_SOURCE = "social_care"
_PERSON_TABLE = "ssd_person"
# table -> (person id column, columns that must be there)
_SIDE_TABLES: dict[str, tuple[str, tuple[str, ...]]] = {
    "ssd_linked_identifiers": ("link_person_id",
                               ("link_person_id", "link_identifier_type", "link_identifier_value")),
    "ssd_address": ("addr_person_id", ("addr_person_id",)),
    "ssd_family": ("fami_person_id", ("fami_person_id", "fami_family_id")),
}
_PERSON_COLUMNS = {"pers_person_id", "pers_forename", "pers_surname", "pers_dob", "pers_sex", "pers_gender",
                   "pers_upn", "pers_common_child_id"}
_SEX = {"M": "M", "F": "F", "U": "U", "I": "U", "UNKNOWN": "U", "MALE": "M", "FEMALE": "F"}
_IDENTIFIER_TYPES = {
    "uniquepupilnumber": "upn", "upn": "upn",
    "formeruniquepupilnumber": "former_upn", "formerupn": "former_upn",
    "nhsnumber": "nhs_number", "nhs": "nhs_number", "nhsno": "nhs_number",
    "uniquelearnernumber": "uln", "uln": "uln",
    "pnc": "pnc_id", "pncid": "pnc_id", "policenationalcomputerid": "pnc_id", "pncnumber": "pnc_id",
    "nationalinsurancenumber": "ni_number", "ninumber": "ni_number", "nino": "ni_number",
}
_PROTECTED_POSTCODES = frozenset({"CON"})


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def _sibling(path: Path, table: str) -> Path | None:
    if _PERSON_TABLE in path.name:
        candidate = path.with_name(path.name.replace(_PERSON_TABLE, table))
    else:
        candidate = path.with_name(f"{table}{path.suffix}")
    return candidate if candidate.exists() else None


def _table_of(header: list[str]) -> str | None:
    columns = set(header)
    if "pers_person_id" in columns:
        return _PERSON_TABLE
    for table, (id_column, _required) in _SIDE_TABLES.items():
        if id_column in columns:
            return table
    return None


def read_ssd(path: Path, options: ReadOptions) -> Iterator[SourceItem]:
    """Stream canonical records from an SSD person table and the side tables beside it."""
    source = options.source or DEFAULT_SOURCE
    with CsvTable(path) as rows, SideIndex() as side:
        table = _table_of(rows.header)
        if table != _PERSON_TABLE:
            what = f"the SSD {table} table" if table else "not an SSD person table (no pers_person_id column)"
            yield SourceItem(1, error=f"{path.name} is {what}: ingest ssd_person.csv, which reads the "
                                      "linked-identifier, address and family tables beside it",
                             text=",".join(rows.header))
            return
        for side_table, (id_column, required) in _SIDE_TABLES.items():
            sibling = _sibling(path, side_table)
            if sibling is not None:
                yield from _load_side(side, side_table, sibling, id_column, required)
        today = dt.date.today().isoformat()
        for line, row in rows:
            if None in row:
                yield SourceItem(line, error="row has more cells than the header", text=str(line))
                continue
            person_id = clean(row.get("pers_person_id"))
            if person_id is None:
                yield SourceItem(line, error="row has no pers_person_id", text=_row_text(row))
                continue
            yield SourceItem(line, record=_record(row, person_id, side, source, today))


def _load_side(side: SideIndex, table: str, path: Path, id_column: str,
               required: tuple[str, ...]) -> Iterator[SourceItem]:
    """Index one side table; problems are reported as items naming that file (they do not stop the load)."""
    with CsvTable(path) as rows:
        missing = [column for column in required if column not in rows.header]
        if missing:
            yield SourceItem(1, error=f"{path.name} lacks columns {missing}: the table was not read",
                             text=",".join(rows.header))
            return
        yield from _index_rows(side, table, path, rows, id_column)


def _index_rows(side: SideIndex, table: str, path: Path, rows: CsvTable,
                id_column: str) -> Iterator[SourceItem]:
    for line, row in rows:
        if None in row:
            yield SourceItem(line, error=f"{path.name} line {line}: row has more cells than the header",
                             text=str(line))
            continue
        person_id = clean(row.get(id_column))
        if person_id is None:
            yield SourceItem(line, error=f"{path.name} line {line}: row has no {id_column}",
                             text=_row_text(row))
            continue
        side.add(table, person_id, {k: v for k, v in row.items() if clean(v) is not None})


def _record(row: dict[str, str], person_id: str, side: SideIndex, source: str, today: str) -> dict[str, Any]:
    sex_raw = clean(row.get("pers_sex")) or clean(row.get("pers_gender"))
    record: dict[str, Any] = {
        "source": source,
        "source_id": person_id,
        "given_name": clean(row.get("pers_forename")),
        "family_name": clean(row.get("pers_surname")),
        "dob": date_part(row.get("pers_dob")),
        "sex": _SEX.get(sex_raw.upper(), sex_raw) if sex_raw else None,
    }
    identifiers: dict[str, str] = {}
    linked = side.get("ssd_linked_identifiers", person_id)
    current: dict[str, tuple[str, str]] = {}  # scheme -> (sort key, value)
    history = []
    for link in linked:
        kind, value = clean(link.get("link_identifier_type")), clean(link.get("link_identifier_value"))
        if not (kind and value):
            continue
        valid_from = date_part(link.get("link_valid_from_date"))
        valid_to = date_part(link.get("link_valid_to_date"))
        history.append(drop_empty({"type": kind, "value": value, "from": valid_from, "to": valid_to}))
        scheme = _IDENTIFIER_TYPES.get(_slug(kind))
        # A former UPN is history by nature; any other identifier counts only while it is valid.
        if scheme is None or (scheme != "former_upn" and valid_to and _iso_or_empty(valid_to) < today):
            continue
        key = _iso_or_empty(valid_from)
        if scheme not in current or key >= current[scheme][0]:
            current[scheme] = (key, value)
    for scheme, (_key, value) in current.items():
        if scheme != "former_upn":
            identifiers[scheme] = value
    # The person table's own columns are the extract's current values: they win over the history.
    if upn := clean(row.get("pers_upn")):
        identifiers["upn"] = upn
    if nhs_number := clean(row.get("pers_common_child_id")):
        identifiers["nhs_number"] = nhs_number
    record["identifiers"] = identifiers
    if "former_upn" in current:
        record["former_upn"] = current["former_upn"][1]
    record["linked_identifiers"] = history

    addresses, protected = _addresses(side.get("ssd_address", person_id))
    record["addresses"] = addresses
    if protected:
        record["address_protected"] = True
    families = sorted({family for f in side.get("ssd_family", person_id) if (family := clean(f.get("fami_family_id")))})
    record["ssd_family_ids"] = families
    for column, value in row.items():
        if column not in _PERSON_COLUMNS and clean(value) is not None:
            record[column] = clean(value)
    return drop_empty(record)


def _iso_or_empty(value: str | None) -> str:
    """A sortable form of an SSD date (ISO or DD/MM/YYYY); empty when absent or unreadable."""
    if not value:
        return ""
    match = re.match(r"^(\d{1,2})/(\d{1,2})/(\d{4})$", value)
    if match:
        return f"{match[3]}-{int(match[2]):02d}-{int(match[1]):02d}"
    return value


def _addresses(rows: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], bool]:
    addresses = []
    protected = False
    for row in rows:
        postcode = clean(row.get("addr_address_postcode"))
        if postcode and postcode.upper() in _PROTECTED_POSTCODES:
            protected = True  # the SSD blanks a protected address and writes CON: nothing to match on
            continue
        parts = _address_parts(row.get("addr_address_json"))
        address = drop_empty({
            **parts,
            "postcode": postcode,
            "from": date_part(row.get("addr_address_start_date")),
            "to": date_part(row.get("addr_address_end_date")),
        })
        if address.keys() & {"line1", "postcode"}:
            addresses.append(address)
    return addresses, protected


def _address_parts(raw: Any) -> dict[str, Any]:
    """line1/town/uprn from the SSD address JSON; a plain string (some extracts) becomes line1."""
    text = clean(raw)
    if text is None:
        return {}
    try:
        parsed = orjson.loads(text)
    except orjson.JSONDecodeError:
        return {"line1": text}
    if not isinstance(parsed, dict):
        return {"line1": text}
    parts = {str(k).upper(): clean(v) for k, v in parsed.items()}
    flat = parts.get("FLAT")
    if flat and not re.match(r"(?i)^(flat|apartment|apt|unit)\b", flat):
        flat = f"Flat {flat}"
    street = " ".join(p for p in (parts.get("HOUSE"), parts.get("STREET")) if p) or None
    line1 = ", ".join(p for p in (parts.get("ROOM"), flat, parts.get("BUILDING"), street) if p) or None
    return drop_empty({"line1": line1, "town": parts.get("TOWN"), "uprn": parts.get("UPRN")})


def _row_text(row: dict[str, Any]) -> str:
    return orjson.dumps({k: v for k, v in row.items() if k is not None}).decode()


def sniff_ssd(path: Path, head: bytes) -> bool:
    """An SSD table: a CSV whose header names SSD person or linked-identifier columns."""
    if path.suffix.lower() != ".csv":
        return False
    first = head.split(b"\n", 1)[0]
    return any(column in first for column in (b"pers_person_id", b"link_person_id", b"addr_person_id",
                                              b"fami_person_id"))


register(Format(
    name="ssd",
    description="Standard Safeguarding Dataset CSV: ssd_person plus the linked-identifier, address and "
                "family tables beside it",
    default_source=DEFAULT_SOURCE,
    maps="stable person id, names, DOB, sex, NHS number, UPN, ULN, PNC id, NI number (current of the "
         "valid-from/to history; all kept), former UPN, addresses with dates and UPRN, family ids",
    read=read_ssd,
    sniff=sniff_ssd,
))
