"""First load of an empty database through Neo4j's offline importer (``neo4j-admin database import full``).

The transactional loader pays ~0.5 ms of server time per record (index updates, ~5 MERGEd links, the
transaction log). For the first load of an empty database the offline importer builds the store
directly from CSV files, an order of magnitude faster. This module prepares the records exactly as the
transactional path does (same :func:`graph_model.records.prepare`, same quarantine, same flags), writes
them as the importer's CSV files, then has the local server stopped, the files imported and the server
started again; the schema is built afterwards.

The resulting graph is the one the transactional path builds from the same input (a test compares the
two on demo data): records keyed by uid, shared identifier nodes written once with the properties of
their first sighting (an Address's UPRN and a School's name from the first record that has one, as the
transactional ``coalesce`` does), stub records for relationship targets never loaded, and a later line
of the same record replacing the earlier one (those later versions are upserted through the
transactional path once the import is done).

Only for the project-managed local server: the importer works on the database files.
"""

from __future__ import annotations

import csv
import datetime
import shutil
import tempfile
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any, TextIO

import orjson

import cypher
from graph_model.config import Settings
from graph_model.db import Database
from graph_model.errors import DatabaseError, InputError
from graph_model.gc_policy import rare_full_collections
from graph_model.ingest.loader import Loader, LoadSummary, write_records
from graph_model.ingest.preparing import Prepared, PreparePool, Rejection, prepare_item
from graph_model.ingest.quarantine import Quarantine
from graph_model.ingest.readers import SourceItem
from graph_model.localdb import LocalNeo4j
from graph_model.records import PreparedRecord

__all__ = ["BulkResult", "BulkStager", "StagedChunk", "bulk_ingest", "forget_old_bookmarks", "stage_chunk"]

# Records per chunk prepared and formatted together (in a worker when there is a pool).
CHUNK_SIZE = 500

# Between the elements of a list property (given_groups, family_parts, flags): a control character no
# normalised value holds; one that does is refused before the database is touched.
ARRAY_DELIMITER = "\x1f"

# Node files: (label, columns); relationship files: (type, columns). The first node column is the importer's id:
# an integer the reading process numbers nodes with (see BulkStager), not stored; the next is the node's key.
_RECORD_PROPERTIES = (
    "source", "source_id", "given_name", "middle_names", "family_name", "given_norm", "middle_norm", "family_norm",
    "given_canon", "given_groups", "family_parts", "given_phonetic", "family_phonetic", "dob", "dob_raw",
    "dob_precision", "dob_flag", "sex", "recorded_at", "extra", "flags", "content_hash", "street_address",
    "unkeyed_postcodes",
)
_ARRAYS = frozenset({"given_groups", "family_parts", "flags", "unkeyed_postcodes"})
RECORD_HEADER = [":ID(Record)", "uid", *(f"{p}:string[]" if p in _ARRAYS else p for p in _RECORD_PROPERTIES),
                 "ingested_at:datetime"]
KNOWN_RECORD_PROPERTIES = frozenset({"uid", *_RECORD_PROPERTIES})
# Neo4j refuses an indexed string longer than its index key (8,167 bytes); the transactional path learns
# that from the refused transaction, the importer only when the schema is built, so values are checked first.
INDEX_KEY_LIMIT = 8000
_INDEX_KEY_CHARACTERS = INDEX_KEY_LIMIT // 4
_INDEXED_RECORD_PROPERTIES = ("uid", "source", "given_norm", "family_norm", "family_phonetic", "dob")
_ADDRESS_PROPERTIES = ("flat", "number", "building", "street", "town", "postcode", "other_postcode", "placeholder",
                       "display", "uprn")

NODE_FILES: dict[str, tuple[str, list[str]]] = {
    "records": ("Record", RECORD_HEADER),
    "stubs": ("Record", [":ID(Record)", "uid", "source", "source_id", "stub:boolean"]),
    "addresses": ("Address", [":ID(Address)", "key", *(p + (":boolean" if p == "placeholder" else "")
                                                      for p in _ADDRESS_PROPERTIES)]),
    "phones": ("Phone", [":ID(Phone)", "e164", "kind"]),
    "emails": ("Email", [":ID(Email)", "address"]),
    "identifiers": ("Identifier", [":ID(Identifier)", "key", "scheme", "value", "valid:boolean"]),
    "schools": ("School", [":ID(School)", "urn", "name"]),
}
RELATIONSHIP_FILES: dict[str, tuple[str, list[str]]] = {
    "has_address": ("HAS_ADDRESS", [":START_ID(Record)", ":END_ID(Address)", "from", "to", "current:boolean"]),
    "has_phone": ("HAS_PHONE", [":START_ID(Record)", ":END_ID(Phone)"]),
    "has_email": ("HAS_EMAIL", [":START_ID(Record)", ":END_ID(Email)"]),
    "has_identifier": ("HAS_IDENTIFIER", [":START_ID(Record)", ":END_ID(Identifier)"]),
    "attends": ("ATTENDS", [":START_ID(Record)", ":END_ID(School)"]),
    "related": ("RELATED", [":START_ID(Record)", ":END_ID(Record)", "type"]),
}


