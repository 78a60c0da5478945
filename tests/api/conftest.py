"""Fixtures for the API: a real uvicorn with the real Neo4j, and graph state built by real ingest + resolve."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from neo4j import Driver

from api.config import ApiSettings
from graph_model.config import Settings
from graph_model.db import Database
from tests.api.helpers import ApiServer
from tests.api.seed import Seeded, seed_family

TEST_SECRET = "tests-only-development-secret-0123456789abcdef-0123456789abcdef-0123456789"


@pytest.fixture(scope="session")
def api_settings(test_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> ApiSettings:
    # Patient timeouts: on a machine shared with other servers a cold query can take seconds; the tests check
    # behaviour, and the ones about timeouts set their own.
    return ApiSettings(database=test_settings, mode="development", jwt_secret=TEST_SECRET,
                       linkage_model=tmp_path_factory.mktemp("model") / "linkage-model.json",
                       query_timeout=30.0, audit_timeout=30.0, request_timeout=60.0)


@pytest.fixture(scope="session")
def api(api_settings: ApiSettings, driver: Driver) -> Iterator[ApiServer]:
    """The API served by uvicorn on 127.0.0.1 for the whole session."""
    server = ApiServer(api_settings).start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def seeded(api: ApiServer, driver: Driver, tmp_path_factory: pytest.TempPathFactory) -> Seeded:
    """The seeded families, resolved for real (once per module: tests read, they do not change it)."""
    db = Database(driver)
    return seed_family(db, tmp_path_factory.mktemp("seed"))


def empty(db: Database) -> None:
    db.run("admin/delete_all_batch", {"batch_size": 10000})


@pytest.fixture()
def fresh_db(driver: Driver) -> Database:
    """An emptied database for tests that change it (the module seed is rebuilt by the next module)."""
    db = Database(driver)
    empty(db)
    return db

