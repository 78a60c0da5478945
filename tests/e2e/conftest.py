"""End-to-end fixtures: `mashgraph serve` as a real process on 127.0.0.1 against the real test Neo4j, graph
state from real ingest and resolution, and Debian's Chromium (no downloaded browser) driven by Playwright.

Chromium: ``/usr/bin/chromium`` (``MASHGRAPH_CHROMIUM`` names another); `.ci/run` installs it when missing.
Screenshots go to ``test-artefacts/e2e/`` (git-ignored), kept after the run for people to look at.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from neo4j import Driver
from playwright.sync_api import Browser, Page, Playwright, ViewportSize, sync_playwright

from api.auth import issue_dev_token
from api.config import ApiSettings
from graph_model.config import Settings
from graph_model.db import Database
from tests.api.helpers import free_port
from tests.api.seed import Seeded, seed_family

CHROMIUM = Path(os.environ.get("MASHGRAPH_CHROMIUM", "/usr/bin/chromium"))
ARTEFACTS = Path(__file__).resolve().parents[2] / "test-artefacts" / "e2e"
SECRET = "e2e-tests-only-development-secret-0123456789abcdef-0123456789abcdef-012345"
# The flags a root, sandboxed, offline machine needs: no sandbox (root), no GPU, and no calls home.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]
VIEWPORT: ViewportSize = {"width": 1366, "height": 768}


@dataclass
class Served:
    """`mashgraph serve` in its own process."""

    url: str
    settings: ApiSettings
    process: subprocess.Popen[bytes]
    log: Path

    def token(self, *, agency: str, role: str, user: str = "e2e", clearances: tuple[str, ...] = ()) -> str:
        return issue_dev_token(self.settings, user=user, agency=agency, role=role, ttl=3600, clearances=list(clearances))

    def graphql(self, query: str, variables: dict[str, Any], *, agency: str, role: str, purpose: str) -> dict[str, Any]:
        """The public API, as the page calls it: what a test expects is computed from here, never hard-coded."""
        token = self.token(agency=agency, role=role, user="e2e-oracle")
        response = httpx.post(f"{self.url}/graphql", json={"query": query, "variables": variables}, timeout=120,
                              headers={"Authorization": f"Bearer {token}", "X-Purpose": purpose})
        payload = response.json()
        assert "errors" not in payload, payload["errors"]
        return payload["data"]  # type: ignore[no-any-return]


def _server_environment(test_settings: Settings, model: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEO4J_", "MASHGRAPH_"))}
    env.update({"MASHGRAPH_ENV": "development", "MASHGRAPH_JWT_SECRET": SECRET, "MASHGRAPH_LINKAGE_MODEL": str(model),
                # A shared 2-core machine can be slow: the pages' tests are about the pages, not about timeouts.
                "MASHGRAPH_REQUEST_TIMEOUT": "60", "MASHGRAPH_QUERY_TIMEOUT": "50", "MASHGRAPH_AUDIT_TIMEOUT": "30",
                # A wide review band, so the small seeded family's scored links all reach the review queue.
                "MASHGRAPH_REVIEW_LOWER": "-10", "MASHGRAPH_REVIEW_UPPER": "40"})
    if test_settings.external:
        env.update({"NEO4J_URI": test_settings.bolt_uri, "NEO4J_USER": test_settings.neo4j_user,
                    "NEO4J_PASSWORD": test_settings.neo4j_password or ""})
    else:
        env.update({"MASHGRAPH_DATA_DIR": str(test_settings.data_dir), "MASHGRAPH_BOLT_PORT": str(test_settings.bolt_port)})
    return env


@pytest.fixture(scope="session")
def served(test_settings: Settings, driver: Driver, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    home = tmp_path_factory.mktemp("serve")
    port = free_port()
    env = _server_environment(test_settings, home / "linkage-model.json")
    log = home / "serve.log"
    with log.open("wb") as sink:
        process = subprocess.Popen([sys.executable, "-m", "api.cli.main", "serve", "--port", str(port),
                                    "--log-level", "warning"], env=env, stdout=sink, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"mashgraph serve exited with {process.returncode}: {log.read_text()[-2000:]}")
        try:
            if httpx.get(f"{url}/readyz", timeout=5).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            process.terminate()
            raise RuntimeError(f"mashgraph serve did not become ready: {log.read_text()[-2000:]}")
        time.sleep(0.3)
    settings = ApiSettings.from_mapping(env, database=test_settings)
    yield Served(url=url, settings=settings, process=process, log=log)
    process.terminate()
    try:
        process.wait(30)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.fixture(scope="module")
def family(served: Served, driver: Driver, tmp_path_factory: pytest.TempPathFactory) -> Seeded:
    """The API tests' seeded families (tests/api/seed.py), loaded and resolved for real."""
    return seed_family(Database(driver), tmp_path_factory.mktemp("seed"))


@pytest.fixture(scope="session")
def playwright_session() -> Iterator[Playwright]:
    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(playwright_session: Playwright) -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(f"Chromium is needed for the page tests: apt-get install chromium (or set MASHGRAPH_CHROMIUM); "
                    f"{CHROMIUM} does not exist")
    browser = playwright_session.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture()
def page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A fresh browser context (no storage shared between tests) at 1366 x 768; console errors fail the test."""
    context = browser.new_context(viewport=VIEWPORT, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(90_000)  # generous: a shared 2-core machine can be very busy
    problems: list[str] = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    yield page
    context.close()
    # A refused resource or a CSP violation shows up as a console error: none is expected.
    assert not [p for p in problems if "status of 40" not in p], problems


def screenshot(page: Page, name: str) -> Path:
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTEFACTS / f"{name}.png"
    page.screenshot(path=str(path))
    return path