def _field(value: Any) -> str:
    """One CSV field: null unquoted and empty (no property), strings quoted (so "" stays an empty string)."""
    if type(value) is str:  # most fields: tested first
        return '"' + value.replace('"', '""') + '"'
    if value is None:
        return ""
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, list):
        for element in value:
            if ARRAY_DELIMITER in element:
                raise InputError("a list value holds the control character U+001F, which the bulk import "
                                 "cannot carry", hint="load this input without --bulk")
        value = ARRAY_DELIMITER.join(value)
    elif not isinstance(value, str):
        value = str(value)
    return '"' + value.replace('"', '""') + '"'


def _line(fields: Iterable[Any]) -> str:
    """One CSV line, without its line break. Strings and nulls (most fields) are written inline, not through
    a call each: a million records hold some 30 million fields; only a string holding a quote is escaped, and
    an f-string quotes the others in fewer steps than concatenation."""
    return ",".join([(f'"{v}"' if '"' not in v else _field(v)) if type(v) is str else "" if v is None
                     else _field(v) for v in fields])


def _check_properties(record: PreparedRecord) -> None:
    if KNOWN_RECORD_PROPERTIES.issuperset(record.props):
        return
    unknown = record.props.keys() - KNOWN_RECORD_PROPERTIES
    if unknown:
        raise InputError(f"the bulk import does not know record properties {sorted(unknown)}")


def _template(line: str) -> str:
    """A row's own fields as a %-format template: its importer ids are filled in later (%d), so a literal % is
    doubled (rare: one test per line)."""
    return line.replace("%", "%%") if "%" in line else line


# Relationship rows whose only fields are their two ends, as a template: most rows are these.
_TWO_IDS = "%d,%d"


def _record_lines(record: PreparedRecord, ingested_at: str) -> list[tuple[str, str, str | None]]:
    """(file, CSV line template, key of the shared node at the row's end) of the record's own row and of its
    relationships, in file order. A template leaves the importer ids to the reading process, which numbers the
    nodes (see BulkStager): %d for the record's id, then for the end's in a row to a shared node; a RELATED
    row names its end record by uid (numbered once every record is known) and the record's id only."""
    props = record.props
    uid = record.uid
    lines: list[tuple[str, str, str | None]] = [
        ("records", "%d," + _template(_line([uid, *map(props.get, _RECORD_PROPERTIES), ingested_at])), None)]
    for link in record.addresses:
        lines.append(("has_address", "%d,%d," + _template(_line([link["from"], link["to"], link["current"]])),
                      link["key"]))
    for phone in record.phones:
        lines.append(("has_phone", _TWO_IDS, phone["e164"]))
    for email in record.emails:
        lines.append(("has_email", _TWO_IDS, email["address"]))
    for identifier in record.identifiers:
        lines.append(("has_identifier", _TWO_IDS, identifier["key"]))
    if record.school:
        lines.append(("attends", _TWO_IDS, record.school["urn"]))
    for rel in record.relationships:
        lines.append(("related", "%d," + _template(_line([rel["target_uid"], rel["type"]])), None))
    return lines


# The files _record_lines writes to.
_RECORD_ROW_FILES = ("records", *RELATIONSHIP_FILES)

# A sighting of a shared node: (file, key, the node's values, late value). The late value is what a later
# sighting may add to a node first seen without it: an Address's UPRN, a School's name.
_Sighting = tuple[str, str, dict[str, Any], str | None]


def _node_sightings(record: PreparedRecord) -> Iterator[_Sighting]:
    for link in record.addresses:
        node = link["node"]
        yield "addresses", link["key"], node, node.get("uprn")
    for phone in record.phones:
        yield "phones", phone["e164"], phone, None
    for email in record.emails:
        yield "emails", email["address"], email, None
    for identifier in record.identifiers:
        yield "identifiers", identifier["key"], identifier, None
    if record.school:
        yield "schools", record.school["urn"], record.school, record.school["name"]


