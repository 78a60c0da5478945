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
