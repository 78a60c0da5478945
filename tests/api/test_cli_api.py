"""The API's commands: token, schema, policy check, serve (the last as a real process)."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from api.auth import TokenVerifier
from api.cli.main import app as cli
from api.config import ApiSettings
from api.policy import DEFAULT_POLICY, load_policy
from graph_model.config import Settings
from tests.api.conftest import TEST_SECRET
from tests.api.helpers import free_port, serve_env

SHIPPED_VERSION = load_policy().version  # the shipped policy's, whatever it is now

ROOT = Path(__file__).resolve().parents[2]


def run(args: list[str], env: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    from api.cli import common

    common.settings.cache_clear()  # settings are read once per process; each run here has its own environment
    return CliRunner().invoke(cli, args, env={"COLUMNS": "200", **(env or {})}, catch_exceptions=False)


def test_token_prints_a_verifiable_development_token(tmp_path: Path) -> None:
    env = {"MASHGRAPH_ENV": "development", "MASHGRAPH_JWT_SECRET": TEST_SECRET, "MASHGRAPH_DATA_DIR": str(tmp_path)}
    result = run(["token", "--user", "u7", "--agency", "health", "--role", "practitioner", "--ttl", "60",
                  "--clearance", "restricted_address"], env)
    assert result.exit_code == 0, result.output
    token = result.stdout.strip().splitlines()[-1]
    settings = ApiSettings(database=Settings(data_dir=tmp_path), mode="development", jwt_secret=TEST_SECRET)
    principal = TokenVerifier(settings).verify(token)
    assert (principal.user, principal.agency, principal.role) == ("u7", "health", "practitioner")
    assert principal.clearances == {"restricted_address"} and principal.expires_at - time.time() <= 61
    unknown = run(["token", "--user", "u", "--agency", "martians", "--role", "practitioner"], env)
    assert unknown.exit_code == 2 and "police" in unknown.output


def test_the_development_key_is_generated_once_and_private(tmp_path: Path) -> None:
    env = {"MASHGRAPH_ENV": "development", "MASHGRAPH_DATA_DIR": str(tmp_path), "MASHGRAPH_JWT_SECRET": ""}
    first = run(["token", "--user", "u", "--agency", "police", "--role", "analyst"], env)
    second = run(["token", "--user", "u", "--agency", "police", "--role", "analyst"], env)
    assert first.exit_code == second.exit_code == 0
    key = tmp_path / "api" / "dev-jwt-secret"
    assert key.stat().st_mode & 0o777 == 0o600
    settings = ApiSettings(database=Settings(data_dir=tmp_path), mode="development")
    verifier = TokenVerifier(settings)
    for result in (first, second):
        verifier.verify(result.stdout.strip().splitlines()[-1])


def test_schema_prints_the_committed_contract() -> None:
    result = run(["schema"])
    assert result.exit_code == 0
    assert result.stdout == (ROOT / "schema.graphql").read_text(encoding="utf-8")


def test_policy_check_prints_the_decision_table() -> None:
    result = run(["policy", "check", str(DEFAULT_POLICY)])
    assert result.exit_code == 0, result.output
    assert f"version {SHIPPED_VERSION}" in result.stdout and "valid" in result.stdout
    lines = result.stdout.splitlines()
    assert any(line.split()[:5] == ["education", "practitioner", "early_help", "special_category_health", "->"]
               and "permit" in line and "redact" in line for line in lines)
    assert not any(line.split()[:4] == ["education", "practitioner", "early_help", "criminal_offence"] for line in lines)
    assert "every combination not listed: deny" in result.stdout


def test_policy_check_lists_every_problem(tmp_path: Path) -> None:
    broken = tmp_path / "policy.yaml"
    broken.write_text(DEFAULT_POLICY.read_text().replace("effect: permit", "effect: allow", 1)
                      .replace("categories: [ordinary]\n", "categories: [ordinary, gossip]\n", 1))
    result = run(["policy", "check", str(broken)])
    assert result.exit_code == 1
    assert "effect must be one of" in result.output and "unknown category 'gossip'" in result.output


@pytest.mark.slow
def test_serve_answers_on_loopback(test_settings: Settings, tmp_path: Path) -> None:
    port = free_port()
    env = serve_env(test_settings, TEST_SECRET)
    process = subprocess.Popen([sys.executable, "-m", "api.cli.main", "serve", "--port", str(port),
                                "--log-level", "warning"], env=env, cwd=ROOT, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                ready = httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2)
                break
            except httpx.TransportError:
                assert process.poll() is None and time.monotonic() < deadline, process.stdout.read()  # type: ignore[union-attr]
                time.sleep(0.3)
        assert ready.status_code == 200
        response = httpx.post(f"http://127.0.0.1:{port}/graphql", json={"query": "{ policy { version } }"},
                              headers={"x-purpose": "s47_enquiry"}, timeout=10)
        assert response.status_code == 401
    finally:
        process.terminate()
        process.wait(30)