def _node_fields(name: str, node: dict[str, Any]) -> list[Any]:
    """The fields of a shared node's row: formatted only for a node not seen before (most sightings are of
    known nodes: a household's address and phones, an agency's schools)."""
    if name == "addresses":
        return [node["key"], *map(node.get, _ADDRESS_PROPERTIES)]
    if name == "phones":
        return [node["e164"], node["kind"]]
    if name == "emails":
        return [node["address"]]
    if name == "identifiers":
        return [node["key"], node["scheme"], node["value"], node["valid"]]
    return [node["urn"], node["name"]]  # schools


def _too_long_for_index(record: PreparedRecord) -> bool:
    """A value the database's indexes cannot hold (the transactional path sees the database refuse it)."""
    props = record.props
    values = [props.get(p) for p in _INDEXED_RECORD_PROPERTIES]
    values += [link["key"] for link in record.addresses] + [i["key"] for i in record.identifiers]
    values += [p["e164"] for p in record.phones] + [e["address"] for e in record.emails]
    if record.school:
        values.append(record.school["urn"])
    # A character is at most 4 bytes of UTF-8: only a string that long can be too long (few are encoded).
    # A list, not a generator: a generator's resumption per value costs more than the test.
    return bool([v for v in values if isinstance(v, str) and len(v) > _INDEX_KEY_CHARACTERS
                 and len(v.encode()) > INDEX_KEY_LIMIT])


def _refuse_too_long(outcome: Prepared | Rejection, location: str) -> Prepared | Rejection:
    """The outcome, or its rejection when the database's indexes could not hold one of its values."""
    if isinstance(outcome, Rejection) or not _too_long_for_index(outcome.record):
        return outcome
    return _too_long_rejection(outcome, location)


def _too_long_rejection(outcome: Prepared, location: str) -> Rejection:
    return Rejection(location, outcome.line, "database_refused", "a value is too long for the database's index",
                     outcome.record.source, outcome.record.source_id)


def _has_line_break(line: str) -> bool:
    """The importer reads such a file only with --multiline-fields (slower), so it is told."""
    return "\n" in line or "\r" in line


_SHARED_NODE_FILES = ("addresses", "phones", "emails", "identifiers", "schools")
# The relationship file that ends at each kind of shared node.
_LINK_FILES = {"has_address": "addresses", "has_phone": "phones", "has_email": "emails",
               "has_identifier": "identifiers", "attends": "schools"}
# The importer's integer ids. Records are numbered 0, 1, ... in the order they are staged, their stubs after them
# (numbered at the end), each kind of shared node from its own base, in the order first seen. Numbers that
# rise with the order of the node files' rows let the importer's id mapper (sorted ids, a binary search per
# relationship end) find nearby ids in nearby memory: with the string keys themselves as ids, 31% of the
# importer's CPU went to that search, stalling on memory. The bases only keep each kind above the previous one.
_NODE_ID_BASE = {name: (index + 1) << 40 for index, name in enumerate(_SHARED_NODE_FILES)}
# Kinds of shared node that may get a late value (an Address's UPRN, a School's name) after they are first seen.
_LATE_FILES = frozenset({"addresses", "schools"})


class _SharedNodes:
    """The shared nodes a worker has reported so far and whether each had its late value: the reading process
    keeps a node's first sighting and a late value first seen after it, so only such sightings are sent."""

    def __init__(self) -> None:
        self._has_late: dict[str, dict[str, bool]] = {name: {} for name in _SHARED_NODE_FILES}

    def news(self, name: str, key: str, late: str | None) -> str | None:
        """"node" for a node not seen before, "late" for a known node's late value seen first here, else
        None; remembered."""
        known = self._has_late[name]
        has_late = known.get(key)
        if has_late is None:
            known[key] = late is not None
            return "node"
        if not has_late and late is not None:
            known[key] = True
            return "late"
        return None


