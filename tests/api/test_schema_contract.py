"""The committed schema.graphql is the contract with practitioners' systems.

It must match the code, and no change may break a client unless the field, argument or enum value was first
marked ``@deprecated(reason:)`` in the committed schema. Compared with the working tree's schema.graphql and,
when git has one, with the last committed version (so regenerating the file cannot hide a breaking change).
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from graphql import GraphQLSchema, build_schema, find_breaking_changes

from api.graphql.schema import schema_sdl

ROOT = Path(__file__).resolve().parents[2]
SCHEMA_FILE = ROOT / "schema.graphql"
_COORDINATE = re.compile(r"\b([A-Z][A-Za-z0-9_]*)\.([A-Za-z_][A-Za-z0-9_]*)")
_ENUM_VALUE = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*) was removed from enum type ([A-Za-z_][A-Za-z0-9_]*)")


def _deprecated(schema: GraphQLSchema, type_name: str, member: str) -> bool:
    named = schema.get_type(type_name)
    if named is None:
        return False
    fields = getattr(named, "fields", None)
    if fields and member in fields:
        return bool(fields[member].deprecation_reason)
    values = getattr(named, "values", None)
    if values and member in values:
        return bool(values[member].deprecation_reason)
    return False


def unannounced_breaking_changes(old_sdl: str, new_sdl: str) -> list[str]:
    """Breaking changes from old to new whose field or value was not deprecated in old first."""
    old, new = build_schema(old_sdl), build_schema(new_sdl)
    problems = []
    for change in find_breaking_changes(old, new):
        enum_value = _ENUM_VALUE.match(change.description)
        match = _COORDINATE.search(change.description)
        member = (enum_value.group(2), enum_value.group(1)) if enum_value else (match.groups() if match else None)
        if member and "removed" in change.description and _deprecated(old, *member):
            continue  # removing what was deprecated first is the agreed way to break
        problems.append(f"{change.type.name}: {change.description}")
    return problems


def committed_schema() -> str | None:
    try:
        result = subprocess.run(["git", "show", "HEAD:schema.graphql"], cwd=ROOT, capture_output=True, text=True,
                                timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return result.stdout if result.returncode == 0 else None


def test_schema_file_matches_the_code() -> None:
    assert SCHEMA_FILE.read_text(encoding="utf-8") == schema_sdl(), (
        "schema.graphql is out of date: run `mashgraph schema --out schema.graphql` and review the diff")


@pytest.mark.parametrize("baseline", ["working tree", "last commit"])
def test_no_breaking_change_without_deprecation(baseline: str) -> None:
    old = SCHEMA_FILE.read_text(encoding="utf-8") if baseline == "working tree" else committed_schema()
    if old is None:
        pytest.skip("no committed schema.graphql yet")
    problems = unannounced_breaking_changes(old, schema_sdl())
    assert not problems, "breaking changes not first marked @deprecated(reason:):\n" + "\n".join(problems)


def test_the_check_catches_a_removed_field_and_allows_a_deprecated_one() -> None:
    current = schema_sdl()
    without_aliases = re.sub(r'\n  """Other names[^\n]*"""\n  aliases: \[String!\]\n', "\n", current)
    assert without_aliases != current
    problems = unannounced_breaking_changes(current, without_aliases)
    assert problems == ["FIELD_REMOVED: Field Person.aliases was removed."]
    deprecated = current.replace("  aliases: [String!]\n", '  aliases: [String!] @deprecated(reason: "use names")\n')
    assert unannounced_breaking_changes(deprecated, without_aliases) == []
    retyped = current.replace("  aliases: [String!]\n", "  aliases: String\n")
    assert unannounced_breaking_changes(current, retyped)
    removed_value = current.replace("  SPLIT\n", "")
    assert unannounced_breaking_changes(current, removed_value)
    deprecated_value = current.replace("  SPLIT\n", '  SPLIT @deprecated(reason: "no longer reported")\n')
    assert unannounced_breaking_changes(deprecated_value, removed_value) == []
