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
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

import orjson

import cypher
from graph_model.config import Settings
from graph_model.db import Database
from graph_model.errors import DatabaseError, InputError
from graph_model.ingest.loader import Loader, LoadSummary, write_records
from graph_model.ingest.preparing import PreparePool, Rejection, prepare_items
from graph_model.ingest.quarantine import Quarantine
from graph_model.localdb import LocalNeo4j
from graph_model.records import PreparedRecord

__all__ = ["BulkResult", "BulkStager", "bulk_ingest", "forget_old_bookmarks"]

# Between the elements of a list property (given_groups, family_parts, flags): a control character no
# normalised value holds; one that does is refused before the database is touched.
ARRAY_DELIMITER = "\x1f"

# Node files: (label, file, columns); relationship files: (type, file, columns). A column is
# (property, header). The first node column is the importer's id, stored as that property.
_RECORD_PROPERTIES = (
    "source", "source_id", "given_name", "middle_names", "family_name", "given_norm", "middle_norm", "family_norm",
    "given_canon", "given_groups", "family_parts", "given_phonetic", "family_phonetic", "dob", "dob_raw",
    "dob_precision", "dob_flag", "sex", "recorded_at", "extra", "flags", "content_hash",
)
_ARRAYS = frozenset({"given_groups", "family_parts", "flags"})
RECORD_HEADER = ["uid:ID(Record)", *(f"{p}:string[]" if p in _ARRAYS else p for p in _RECORD_PROPERTIES),
                 "ingested_at:datetime"]