@dataclass(slots=True)
class StagedChunk:
    """One chunk of input prepared and formatted in a worker: the CSV templates of its records and their
    relationships (the importer ids left for the reading process to fill in: it numbers the nodes), the
    shared nodes it saw (as row templates; the reading process keeps each node's first sighting), the
    relationship targets, rejections and warning counts. Strings, not objects: it crosses a process
    boundary, and a prepared record costs ~30 us to unpickle where its CSV text costs almost nothing."""

    read: int
    uids: list[str]
    rows: dict[str, str]  # file -> %-template of the rows (records and relationships), in input order
    counts: dict[str, int]
    owners: dict[str, list[int]]  # relationship file -> each row's record, as its index in uids
    ends: dict[str, list[str]]  # relationship file to shared nodes -> each row's end, as the node's key
    nodes: list[tuple[str, str, str, str | None]]  # (file, key, row template, late value), in input order
    targets: list[tuple[str, str, str]]  # (target uid, source, target source_id)
    rejections: list[Rejection]
    warnings: LoadSummary  # only warnings and warning_counts
    multiline: bool


class _Sent:
    """What one worker has already reported to the reading process during one bulk import: a sighting
    the reading process would ignore (the node is known, with its late value if this one has it; a
    relationship target already reported) is not sent again."""

    def __init__(self, run: str) -> None:
        self.run = run
        self.nodes = _SharedNodes()
        self.targets: set[str] = set()


_sent: _Sent | None = None  # per worker process; replaced when a new import starts


def stage_chunk(items: list[SourceItem], location: str, source_override: str | None, ingested_at: str,
                run: str) -> StagedChunk:
    """Prepare a chunk of items and format them for the importer (runs in a worker process). ``run``
    names the bulk import, so a worker serving several only filters against its current one."""
    global _sent
    if _sent is None or _sent.run != run:
        _sent = _Sent(run)
    sent = _sent
    uids: list[str] = []
    lines: dict[str, list[str]] = {name: [] for name in _RECORD_ROW_FILES}
    owners: dict[str, list[int]] = {name: [] for name in RELATIONSHIP_FILES}
    ends: dict[str, list[str]] = {name: [] for name in _LINK_FILES}
    nodes: list[tuple[str, str, str, str | None]] = []
    targets: list[tuple[str, str, str]] = []
    rejections: list[Rejection] = []
    warnings = LoadSummary()
    multiline = False
    for item in items:
        outcome = prepare_item(item, location, source_override)
        if isinstance(outcome, Rejection):
            rejections.append(outcome)
            continue
        record = outcome.record
        try:
            record_lines = _record_lines(record, ingested_at)
        except InputError:  # a value the importer cannot carry stops the import, unless the record is refused
            if not _too_long_for_index(record):
                raise
            record_lines = []
        # Every value the indexes hold is written in the record's rows or is the key of a row's end: when
        # together they are no longer than a value may be, none is too long and the values need not be
        # gathered (nearly every record).
        if ((not record_lines or sum([len(line) + (len(end) if end else 0) for _, line, end in record_lines])
                > _INDEX_KEY_CHARACTERS) and _too_long_for_index(record)):
            rejections.append(_too_long_rejection(outcome, location))
            continue
        _check_properties(record)
        Loader.count_warnings(record, warnings)
        for name, key, node, late in _node_sightings(record):
            if sent.nodes.news(name, key, late):
                line = _line(_node_fields(name, node))
                multiline = multiline or _has_line_break(line)
                nodes.append((name, key, "%d," + _template(line), late))
        index = len(uids)
        uids.append(record.uid)
        for name, line, end in record_lines:
            lines[name].append(line)
            if name != "records":
                owners[name].append(index)
                if end is not None:
                    ends[name].append(end)
        for rel in record.relationships:
            if rel["target_uid"] not in sent.targets:
                sent.targets.add(rel["target_uid"])
                targets.append((rel["target_uid"], record.source, rel["target_source_id"]))
    # Each row ends in a line break: joined with an empty last element rather than copying the text to add one.
    rows = {name: "\n".join([*text, ""]) for name, text in lines.items() if text}
    # A line break inside a row: a carriage return, or more newlines than the rows' own (one check a file).
    multiline = multiline or any("\r" in text or text.count("\n") != len(lines[name]) for name, text in rows.items())
    return StagedChunk(len(items), uids, rows, {name: len(lines[name]) for name in rows},
                       {name: owners[name] for name in rows if name in owners},
                       {name: ends[name] for name in rows if name in ends}, nodes, targets,
                       rejections, warnings, multiline)


def _forget_sent() -> None:
    global _sent
    _sent = None


