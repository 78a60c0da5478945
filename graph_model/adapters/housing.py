"""Housing tenancy CSV with UPRN, read with the bundled ``housing`` column mapping.

A housing management system's tenancy export (one row per household member) maps through
``graph_model/ingest/mappings/housing.toml``: ``person_ref`` is the ``source_id``, names, date of birth,
gender, the tenancy address with its start date and UPRN (the mandated public-sector property key,
kept on the address node and as the ``uprn`` identifier), phones and email. Columns the mapping does
not name (tenancy reference, relationship to the lead tenant, ...) are kept as extra fields.
``--mapping`` still wins when given, for a housing system whose columns differ.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from importlib import resources
from pathlib import Path

from graph_model.ingest.formats import Format, ReadOptions, register
from graph_model.ingest.mapping import CsvMapping, load_mapping
from graph_model.ingest.readers import SourceItem, read_csv

__all__ = ["read_housing", "sniff_housing"]

DEFAULT_SOURCE = "housing"
BUNDLED_MAPPING = "housing"


@cache
def _bundled() -> CsvMapping:
    # By file, not by name: load_mapping("housing") would read ./housing instead when the current
    # directory happens to hold a file or folder of that name.
    with resources.as_file(resources.files("graph_model.ingest").joinpath(f"mappings/{BUNDLED_MAPPING}.toml")) as path:
        return load_mapping(path)


def read_housing(path: Path, options: ReadOptions) -> Iterator[SourceItem]:
    """Stream canonical records from a tenancy CSV (the bundled mapping unless ``--mapping`` names one)."""
    mapping = load_mapping(options.mapping) if options.mapping else _bundled()
    source = options.source or mapping.source or DEFAULT_SOURCE
    for item in read_csv(path, mapping):
        if item.record is not None:
            item.record["source"] = source
        yield item


def sniff_housing(path: Path, head: bytes) -> bool:
    """A tenancy CSV: its header has every column the bundled housing mapping reads."""
    if path.suffix.lower() != ".csv":
        return False
    first = head.split(b"\n", 1)[0].decode("utf-8-sig", errors="replace")
    columns = {c.strip().strip('"') for c in first.strip().split(",")}
    return not _bundled().missing_columns(sorted(columns))


register(Format(
    name="housing",
    description="housing tenancy CSV with UPRN (bundled housing column mapping)",
    default_source=DEFAULT_SOURCE,
    maps="person ref, names, DOB, gender, tenancy address with start date and UPRN (address key), phones, "
         "email; tenancy ref and relationship to the lead tenant kept as extra fields",
    read=read_housing,
    sniff=sniff_housing,
))
