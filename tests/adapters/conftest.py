"""Helpers for the adapter tests: where the shipped fixtures are, reading a file through a format."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from graph_model.db import Database
from graph_model.ingest import ReadOptions, get_format
from graph_model.ingest.readers import SourceItem

FIXTURES = Path(__file__).resolve().parents[2] / "graph_model" / "adapters" / "fixtures"


def read_items(fmt: str, path: Path, **options: Any) -> list[SourceItem]:
    """Every item the format's reader yields for ``path`` (records and errors, in order)."""
    return list(get_format(fmt).read(path, ReadOptions(**options)))


def records_of(items: list[SourceItem]) -> list[dict[str, Any]]:
    return [item.record for item in items if item.record is not None]


def errors_of(items: list[SourceItem]) -> list[tuple[int, str]]:
    return [(item.line, item.error) for item in items if item.error is not None]


def query(db: Database, text: str, **parameters: Any) -> list[dict[str, Any]]:
    rows, _, _ = db.driver.execute_query(text, parameters)
    return [row.data() for row in rows]


@pytest.fixture()
def fixtures() -> Path:
    return FIXTURES