class BulkStager:
    """Writes prepared records as the importer's CSV files, each shared node once, in ``folder``, and numbers
    the nodes with the importer's integer ids (see _NODE_ID_BASE): it sees every record and shared node in
    input order. Memory: a record's number is its place in the records staged (the uids it keeps anyway, to
    find later versions), a shared node's is kept with its key (the reading process keeps every key anyway,
    to write each node once); a RELATED row waits in a file until the records it ends at are all numbered."""

    def __init__(self, folder: Path, ingested_at: str) -> None:
        self.folder = folder
        self.ingested_at = ingested_at
        self.multiline = False
        self.counts: dict[str, int] = {name: 0 for name in (*NODE_FILES, *RELATIONSHIP_FILES)}
        self._files: dict[str, TextIO] = {}
        for name, (_, header) in {**NODE_FILES, **RELATIONSHIP_FILES}.items():
            handle = open(folder / f"{name}.csv", "w", encoding="utf-8", newline="")  # noqa: SIM115
            handle.write(",".join(header) + "\n")
            self._files[name] = handle
        # RELATED rows with the record's id and the uid of the record they end at, until finish() numbers those
        self._related = open(folder / "related.pending.csv", "w", encoding="utf-8", newline="")  # noqa: SIM115
        # uid of every record staged -> None; a record's importer id is its place in this (insertion) order
        self._records: dict[str, None] = {}
        self._targets: dict[str, tuple[str, str]] = {}  # relationship targets not (yet) seen as records
        # key -> importer id of every shared node seen; negative while a node that may get a late value has none
        self._numbers: dict[str, dict[str, int]] = {name: {} for name in _SHARED_NODE_FILES}
        # late values first seen after their node: set after the import
        self._late: dict[str, dict[str, str]] = {name: {} for name in _SHARED_NODE_FILES}
        self.address_uprns: dict[str, str] = self._late["addresses"]
        self.school_names: dict[str, str] = self._late["schools"]
        self._later_versions = open(folder / "later_versions.jsonl", "wb")  # noqa: SIM115
        self.later_versions = 0

    def _write(self, name: str, fields: Iterable[Any]) -> None:
        self._write_line(name, _line(fields))

    def _write_line(self, name: str, line: str) -> None:
        if _has_line_break(line):
            self.multiline = True
        self._files[name].write(line + "\n")
        self.counts[name] += 1

    def add(self, record: PreparedRecord) -> bool:
        """Stage one record; False when it is a later version of a record already staged (it replaces
        that one after the import, through the transactional upsert)."""
        _check_properties(record)
        new_nodes: dict[str, list[str]] = {name: [] for name in _SHARED_NODE_FILES}
        for name, key, node, late in _node_sightings(record):
            self._sighting(name, key, late, "%d," + _template(_line(_node_fields(name, node))), new_nodes)
        self._write_nodes(new_nodes)
        if record.uid in self._records:
            self._later_versions.write(orjson.dumps(record) + b"\n")
            self.later_versions += 1
            return False
        number = len(self._records)
        self._records[record.uid] = None
        self._targets.pop(record.uid, None)
        lines: dict[str, list[str]] = {}
        ends: dict[str, list[str]] = {}
        for name, line, end in _record_lines(record, self.ingested_at):
            lines.setdefault(name, []).append(line)
            if end is not None:
                ends.setdefault(name, []).append(end)
        for name, templates in lines.items():
            if any(_has_line_break(template) for template in templates):
                self.multiline = True
            self._write_rows(name, "\n".join([*templates, ""]), number, 1, [0] * len(templates), ends.get(name))
            self.counts[name] += len(templates)
        for rel in record.relationships:
            if rel["target_uid"] not in self._records:
                self._targets.setdefault(rel["target_uid"], (record.source, rel["target_source_id"]))
        return True

    def _sighting(self, name: str, key: str, late: str | None, line: str, new_nodes: dict[str, list[str]]) -> None:
        """Each shared node once, with its first sighting's properties (as the transactional MERGE) and the next
        number of its kind; a late value first seen after its node is kept to be set after the import (as the
        transactional coalesce)."""
        numbers = self._numbers[name]
        number = numbers.get(key)
        if number is None:
            number = _NODE_ID_BASE[name] + len(numbers)
            numbers[key] = -number if late is None and name in _LATE_FILES else number
            new_nodes[name].append(line)
        elif number < 0 and late is not None:
            numbers[key] = -number
            self._late[name][key] = late

    def _write_nodes(self, new_nodes: dict[str, list[str]]) -> None:
        """New shared nodes' row templates, numbered in sighting order (their numbers were taken in _sighting)."""
        for name, lines in new_nodes.items():
            if lines:
                end = _NODE_ID_BASE[name] + len(self._numbers[name])
                self._files[name].write("\n".join([*lines, ""]) % tuple(range(end - len(lines), end)))
                self.counts[name] += len(lines)

    def _write_rows(self, name: str, text: str, base: int, records: int, owners: list[int],
                    ends: list[str] | None) -> None:
        """Rows of one file from their template: the records (``records`` of them) numbered from ``base``, a
        relationship's own record ``base`` + its owner index, its shared node's number looked up by key; RELATED
        rows go to the pending file, their end records being numbered by finish()."""
        if name == "records":
            self._files[name].write(text % tuple(range(base, base + records)))
            return
        starts = map(base.__add__, owners)
        if name == "related":
            self._related.write(text % tuple(starts))
            return
        numbers: list[int] = [0] * (2 * len(owners))
        numbers[::2] = starts
        found = map(self._numbers[_LINK_FILES[name]].__getitem__, ends or ())
        numbers[1::2] = map(abs, found) if _LINK_FILES[name] in _LATE_FILES else found
        self._files[name].write(text % tuple(numbers))

    def can_take(self, chunk: StagedChunk) -> bool:
        """False when the chunk holds a later version of a record (then it is staged record by record)."""
        return len(set(chunk.uids)) == len(chunk.uids) and self._records.keys().isdisjoint(chunk.uids)

    def add_chunk(self, chunk: StagedChunk) -> None:
        """Stage a chunk formatted by :func:`stage_chunk`; the files end up as :meth:`add` would write them."""
        # The chunk's new shared nodes are written once per file, in sighting order, rather than a write per line;
        # their line breaks are in chunk.multiline (the worker checked every node line it sent).
        new_nodes: dict[str, list[str]] = {name: [] for name in _SHARED_NODE_FILES}
        all_numbers = self._numbers
        for name, key, line, late in chunk.nodes:
            # _sighting inlined for a known node without news (most sightings a chunk reports: the ones another
            # worker reported first)
            number = all_numbers[name].get(key)
            if number is None or (number < 0 and late is not None):
                self._sighting(name, key, late, line, new_nodes)
        self._write_nodes(new_nodes)
        base = len(self._records)
        self._records.update(dict.fromkeys(chunk.uids))
        for name, text in chunk.rows.items():
            self._write_rows(name, text, base, len(chunk.uids), chunk.owners.get(name, []), chunk.ends.get(name))
            self.counts[name] += chunk.counts[name]
        self.multiline = self.multiline or chunk.multiline
        for uid in chunk.uids:
            self._targets.pop(uid, None)
        for target_uid, source, target_source_id in chunk.targets:
            if target_uid not in self._records:
                self._targets.setdefault(target_uid, (source, target_source_id))

    def finish(self) -> None:
        """Stub records for relationship targets never loaded, numbered after the records; the RELATED rows
        with the numbers of the records they end at; close every file."""
        self._numbers.clear()  # no longer needed: the memory it held serves the numbering of RELATED ends
        self._related.close()
        stubs = len(self._records)
        for number, (uid, (source, source_id)) in enumerate(self._targets.items(), start=stubs):
            self._write_line("stubs", f"{number}," + _line([uid, source, source_id, True]))
        if self.counts["related"]:
            self._write_related(stubs)
        self._targets.clear()
        for handle in self._files.values():
            handle.close()
        self._later_versions.close()

    def _write_related(self, stubs: int) -> None:
        """related.csv from the pending RELATED rows: each end record's uid replaced by its number. Only the
        records some row ends at are looked up, in two passes over the pending rows."""
        pending = self.folder / "related.pending.csv"
        with open(pending, encoding="utf-8", newline="") as fh:
            wanted = {row[1] for row in csv.reader(fh)}
        number_of = {uid: number for number, uid in enumerate(self._records) if uid in wanted}
        number_of.update((uid, number) for number, uid in enumerate(self._targets, start=stubs))
        del wanted
        out = self._files["related"]
        with open(pending, encoding="utf-8", newline="") as fh:
            for start, target, *rest in csv.reader(fh):
                out.write(f"{start},{number_of[target]},{_line(rest)}\n")
        pending.unlink()

    def later_records(self) -> Iterator[PreparedRecord]:
        with open(self.folder / "later_versions.jsonl", "rb") as fh:
            for line in fh:
                yield PreparedRecord(**orjson.loads(line))

    def importer_arguments(self) -> list[str]:
        args = [f"--nodes={label}={self.folder / (name + '.csv')}" for name, (label, _) in NODE_FILES.items()]
        args += [f"--relationships={kind}={self.folder / (name + '.csv')}"
                 for name, (kind, _) in RELATIONSHIP_FILES.items()]
        args += ["--id-type=integer", "--array-delimiter=U+001F",
                 f"--multiline-fields={'true' if self.multiline else 'false'}"]
        return args


