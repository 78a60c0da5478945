"""Column mappings from an agency's CSV export onto the canonical record schema (TOML files).

Example (``police.toml``)::

    source = "police"               # agency code; --source overrides it
    [columns]                       # canonical field -> column name
    source_id = "NominalRef"
    given_name = "Forename"
    family_name = "Surname"
    dob = "DateOfBirth"             # DD/MM/YYYY and ISO forms are both understood
    sex = "Gender"                  # Male/Female/M/F/U...
    recorded_at = "LastUpdated"
    [[addresses]]                   # one table per address a row carries
    line1 = "Address1"
    line2 = "Address2"
    town = "Town"
    postcode = "Postcode"
    from = "AddressFrom"
    [phones]
    columns = ["HomePhone", "Mobile"]
    [emails]
    columns = ["Email"]
    [identifiers]                   # scheme -> column
    pnc_id = "PNCID"
    [school]
    urn = "SchoolURN"
    name = "SchoolName"

Columns not mapped are kept on the record as extra fields, so nothing is lost.
"""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from graph_model.errors import InputError

__all__ = ["CsvMapping", "bundled_mappings", "load_mapping"]

_SCALARS = ("source_id", "given_name", "middle_names", "family_name", "dob", "sex", "recorded_at")
_ADDRESS_PARTS = ("line1", "line2", "town", "postcode", "from", "to", "uprn")


@dataclass(frozen=True)
class CsvMapping:
    source: str | None
    columns: dict[str, str]
    addresses: list[dict[str, str]] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)
    emails: list[str] = field(default_factory=list)
    identifiers: dict[str, str] = field(default_factory=dict)
    school: dict[str, str] = field(default_factory=dict)
    delimiter: str = ","
    encoding: str = "utf-8-sig"

    def used_columns(self) -> set[str]:
        used = set(self.columns.values()) | set(self.phones) | set(self.emails)
        used |= set(self.identifiers.values()) | set(self.school.values())
        for address in self.addresses:
            used |= set(address.values())
        return used

    def missing_columns(self, header: Sequence[str]) -> list[str]:
        return sorted(self.used_columns() - set(header))

    def apply(self, row: dict[str, str]) -> dict[str, Any]:
        def get(column: str | None) -> str | None:
            if not column:
                return None
            value = (row.get(column) or "").strip()
            return value or None

        record: dict[str, Any] = {"source": self.source}
        for name in _SCALARS:
            record[name] = get(self.columns.get(name))
        record["addresses"] = [
            {part: get(column) for part, column in address.items()}
            for address in self.addresses
            if get(address.get("line1")) or get(address.get("postcode"))
        ]
        record["phones"] = [v for v in (get(c) for c in self.phones) if v]
        record["emails"] = [v for v in (get(c) for c in self.emails) if v]
        record["identifiers"] = {s: v for s, c in self.identifiers.items() if (v := get(c))}
        if self.school and get(self.school.get("urn")):
            record["school"] = {"urn": get(self.school.get("urn")), "name": get(self.school.get("name"))}
        used = self.used_columns()
        for column, value in row.items():
            if column not in used and value not in (None, ""):
                record[column] = value
        return record


def load_mapping(path: Path | str) -> CsvMapping:
    """Read and check a mapping file; a name without a path picks a bundled mapping (e.g. ``housing``)."""
    path = Path(path)
    if not path.is_file() and path.suffix == "" and path.name in bundled_mappings():
        text = resources.files("graph_model.ingest").joinpath(f"mappings/{path.name}.toml").read_text()
        origin = f"bundled mapping {path.name}"
    else:
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise InputError(f"cannot read mapping {path}: {exc.strerror}") from exc
        origin = str(path)
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{origin} is not valid TOML: {exc}") from exc

    problems: list[str] = []
    columns = document.get("columns", {})
    if not isinstance(columns, dict) or "source_id" not in columns:
        problems.append("[columns] must map source_id to a column")
        columns = columns if isinstance(columns, dict) else {}
    for key in columns:
        if key not in _SCALARS:
            problems.append(f"[columns] has unknown field {key!r} (known: {', '.join(_SCALARS)})")
    addresses = document.get("addresses", [])
    for index, address in enumerate(addresses):
        for key in address:
            if key not in _ADDRESS_PARTS:
                problems.append(f"[[addresses]] #{index + 1} has unknown part {key!r}")
    known = {"source", "columns", "addresses", "phones", "emails", "identifiers", "school", "delimiter", "encoding"}
    for key in document:
        if key not in known:
            problems.append(f"unknown section {key!r}")
    if problems:
        raise InputError(f"{origin} is not a valid mapping:\n  " + "\n  ".join(problems))
    return CsvMapping(
        source=document.get("source"),
        columns=dict(columns),
        addresses=[dict(a) for a in addresses],
        phones=list(document.get("phones", {}).get("columns", [])),
        emails=list(document.get("emails", {}).get("columns", [])),
        identifiers=dict(document.get("identifiers", {})),
        school=dict(document.get("school", {})),
        delimiter=document.get("delimiter", ","),
        encoding=document.get("encoding", "utf-8-sig"),
    )


def bundled_mappings() -> list[str]:
    folder = resources.files("graph_model.ingest").joinpath("mappings")
    return sorted(p.name[: -len(".toml")] for p in folder.iterdir() if p.name.endswith(".toml"))
