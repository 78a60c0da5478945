"""Every Cypher statement of the project, one per ``.cypher`` file, loaded by name.

A file ``cypher/<area>/<name>.cypher`` is asked for as ``"<area>/<name>"``. Each file opens with a
header of ``//`` comments::

    // Purpose: what the statement does, in one line or more
    // Parameters: $rows, $batch_id        (or "none")

The loader checks, without a database, that the header is there, that every ``$parameter`` the
statement uses is declared and every declared one is used, and that a file holds one statement.
Code never formats values into Cypher: it passes parameters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

from graph_model.errors import CypherError

__all__ = ["Statement", "all_statements", "load", "text"]

_PARAM = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
_STRING_OR_COMMENT = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|//[^\n]*")


@dataclass(frozen=True, slots=True)
class Statement:
    """One checked Cypher statement."""

    name: str
    text: str
    purpose: str
    parameters: frozenset[str]


def _parse(name: str, source: str) -> Statement:
    header: list[str] = []
    body_lines: list[str] = []
    for line in source.splitlines():
        if not body_lines and line.startswith("//"):
            header.append(line[2:].strip())
        elif body_lines or line.strip():
            body_lines.append(line)
    fields: dict[str, str] = {}
    current = None
    for line in header:
        match = re.match(r"(Purpose|Parameters):\s*(.*)", line)
        if match:
            current = match.group(1).lower()
            fields[current] = match.group(2)
        elif current:
            fields[current] += " " + line
    if not fields.get("purpose"):
        raise CypherError(f"cypher/{name}.cypher has no '// Purpose:' header")
    if "parameters" not in fields:
        raise CypherError(f"cypher/{name}.cypher has no '// Parameters:' header (write 'none' if it takes none)")
    body = "\n".join(body_lines).strip()
    if not body:
        raise CypherError(f"cypher/{name}.cypher holds no statement")
    code_only = _STRING_OR_COMMENT.sub("", body)
    if ";" in code_only.rstrip().rstrip(";"):
        raise CypherError(f"cypher/{name}.cypher holds more than one statement")
    body = body.rstrip().rstrip(";")
    declared = frozenset(_PARAM.findall(fields["parameters"]))
    used = frozenset(_PARAM.findall(code_only))
    if used - declared:
        raise CypherError(f"cypher/{name}.cypher uses undeclared parameters {sorted(used - declared)}")
    if declared - used:
        raise CypherError(f"cypher/{name}.cypher declares unused parameters {sorted(declared - used)}")
    return Statement(name=name, text=body, purpose=fields["purpose"].strip(), parameters=declared)


@cache
def all_statements() -> dict[str, Statement]:
    """Load and check every statement file shipped with the package, keyed by name."""
    root = resources.files(__name__)
    found: dict[str, Statement] = {}

    def walk(node, prefix: str) -> None:  # type: ignore[no-untyped-def]
        for child in sorted(node.iterdir(), key=lambda c: c.name):
            if child.is_dir() and not child.name.startswith("__"):
                walk(child, f"{prefix}{child.name}/")
            elif child.name.endswith(".cypher"):
                name = prefix + child.name[: -len(".cypher")]
                found[name] = _parse(name, child.read_text(encoding="utf-8"))

    walk(root, "")
    return found


# Names asked for in this process; the test suite checks that every statement ran at least once.
used: set[str] = set()


def load(name: str) -> Statement:
    """The statement called ``name`` (e.g. ``"ingest/upsert_records"``)."""
    try:
        statement = all_statements()[name]
        used.add(name)
        return statement
    except KeyError:
        raise CypherError(f"no Cypher statement named {name!r} (expected cypher/{name}.cypher)") from None


def text(name: str) -> str:
    """The Cypher text of the statement called ``name``."""
    return load(name).text
