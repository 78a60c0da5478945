"""Helpers shared by the format adapters: text cleaning, dates, XML streaming, a disk-backed side index.

Nothing here logs or returns personal values in messages: error texts name elements, fields and
line numbers, never the values found in them (the raw input goes to the quarantine file only).
"""

from __future__ import annotations

import csv
import re
import sqlite3
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
from lxml import etree

__all__ = [
    "CsvTable",
    "SideIndex",
    "clean",
    "date_part",
    "drop_empty",
    "element_text",
    "local_name",
        "redact_xsd_message",
    "release",
    "xml_child",
    "xml_children",
    "xml_text",
]

_ISO_DATE = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:[T ].*)?$")
_UK_DATE = re.compile(r"^(\d{1,2}/\d{1,2}/\d{4})(?: .*)?$")


def clean(value: Any) -> str | None:
    """A stripped string, or None for missing/blank values (CSV and XML give '' for absent data)."""
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def date_part(value: Any) -> str | None:
    """The date of a date or timestamp as exported by SQL Server/Oracle/XML (time dropped, form kept).

    ``2015-03-04 00:00:00.000`` and ``2015-03-04T10:00:00Z`` become ``2015-03-04``; ``04/03/2015 00:00``
    becomes ``04/03/2015`` (the canonical schema reads DD/MM/YYYY); anything else is passed on as it
    is so that the record's date parser flags it rather than the adapter silently dropping it.
    """
    text = clean(value)
    if text is None:
        return None
    if hasattr(value, "isoformat"):
        return value.isoformat()[:10]
    for pattern in (_ISO_DATE, _UK_DATE):
        match = pattern.match(text)
        if match:
            return match.group(1)
    return text


def drop_empty(record: dict[str, Any]) -> dict[str, Any]:
    """The record without None, empty strings, lists or dicts (keeps ``False`` and ``0``)."""
    return {k: v for k, v in record.items() if v is not None and v != "" and v != [] and v != {}}


def local_name(tag: Any) -> str:
    """An element's name without its namespace (exports differ in whether they declare one)."""
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1]


def xml_text(element: etree._Element | None, *path: str) -> str | None:
    """The stripped text of the child reached by ``path`` (namespace-agnostic), or None."""
    node = element
    for name in path:
        if node is None:
            return None
        node = next((child for child in node if local_name(child.tag) == name), None)
    if node is None:
        return None
    return clean(node.text)


def xml_children(element: etree._Element | None, name: str) -> list[etree._Element]:
    """Direct children called ``name`` (namespace-agnostic)."""
    if element is None:
        return []
    return [child for child in element if local_name(child.tag) == name]


def xml_child(element: etree._Element | None, name: str) -> etree._Element | None:
    """The first direct child called ``name``, or None."""
    children = xml_children(element, name)
    return children[0] if children else None


# Bytes handed to the XML parser at a time: small enough that memory stays flat on large exports.
_XML_CHUNK_BYTES = 64 * 1024


def safe_iterparse(path: Path) -> Iterator[tuple[str, Any]]:
    """Stream an XML file's start and end events with no DTDs, no entity expansion and no network:
    agencies' XML never needs them, and they are how XML attacks (entity expansion, file reads) work.

    Every event parsed before a syntax error is yielded before the error is raised, so a broken file still
    loads the records that came before the break. lxml's own ``iterparse`` does not promise that: from lxml
    6.2 it raises on the first read when the break lies in the first buffer. Feeding a pull parser by hand
    and draining its events after the error keeps the behaviour whatever the library's buffering.
    """
    parser = etree.XMLPullParser(events=("start", "end"), resolve_entities=False, no_network=True,
                                 load_dtd=False, remove_comments=True, remove_pis=True)
    with open(path, "rb") as handle:
        try:
            while chunk := handle.read(_XML_CHUNK_BYTES):
                parser.feed(chunk)
                yield from parser.read_events()
            parser.close()
        except etree.XMLSyntaxError:
            yield from parser.read_events()
            raise
    yield from parser.read_events()


def invert_codes(groups: dict[str, str]) -> dict[str, str]:
    """``{"parent_of": "MTH FTH", ...}`` -> ``{"MTH": "parent_of", "FTH": "parent_of", ...}``."""
    return {code: kind for kind, codes in groups.items() for code in codes.split()}


