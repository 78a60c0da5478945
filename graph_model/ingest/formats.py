"""The input formats ``mashgraph ingest`` understands, each a reader onto canonical records.

A format is registered with :func:`register`; ``mashgraph formats`` lists them. Adapters for
agencies' own export formats (FHIR, CTF, ...) register themselves the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from graph_model.errors import InputError
from graph_model.ingest.mapping import load_mapping
from graph_model.ingest.readers import SourceItem, read_csv, read_jsonl

__all__ = ["Format", "ReadOptions", "get_format", "list_formats", "register", "sniff_format"]


@dataclass(frozen=True, slots=True)
class ReadOptions:
    source: str | None = None
    mapping: str | None = None


@dataclass(frozen=True, slots=True)
class Format:
    name: str
    description: str
    default_source: str | None
    maps: str  # what the format maps onto the canonical schema, for `mashgraph formats`
    read: Callable[[Path, ReadOptions], Iterator[SourceItem]]
    sniff: Callable[[Path, bytes], bool]


_REGISTRY: dict[str, Format] = {}


def register(fmt: Format) -> Format:
    _REGISTRY[fmt.name] = fmt
    return fmt


def list_formats() -> list[Format]:
    _load_adapters()
    return list(_REGISTRY.values())


def get_format(name: str) -> Format:
    _load_adapters()
    try:
        return _REGISTRY[name]
    except KeyError:
        raise InputError(f"unknown format {name!r}", hint=f"one of {', '.join(_REGISTRY)}") from None


def sniff_format(path: Path) -> Format:
    """Guess a file's format from its name and first bytes."""
    _load_adapters()
    try:
        with open(path, "rb") as fh:
            head = fh.read(8192)
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror}") from exc
    # Specific adapters first, the generic JSONL/CSV readers last.
    for fmt in sorted(_REGISTRY.values(), key=lambda f: f.name in ("jsonl", "csv")):
        if fmt.sniff(path, head):
            return fmt
    raise InputError(f"cannot tell the format of {path}", hint="pass --format")


def _read_jsonl(path: Path, options: ReadOptions) -> Iterator[SourceItem]:
    return read_jsonl(path)


def _read_csv(path: Path, options: ReadOptions) -> Iterator[SourceItem]:
    if not options.mapping:
        raise InputError(f"{path} is CSV: say how its columns map", hint="pass --mapping FILE.toml (or a bundled name)")
    return read_csv(path, load_mapping(options.mapping))


register(Format(
    name="jsonl", description="canonical records, one JSON object per line", default_source=None,
    maps="every canonical field; unknown fields kept", read=_read_jsonl,
    sniff=lambda path, head: path.suffix.lower() in (".jsonl", ".ndjson") and b'"source_id"' in head,
))
register(Format(
    name="csv", description="an agency's CSV export with a column mapping (--mapping)", default_source=None,
    maps="the columns the mapping names; other columns kept as extra fields", read=_read_csv,
    sniff=lambda path, head: path.suffix.lower() == ".csv",
))

_adapters_loaded = False


def _load_adapters() -> None:
    """Import optional adapter modules so they register (kept lazy: they pull in heavier libraries)."""
    global _adapters_loaded
    if _adapters_loaded:
        return
    _adapters_loaded = True
    try:
        import graph_model.adapters  # noqa: F401
    except ModuleNotFoundError as exc:
        if exc.name != "graph_model.adapters":
            raise
