"""The project's exception tree.

    MashgraphError
    ├── ConfigError        settings missing or invalid (all problems listed at once)
    ├── DatabaseError      Neo4j unreachable, failed to start, or a query failed
    │   └── DatabaseUnavailable
    ├── CypherError        a statement file is missing or malformed
    └── InputError         a record or file that cannot be read (carries where and why)

Driver and library errors are wrapped where they enter the project (``raise ... from exc``),
so callers only need to catch ``MashgraphError``.
"""

from __future__ import annotations


class MashgraphError(Exception):
    """Root of every error the project raises on purpose."""

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.hint = hint

    def __str__(self) -> str:
        base = super().__str__()
        return f"{base} ({self.hint})" if self.hint else base


class ConfigError(MashgraphError):
    """Settings are missing or invalid."""


class DatabaseError(MashgraphError):
    """The graph database failed."""


class DatabaseUnavailable(DatabaseError):
    """The graph database cannot be reached."""


class CypherError(MashgraphError):
    """A Cypher statement file is missing or malformed."""


class InputError(MashgraphError):
    """Input that cannot be read: a file, a line, a record."""