def release(element: etree._Element) -> None:
    """Free an element read by iterparse, and the siblings before it, so memory stays bounded."""
    element.clear(keep_tail=False)
    parent = element.getparent()
    if parent is not None:
        while element.getprevious() is not None:
            del parent[0]


def element_text(element: etree._Element, limit: int = 20000) -> str:
    """The element serialised (for the quarantine file), cut at ``limit`` characters."""
    return etree.tostring(element, encoding="unicode")[:limit]


def json_text(value: Any, limit: int = 20000) -> str:
    """A JSON value as text (for the quarantine file), cut at ``limit`` characters; what JSON cannot hold, as its repr."""
    try:
        return orjson.dumps(value).decode()[:limit]
    except TypeError:
        return repr(value)[:limit]


_XSD_VALUE = re.compile(r"'[^']*'(?= is not (?:a valid value|accepted|an element of))")
_XSD_THE_VALUE = re.compile(r"The value '[^']*'")


def redact_xsd_message(message: str) -> str:
    """An XSD error message with the offending value removed (it may be a name or a date of birth)."""
    message = _XSD_THE_VALUE.sub("The value", message)
    return _XSD_VALUE.sub("the value", message)


class CsvTable:
    """A CSV file read as a stream of (line number, row); the header (line 1) is read on opening.

    Rows with more cells than the header carry the key ``None`` (as :class:`csv.DictReader` does) so
    that callers can reject them. Use as a context manager, or call :meth:`close`.
    """

    def __init__(self, path: Path) -> None:
        self._handle = open(path, newline="", encoding="utf-8-sig")  # noqa: SIM115 - closed by close()
        self._reader = csv.DictReader(self._handle)
        self.header: list[str] = [name.strip() for name in (self._reader.fieldnames or [])]
        self._reader.fieldnames = self.header

    def __iter__(self) -> Iterator[tuple[int, dict[str, str]]]:
        for row in self._reader:
            yield self._reader.line_num, row

    def close(self) -> None:
        """Close the file."""
        self._handle.close()

    def __enter__(self) -> CsvTable:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class SideIndex:
    """Rows of side tables grouped by a key, held in a temporary SQLite file, not in memory.

    Adapters whose records are spread over several tables (a person table plus identifier, address
    and link tables) load the side tables here once, then stream the main table and look each
    person's rows up, so a multi-GB extract never has to fit in memory.
    """

    def __init__(self) -> None:
        # The rows hold personal data: the folder is private to this user (mkdtemp, mode 0700) and
        # removed on close, also when the reader is abandoned halfway.
        self._dir = tempfile.TemporaryDirectory(prefix="mashgraph-side-")
        self._db = sqlite3.connect(Path(self._dir.name) / "side.sqlite")
        self._db.execute("PRAGMA journal_mode=OFF")
        self._db.execute("PRAGMA synchronous=OFF")
        self._db.execute("CREATE TABLE rows (kind TEXT, key TEXT, seq INTEGER, data BLOB)")
        self._pending: list[tuple[str, str, int, bytes]] = []
        self._seq = 0
        self._indexed = False

    def add(self, kind: str, key: str, row: Any) -> None:
        """Keep ``row`` under (kind, key); rows come back in the order they were added."""
        self._seq += 1
        self._pending.append((kind, key, self._seq, orjson.dumps(row)))
        if len(self._pending) >= 10000:
            self._flush()

    def _flush(self) -> None:
        if self._pending:
            self._db.executemany("INSERT INTO rows VALUES (?, ?, ?, ?)", self._pending)
            self._pending.clear()

    def get(self, kind: str, key: str) -> list[Any]:
        """Every row kept under (kind, key), in insertion order."""
        self._flush()
        if not self._indexed:
            self._db.execute("CREATE INDEX rows_key ON rows (kind, key, seq)")
            self._db.commit()
            self._indexed = True
        cursor = self._db.execute("SELECT data FROM rows WHERE kind = ? AND key = ? ORDER BY seq",
                                  (kind, key))
        return [orjson.loads(data) for (data,) in cursor]

    def first(self, kind: str, key: str) -> Any:
        """The first row kept under (kind, key), or None."""
        rows = self.get(kind, key)
        return rows[0] if rows else None

    def close(self) -> None:
        """Drop the temporary database."""
        self._db.close()
        self._dir.cleanup()

    def __enter__(self) -> SideIndex:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
