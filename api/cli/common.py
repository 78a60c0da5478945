"""What every command shares: settings from the environment, the console, error reporting."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache

import typer
from rich.console import Console
from rich.table import Table

from graph_model.config import Settings
from graph_model.db import Database, connect
from graph_model.errors import MashgraphError

console = Console(stderr=True)
out = Console()

EXIT_FAILURE = 1
EXIT_REJECTED = 3


@cache
def settings() -> Settings:
    """Settings from this process's environment (the CLI is the one place that reads it)."""
    return Settings.from_mapping(os.environ)


def fail(error: MashgraphError | str, code: int = EXIT_FAILURE) -> typer.Exit:
    console.print(f"[bold red]error:[/] {error}")
    return typer.Exit(code)


@contextmanager
def database() -> Iterator[Database]:
    """A connected database for one command; the driver is closed when the command ends."""
    current = settings()
    driver = connect(current)
    try:
        yield Database(driver, current.neo4j_database)
    finally:
        driver.close()


def print_label_counts(rows: list[dict], title: str) -> None:
    """Node counts by label (rows of status/count_by_label) as a table."""
    table = Table("label", "nodes", title=title)
    for row in rows:
        table.add_row(row["label"], str(row["nodes"]))
    out.print(table)


@contextmanager
def reported_errors() -> Iterator[None]:
    """Turn project errors into a one-line message and exit code 1, never a traceback."""
    try:
        yield
    except MashgraphError as exc:
        raise fail(exc) from None