@dataclass
class BulkResult:
    files: list[tuple[Path, LoadSummary]] = field(default_factory=list)
    stage_seconds: float = 0.0
    import_seconds: float = 0.0
    schema_seconds: float = 0.0
    later_versions: int = 0
    nodes: dict[str, int] = field(default_factory=dict)
    relationships: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> LoadSummary:
        summary = LoadSummary()
        for _, each in self.files:
            summary.add(each)
        summary.seconds = self.stage_seconds + self.import_seconds + self.schema_seconds
        return summary


def bulk_ingest(
    settings: Settings,
    db: Database,
    inputs: Sequence[tuple[Path, Iterable[Any], str | None]],
    *,
    quarantine_dir: Path | None = None,
    pool: PreparePool | None = None,
    on_progress: Callable[[int], None] = lambda _n: None,
    log: Callable[[str], None] = lambda _msg: None,
) -> BulkResult:
    """Load ``inputs`` (path, its items, the source override) into the EMPTY local database, offline.

    Refuses an external database and a database holding anything. Rejected lines go to each file's
    quarantine file, as with the transactional path; nothing reaches the database until every file has
    been read and prepared.
    """
    if settings.external:
        raise DatabaseError("--bulk needs the project's own local Neo4j: the offline importer writes its files",
                            hint="load an external database without --bulk")
    _require_empty(db)
    server = LocalNeo4j(settings)
    result = BulkResult()
    ingested_at = datetime.datetime.now(datetime.UTC).isoformat().replace("+00:00", "Z")
    staging = Path(tempfile.mkdtemp(prefix="bulk-import-", dir=server.home))
    # The server is stopped while the records are prepared (the import needs it stopped, and stopping
    # takes seconds): nothing can write to the database meanwhile either.
    stopping = ThreadPoolExecutor(max_workers=1, thread_name_prefix="mashgraph-bulk-stop")
    stopped = stopping.submit(server.stop_for_bulk_import)
    stopping.shutdown(wait=False)
    try:
        started = time.perf_counter()
        stager = BulkStager(staging, ingested_at)
        run = uuid.uuid4().hex
        try:
            for path, items, override in inputs:
                file_started = time.perf_counter()
                with Quarantine(path, quarantine_dir) as quarantine:
                    summary = stage_file(stager, items, str(path), override, pool, run, quarantine, on_progress)
                summary.seconds = time.perf_counter() - file_started
                if summary.rejected:
                    summary.quarantine = quarantine.path
                result.files.append((path, summary))
            stop_seconds = stopped.result()
        except BaseException:
            # Given up before the importer ran: the database is as it was (empty); the server runs again.
            wait([stopped])
            server.cancel_bulk_import(log=log)
            raise
        finally:
            stager.finish()
            _forget_sent()  # staged here without a pool: this process's memory of what it reported
        result.stage_seconds = time.perf_counter() - started
        log(f"server stopped in {stop_seconds:.1f} s, while the records were prepared")
        result.nodes = {NODE_FILES[k][0] + ("(stub)" if k == "stubs" else ""): v
                        for k, v in stager.counts.items() if k in NODE_FILES}
        result.relationships = {RELATIONSHIP_FILES[k][0]: v for k, v in stager.counts.items() if k in RELATIONSHIP_FILES}
        log(f"importing {sum(result.nodes.values()):,} nodes and {sum(result.relationships.values()):,} "
            "relationships with neo4j-admin (the server restarts)")
        started = time.perf_counter()
        server.bulk_import(stager.importer_arguments(), report=staging / "import.report", log=log)
        result.import_seconds = time.perf_counter() - started
        started = time.perf_counter()
        forget_old_bookmarks(db)
        db.ensure_schema()
        if stager.address_uprns:
            db.write("ingest/bulk_set_address_uprns",
                     {"rows": [{"key": k, "uprn": v} for k, v in stager.address_uprns.items()]})
        if stager.school_names:
            db.write("ingest/bulk_set_school_names",
                     {"rows": [{"urn": k, "name": v} for k, v in stager.school_names.items()]})
        result.later_versions = stager.later_versions
        if stager.later_versions:
            _upsert(db, stager.later_records())
        result.schema_seconds = time.perf_counter() - started
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return result


