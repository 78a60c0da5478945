"""Shared fixtures: a real Neo4j with GDS for the whole test session.

By default the tests start their own local server (a separate home and port from the demo's, so
running the tests never touches demo data) and stop it at the end. Set ``MASHGRAPH_TEST_NEO4J_URI``
(+ ``_USER``/``_PASSWORD``) to use an external Neo4j with GDS instead, and
``MASHGRAPH_TEST_KEEP_DB=1`` to leave the local test server running between runs (faster locally).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from neo4j import Driver

from graph_model.config import Settings
from graph_model.db import Database, connect
from graph_model.localdb import LocalNeo4j


def _test_settings() -> Settings:
    if os.environ.get("MASHGRAPH_TEST_NEO4J_URI"):
        return Settings(
            neo4j_uri=os.environ["MASHGRAPH_TEST_NEO4J_URI"],
            neo4j_user=os.environ.get("MASHGRAPH_TEST_NEO4J_USER", "neo4j"),
            neo4j_password=os.environ.get("MASHGRAPH_TEST_NEO4J_PASSWORD"),
        )
    data_dir = Path(os.environ.get("MASHGRAPH_TEST_DATA_DIR", Path(tempfile.gettempdir()) / "mashgraph-test-db"))
    return Settings(data_dir=data_dir, bolt_port=int(os.environ.get("MASHGRAPH_TEST_BOLT_PORT", "7688")),
                    neo4j_heap="2g", neo4j_pagecache="512m")


@pytest.fixture(scope="session")
def test_settings() -> Iterator[Settings]:
    settings = _test_settings()
    started = False
    if not settings.external:
        started = LocalNeo4j(settings).start()
    yield settings
    if started and not os.environ.get("MASHGRAPH_TEST_KEEP_DB"):
        LocalNeo4j(settings).stop()


@pytest.fixture(scope="session")
def driver(test_settings: Settings) -> Iterator[Driver]:
    drv = connect(test_settings)
    Database(drv).ensure_schema()
    yield drv
    drv.close()


@pytest.fixture()
def db(driver: Driver) -> Database:
    """The real database, emptied before the test (schema kept)."""
    database = Database(driver)
    database.run("admin/delete_all_batch", {"batch_size": 10000})
    return database


@pytest.fixture()
def cli_env(test_settings: Settings, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Environment that points the `mashgraph` CLI at the test database."""
    env = {"MASHGRAPH_DATA_DIR": str(test_settings.data_dir), "MASHGRAPH_BOLT_PORT": str(test_settings.bolt_port)}
    if test_settings.external:
        env = {"NEO4J_URI": test_settings.bolt_uri, "NEO4J_USER": test_settings.neo4j_user,
               "NEO4J_PASSWORD": test_settings.neo4j_password or ""}
    for key in ("NEO4J_URI", "NEO4J_USER", "NEO4J_PASSWORD", "MASHGRAPH_DATA_DIR", "MASHGRAPH_BOLT_PORT"):
        monkeypatch.delenv(key, raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    from api.cli import common

    common.settings.cache_clear()
    return env


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """When the whole suite ran green, every Cypher statement must have run in some test."""
    import cypher

    config = session.config
    selected_all = not config.option.keyword and not config.option.markexpr and not config.args[1:] and (
        not config.args or Path(config.args[0]).resolve() == (Path(config.rootpath) / "tests").resolve()
        or Path(config.args[0]).resolve() == Path(config.rootpath).resolve())
    if exitstatus != 0 or not selected_all or session.testscollected == 0:
        return
    never_ran = sorted(set(cypher.all_statements()) - cypher.used)
    if never_ran:
        print(f"\nCypher statements that no test ran: {never_ran}")
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
