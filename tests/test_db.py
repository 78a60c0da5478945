"""Driver errors reach callers as the project's errors, naming the statement and Neo4j's code (real Neo4j)."""

from __future__ import annotations

import pytest

from graph_model.db import Database
from graph_model.errors import DatabaseError

MISSING = "Neo.ClientError.Statement.ParameterMissing"


def test_run_names_the_refused_statement(db: Database) -> None:
    with pytest.raises(DatabaseError, match=f"^statement api/person_links failed: {MISSING}"):
        db.run("api/person_links", {})


def test_stream_names_the_refused_statement(db: Database) -> None:
    with pytest.raises(DatabaseError, match=f"^statement api/person_links failed: {MISSING}"):
        list(db.stream("api/person_links", {}))


def test_write_names_the_refused_statement(db: Database) -> None:
    with pytest.raises(DatabaseError, match=f"^statement ingest/create_records failed: {MISSING}"):
        db.write("ingest/create_records", {})