def stage_file(stager: BulkStager, items: Iterable[SourceItem], location: str, override: str | None,
               pool: PreparePool | None, run: str, quarantine: Quarantine,
               on_progress: Callable[[int], None] = lambda _n: None) -> LoadSummary:
    """Prepare one file's items and stage them in ``stager``; rejections go to ``quarantine``. ``run`` names
    this bulk import (unique per import: the workers' memory of what they reported is per import)."""
    summary = LoadSummary()
    with rare_full_collections(freeze=True):
        for chunk, staged in _staged_chunks(items, pool, location, override, stager.ingested_at, run):
            if stager.can_take(staged):
                _count_staged(staged, summary, quarantine)
                stager.add_chunk(staged)
            else:  # a later version of a record: the chunk again, here, record by record
                for item in chunk:
                    _stage_one(prepare_item(item, location, override), location, stager, summary, quarantine)
            on_progress(len(chunk))
    return summary


def _staged_chunks(items: Iterable[SourceItem], pool: PreparePool | None, location: str, override: str | None,
                   ingested_at: str, run: str) -> Iterator[tuple[list[SourceItem], StagedChunk]]:
    """The input in chunks, each prepared and formatted by :func:`stage_chunk`: in the pool's workers when
    there is a pool (the CSV text is written there, in parallel, and only strings come back), else here."""
    if pool is not None:
        yield from pool.map_chunks(items, stage_chunk, location, override, ingested_at, run)
        return
    iterator = iter(items)
    while chunk := list(islice(iterator, CHUNK_SIZE)):
        yield chunk, stage_chunk(chunk, location, override, ingested_at, run)