KNOWN_RECORD_PROPERTIES = frozenset({"uid", *_RECORD_PROPERTIES})
# Neo4j refuses an indexed string longer than its index key (8,167 bytes); the transactional path learns
# that from the refused transaction, the importer only when the schema is built, so values are checked first.
INDEX_KEY_LIMIT = 8000
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
        self._addresses: dict[str, bool] = {}  # key -> the node has a UPRN
        self._schools: dict[str, bool] = {}  # urn -> the node has a name
        self._phones: set[str] = set()
        self._emails: set[str] = set()
        self._identifiers: set[str] = set()
        self.address_uprns: dict[str, str] = {}  # UPRNs first seen after their address: set after the import
        self.school_names: dict[str, str] = {}
        self._later_versions = open(folder / "later_versions.jsonl", "wb")  # noqa: SIM115
        self.later_versions = 0

    def _write(self, name: str, fields: Iterable[Any]) -> None:
        line = ",".join(_field(v) for v in fields)
        if "\n" in line or "\r" in line:
            self.multiline = True
        self._files[name].write(line + "\n")
        self.counts[name] += 1

    @staticmethod
    def too_long_for_index(record: PreparedRecord) -> bool:
        """A value the database's indexes cannot hold (the transactional path sees the database refuse it)."""
        values = [record.props.get(p) for p in _INDEXED_RECORD_PROPERTIES]
        values += [link["key"] for link in record.addresses] + [i["key"] for i in record.identifiers]
        values += [p["e164"] for p in record.phones] + [e["address"] for e in record.emails]
        values += [record.school["urn"]] if record.school else []
        return any(isinstance(v, str) and len(v.encode()) > INDEX_KEY_LIMIT for v in values)

    def add(self, record: PreparedRecord) -> bool:
        """Stage one record; False when it is a later version of a record already staged (it replaces
        that one after the import, through the transactional upsert)."""
        unknown = record.props.keys() - KNOWN_RECORD_PROPERTIES - {"content_hash"}
        if unknown:
            raise InputError(f"the bulk import does not know record properties {sorted(unknown)}")
        self._shared_nodes(record)
        if record.uid in self._records:
            self._later_versions.write(orjson.dumps(record) + b"\n")
            self.later_versions += 1
            return False
        self._records.add(record.uid)
        self._targets.pop(record.uid, None)
        props = record.props
        self._write("records", [record.uid, *(props.get(p) for p in _RECORD_PROPERTIES), self.ingested_at])
        for link in record.addresses:
            self._write("has_address", [record.uid, link["key"], link["from"], link["to"], link["current"]])
        for phone in record.phones:
            self._write("has_phone", [record.uid, phone["e164"]])
        for email in record.emails:
            self._write("has_email", [record.uid, email["address"]])
        for identifier in record.identifiers:
            self._write("has_identifier", [record.uid, identifier["key"]])
        if record.school:
            self._write("attends", [record.uid, record.school["urn"]])
        for rel in record.relationships:
            self._write("related", [record.uid, rel["target_uid"], rel["type"]])
            if rel["target_uid"] not in self._records:
                self._targets.setdefault(rel["target_uid"], (record.source, rel["target_source_id"]))
        return True

    def _shared_nodes(self, record: PreparedRecord) -> None:
        """Each shared node once, with its first sighting's properties (as the transactional MERGE)."""
        for link in record.addresses:
            node, has_uprn = link["node"], self._addresses.get(link["key"])
            if has_uprn is None:
                self._write("addresses", [node["key"], *(node.get(p) for p in _ADDRESS_PROPERTIES)])
                self._addresses[link["key"]] = node.get("uprn") is not None
            elif not has_uprn and node.get("uprn") is not None:
                self.address_uprns[link["key"]] = node["uprn"]
                self._addresses[link["key"]] = True
        for phone in record.phones:
            if phone["e164"] not in self._phones:
                self._phones.add(phone["e164"])
                self._write("phones", [phone["e164"], phone["kind"]])
        for email in record.emails:
            if email["address"] not in self._emails:
                self._emails.add(email["address"])
                self._write("emails", [email["address"]])
        for identifier in record.identifiers:
            if identifier["key"] not in self._identifiers:
                self._identifiers.add(identifier["key"])
                self._write("identifiers", [identifier["key"], identifier["scheme"], identifier["value"],
                                            identifier["valid"]])
        school = record.school
        if school:
            has_name = self._schools.get(school["urn"])
            if has_name is None:
                self._write("schools", [school["urn"], school["name"]])
                self._schools[school["urn"]] = school["name"] is not None
            elif not has_name and school["name"] is not None:
                self.school_names[school["urn"]] = school["name"]
                self._schools[school["urn"]] = True

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
    try:
        started = time.perf_counter()
        stager = BulkStager(staging, ingested_at)
        try:
            for path, items, override in inputs:
                summary = LoadSummary()
                file_started = time.perf_counter()
                with Quarantine(path, quarantine_dir) as quarantine:
                    for outcome in prepare_items(items, str(path), override, pool):
                        summary.read += 1
                        if not isinstance(outcome, Rejection) and stager.too_long_for_index(outcome.record):
                            record = outcome.record
                            outcome = Rejection(str(path), outcome.line, "database_refused",
                                                "a value is too long for the database's index", record.source,
                                                record.source_id)
                        if isinstance(outcome, Rejection):
                            summary.rejected += 1
                            summary.rejection_counts[outcome.reason] = summary.rejection_counts.get(outcome.reason, 0) + 1
                            quarantine.add(outcome)
                            continue
                        Loader.count_warnings(outcome.record, summary)
                        if stager.add(outcome.record):
                            summary.stored += 1
                        else:
                            summary.updated += 1  # a later line of a record: it replaces the earlier one
                        if summary.read % 5000 == 0:
                            on_progress(5000)
                on_progress(summary.read % 5000)
                summary.seconds = time.perf_counter() - file_started
                if summary.rejected:
                    summary.quarantine = quarantine.path
                result.files.append((path, summary))
        finally:
            stager.finish()
        result.stage_seconds = time.perf_counter() - started
        result.nodes = {NODE_FILES[k][0] + ("(stub)" if k == "stubs" else ""): v
                        for k, v in stager.counts.items() if k in NODE_FILES}
        result.relationships = {RELATIONSHIP_FILES[k][0]: v for k, v in stager.counts.items() if k in RELATIONSHIP_FILES}
        _require_empty(db)  # nothing written meanwhile
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

