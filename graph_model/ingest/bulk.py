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

# Node files: (label, file, columns); relationship files: (type, file, columns). A column is
# (property, header). The first node column is the importer's id, stored as that property.
_RECORD_PROPERTIES = (
    "source", "source_id", "given_name", "middle_names", "family_name", "given_norm", "middle_norm", "family_norm",
    "given_canon", "given_groups", "family_parts", "given_phonetic", "family_phonetic", "dob", "dob_raw",
    "dob_precision", "dob_flag", "sex", "recorded_at", "extra", "flags", "content_hash", "street_address",
    "unkeyed_postcodes",
)
_ARRAYS = frozenset({"given_groups", "family_parts", "flags", "unkeyed_postcodes"})
RECORD_HEADER = ["uid:ID(Record)", *(f"{p}:string[]" if p in _ARRAYS else p for p in _RECORD_PROPERTIES),
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
    "stubs": ("Record", ["uid:ID(Record)", "source", "source_id", "stub:boolean"]),
    "addresses": ("Address", ["key:ID(Address)", *(p + (":boolean" if p == "placeholder" else "")
                                                  for p in _ADDRESS_PROPERTIES)]),
    "phones": ("Phone", ["e164:ID(Phone)", "kind"]),
    "emails": ("Email", ["address:ID(Email)"]),
    "identifiers": ("Identifier", ["key:ID(Identifier)", "scheme", "value", "valid:boolean"]),
    "schools": ("School", ["urn:ID(School)", "name"]),
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


def _ids(start: str, end: str) -> str:
    """A relationship row of two ids (strings: a record's uid and a shared node's key), quoted inline unless one
    holds a double quote: most rows are these, and a list and a pass through _line cost more than the quoting."""
    if '"' in start or '"' in end:
        return _line([start, end])
    return f'"{start}","{end}"'


def _record_lines(record: PreparedRecord, ingested_at: str) -> list[tuple[str, str]]:
    """(file, CSV line) of the record's own row and of its relationships, in file order."""
    props = record.props
    uid = record.uid
    lines = [("records", _line([uid, *map(props.get, _RECORD_PROPERTIES), ingested_at]))]
    for link in record.addresses:
        lines.append(("has_address", _line([uid, link["key"], link["from"], link["to"], link["current"]])))
    for phone in record.phones:
        lines.append(("has_phone", _ids(uid, phone["e164"])))
    for email in record.emails:
        lines.append(("has_email", _ids(uid, email["address"])))
    for identifier in record.identifiers:
        lines.append(("has_identifier", _ids(uid, identifier["key"])))
    if record.school:
        lines.append(("attends", _ids(uid, record.school["urn"])))
    for rel in record.relationships:
        lines.append(("related", _line([uid, rel["target_uid"], rel["type"]])))
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


class _SharedNodes:
    """The shared nodes seen so far and whether each has its late value (an Address's UPRN, a School's name):
    the reading process keeps a node's first sighting and a late value first seen after it, as the
    transactional MERGE and coalesce do; a worker uses the same memory to send only such sightings."""

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
    """One chunk of input prepared and formatted in a worker: the CSV text of its records and their
    relationships, the shared nodes it saw (as rows; the reading process keeps each node's first sighting),
    the relationship targets, rejections and warning counts. Strings, not objects: it crosses a process
    boundary, and a prepared record costs ~30 us to unpickle where its CSV text costs almost nothing."""

    read: int
    uids: list[str]
    rows: dict[str, str]  # file -> text of the rows (records and relationships), in input order
    counts: dict[str, int]
    nodes: list[tuple[str, str, str, str | None]]  # (file, key, CSV line, late value), in input order
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
        # Every value the indexes hold is written in the record's rows: when the rows together are no longer
        # than a value may be, none is too long and the values need not be gathered (nearly every record).
        if ((not record_lines or sum([len(line) for _, line in record_lines]) > _INDEX_KEY_CHARACTERS)
                and _too_long_for_index(record)):
            rejections.append(_too_long_rejection(outcome, location))
            continue
        _check_properties(record)
        Loader.count_warnings(record, warnings)
        for name, key, node, late in _node_sightings(record):
            if sent.nodes.news(name, key, late):
                line = _line(_node_fields(name, node))
                multiline = multiline or _has_line_break(line)
                nodes.append((name, key, line, late))
        uids.append(record.uid)
        for name, line in record_lines:
            lines[name].append(line)
        for rel in record.relationships:
            if rel["target_uid"] not in sent.targets:
                sent.targets.add(rel["target_uid"])
                targets.append((rel["target_uid"], record.source, rel["target_source_id"]))
    # Each row ends in a line break: joined with an empty last element rather than copying the text to add one.
    rows = {name: "\n".join([*text, ""]) for name, text in lines.items() if text}
    # A line break inside a row: a carriage return, or more newlines than the rows' own (one check a file).
    multiline = multiline or any("\r" in text or text.count("\n") != len(lines[name]) for name, text in rows.items())
    return StagedChunk(len(items), uids, rows, {name: len(lines[name]) for name in rows}, nodes, targets,
                       rejections, warnings, multiline)


def _forget_sent() -> None:
    global _sent
    _sent = None


class BulkStager:
    """Writes prepared records as the importer's CSV files, each shared node once, in ``folder``."""

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
        self._records: set[str] = set()
        self._targets: dict[str, tuple[str, str]] = {}  # relationship targets not (yet) seen as records
        self._nodes = _SharedNodes()
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
        for name, key, node, late in _node_sightings(record):
            self._sighting(name, key, late, _node_fields(name, node))
        if record.uid in self._records:
            self._later_versions.write(orjson.dumps(record) + b"\n")
            self.later_versions += 1
            return False
        self._records.add(record.uid)
        self._targets.pop(record.uid, None)
        for name, line in _record_lines(record, self.ingested_at):
            self._write_line(name, line)
        for rel in record.relationships:
            if rel["target_uid"] not in self._records:
                self._targets.setdefault(rel["target_uid"], (record.source, rel["target_source_id"]))
        return True

    def _sighting(self, name: str, key: str, late: str | None, fields: list[Any] | str) -> None:
        """Each shared node once, with its first sighting's properties (as the transactional MERGE); a late
        value first seen after its node is kept to be set after the import (as the transactional coalesce)."""
        news = self._nodes.news(name, key, late)
        if news == "node":
            self._write_line(name, fields if isinstance(fields, str) else _line(fields))
        elif news == "late" and late is not None:  # "late" implies a value; the test narrows the type
            self._late[name][key] = late

    def can_take(self, chunk: StagedChunk) -> bool:
        """False when the chunk holds a later version of a record (then it is staged record by record)."""
        return len(set(chunk.uids)) == len(chunk.uids) and self._records.isdisjoint(chunk.uids)

    def add_chunk(self, chunk: StagedChunk) -> None:
        """Stage a chunk formatted by :func:`stage_chunk`; the files end up as :meth:`add` would write them."""
        # The chunk's new shared nodes are written once per file, in sighting order, rather than a write per line;
        # their line breaks are in chunk.multiline (the worker checked every node line it sent).
        new_lines: dict[str, list[str]] = {name: [] for name in _SHARED_NODE_FILES}
        for name, key, line, late in chunk.nodes:
            news = self._nodes.news(name, key, late)
            if news == "node":
                new_lines[name].append(line)
            elif news == "late" and late is not None:
                self._late[name][key] = late
        for name, lines in new_lines.items():
            if lines:
                self._files[name].write("\n".join([*lines, ""]))
                self.counts[name] += len(lines)
        for name, text in chunk.rows.items():
            self._files[name].write(text)
            self.counts[name] += chunk.counts[name]
        self.multiline = self.multiline or chunk.multiline
        self._records.update(chunk.uids)
        for uid in chunk.uids:
            self._targets.pop(uid, None)
        for target_uid, source, target_source_id in chunk.targets:
            if target_uid not in self._records:
                self._targets.setdefault(target_uid, (source, target_source_id))

    def finish(self) -> None:
        """Stub records for relationship targets never loaded; close every file."""
        for uid, (source, source_id) in self._targets.items():
            self._write("stubs", [uid, source, source_id, True])
        self._targets.clear()
        for handle in self._files.values():
            handle.close()
        self._later_versions.close()

    def later_records(self) -> Iterator[PreparedRecord]:
        with open(self.folder / "later_versions.jsonl", "rb") as fh:
            for line in fh:
                yield PreparedRecord(**orjson.loads(line))

    def importer_arguments(self) -> list[str]:
        args = [f"--nodes={label}={self.folder / (name + '.csv')}" for name, (label, _) in NODE_FILES.items()]
        args += [f"--relationships={kind}={self.folder / (name + '.csv')}"
                 for name, (kind, _) in RELATIONSHIP_FILES.items()]
        args += ["--array-delimiter=U+001F", f"--multiline-fields={'true' if self.multiline else 'false'}"]
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