def _count_staged(staged: StagedChunk, summary: LoadSummary, quarantine: Quarantine) -> None:
    summary.read += staged.read
    summary.stored += len(staged.uids)
    for rejection in staged.rejections:
        _reject(rejection, summary, quarantine)
    summary.warnings += staged.warnings.warnings
    for kind, count in staged.warnings.warning_counts.items():
        summary.warning_counts[kind] = summary.warning_counts.get(kind, 0) + count


def _stage_one(outcome: Prepared | Rejection, location: str, stager: BulkStager, summary: LoadSummary,
               quarantine: Quarantine) -> None:
    """One record staged in this process (a chunk holding a later version of a record)."""
    summary.read += 1
    outcome = _refuse_too_long(outcome, location)
    if isinstance(outcome, Rejection):
        _reject(outcome, summary, quarantine)
        return
    Loader.count_warnings(outcome.record, summary)
    if stager.add(outcome.record):
        summary.stored += 1
    else:
        summary.updated += 1  # a later line of a record: it replaces the earlier one


def _reject(rejection: Rejection, summary: LoadSummary, quarantine: Quarantine) -> None:
    summary.rejected += 1
    summary.rejection_counts[rejection.reason] = summary.rejection_counts.get(rejection.reason, 0) + 1
    quarantine.add(rejection)


def _upsert(db: Database, records: Iterator[PreparedRecord], batch_size: int = 2000) -> None:
    """Later lines of records already imported replace them, in file order, as the transactional path does.
    A batch holds each uid once (twice in one UNWIND would link it twice), so a repeat starts a new batch."""
    pending: dict[str, PreparedRecord] = {}
    for record in records:
        if record.uid in pending or len(pending) >= batch_size:
            _transaction(db, list(pending.values()))
            pending = {}
        pending[record.uid] = record
    if pending:
        _transaction(db, list(pending.values()))


def _transaction(db: Database, records: list[PreparedRecord]) -> None:
    with db.driver.session(database=db.database) as session:
        session.execute_write(write_records, records, None)


def forget_old_bookmarks(db: Database) -> None:
    """The imported database restarts its transaction ids: bookmarks the driver kept from before the
    import point past them, and every later query would wait for a transaction that never comes. Replace
    them by the new database's own."""
    with db.driver.session(database=db.database) as session:
        session.run(cypher.text("ingest/any_data")).consume()
        current = session.last_bookmarks().raw_values
    manager = db.driver.execute_query_bookmark_manager
    manager.update_bookmarks(manager.get_bookmarks(), current)


def _require_empty(db: Database) -> None:
    if db.run("ingest/any_data"):
        raise InputError("--bulk loads only an empty database, and this one holds data",
                         hint="load without --bulk (upserts), or `mashgraph db reset --yes` first")

