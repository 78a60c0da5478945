"""Every .cypher file parses and is well-formed without a database; bad files are refused."""

from __future__ import annotations

import re

import pytest

import cypher
from cypher import _parse
from graph_model.errors import CypherError


def test_every_statement_loads_with_header() -> None:
    statements = cypher.all_statements()
    assert len(statements) >= 10
    for name, statement in statements.items():
        assert re.fullmatch(r"[a-z_]+/[a-z0-9_]+", name), name
        assert statement.purpose, name
        assert statement.text and not statement.text.rstrip().endswith(";"), name


def test_unknown_name_is_a_clear_error() -> None:
    with pytest.raises(CypherError, match="no Cypher statement named 'nope/missing'"):
        cypher.load("nope/missing")


@pytest.mark.parametrize(
    ("description", "source", "message"),
    [
        ("no purpose", "// Parameters: none\nRETURN 1", "Purpose"),
        ("no parameters line", "// Purpose: x\nRETURN 1", "Parameters"),
        ("undeclared parameter", "// Purpose: x\n// Parameters: none\nRETURN $a", "undeclared"),
        ("unused parameter", "// Purpose: x\n// Parameters: $a, $b\nRETURN $a", "unused"),
        ("two statements", "// Purpose: x\n// Parameters: none\nRETURN 1; RETURN 2", "more than one"),
        ("empty", "// Purpose: x\n// Parameters: none\n", "no statement"),
    ],
)
def test_malformed_files_are_refused(description: str, source: str, message: str) -> None:
    with pytest.raises(CypherError, match=message):
        _parse("area/name", source)


def test_semicolon_inside_string_is_not_a_second_statement() -> None:
    statement = _parse("area/name", "// Purpose: x\n// Parameters: $a\nRETURN 'a;b' + $a;")
    assert statement.parameters == {"a"}
    assert statement.text.endswith("$a")


def test_every_property_index_of_the_schema_is_looked_up_by_some_statement() -> None:
    """An index costs every write that touches its label, and its population is a share of the schema build after
    a bulk import: each one the schema creates must serve a lookup somewhere (a property matched in a node pattern
    or compared with =, STARTS WITH or IN outside a SET). Index names and the API's own copies aside."""
    statements = cypher.all_statements()
    lookups = "\n".join(
        line.split("SET ")[0] for name, statement in statements.items() if not name.startswith(("schema/", "api/index_"))
        for line in statement.text.splitlines())
    unused = []
    for name, statement in statements.items():
        found = re.fullmatch(r"CREATE INDEX \w+ IF NOT EXISTS FOR \((\w+):(\w+)\) ON \((.+)\)", statement.text.strip())
        if not name.startswith("schema/") or not found:
            continue
        variable, label, columns = found.groups()
        first = columns.split(",")[0].strip().removeprefix(f"{variable}.")  # a composite index: its first property
        pattern = rf"\(\w*:{label}\s*\{{[^}}]*\b{first}\s*:|\.{first}\s*(=|STARTS WITH|IN\b)"
        if not re.search(pattern, lookups):
            unused.append(name)
    assert unused == []
