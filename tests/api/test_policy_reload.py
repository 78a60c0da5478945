"""A changed policy file takes effect in a running server, and nothing decided under the old one outlives it:
not a cached token admission, not a memoised decision, not the version an audit entry records."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from neo4j import Driver

from api.config import ApiSettings
from api.policy import DEFAULT_POLICY, load_policy
from tests.api.helpers import ApiServer

SHIPPED = load_policy().version  # the shipped policy's version, whatever it is now

POLICY_QUERY = "{ policy { version } }"
PERSON_QUERY = 'query P { person(id: "per_0000000000000000") { id } }'


@pytest.fixture()
def policy_file(tmp_path: Path) -> Path:
    path = tmp_path / "policy.yaml"
    path.write_text(DEFAULT_POLICY.read_text(encoding="utf-8"), encoding="utf-8")
    return path


@pytest.fixture()
def server(api_settings: ApiSettings, driver: Driver, policy_file: Path) -> Iterator[ApiServer]:
    settings = api_settings.with_changes(policy_file=policy_file, policy_reload_seconds=0.05)
    server = ApiServer(settings).start()
    yield server
    server.stop()


def rewrite(path: Path, change: Callable[[str], str]) -> None:
    text = change(path.read_text(encoding="utf-8"))
    path.write_text(text, encoding="utf-8")


def wait_for_version(server: ApiServer, version: str, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while server.services.policy.version != version:
        assert time.monotonic() < deadline, f"policy {version} was not loaded"
        time.sleep(0.05)


def latest_entry(server: ApiServer) -> dict[str, object]:
    rows = server.call(server.services.db.read("audit/entries_after", {"after": server.audit_count() - 1,
                                                                       "limit": 1}))
    return dict(rows[0]["entry"])


def test_a_cached_token_is_not_admitted_after_the_policy_drops_its_agency(server: ApiServer, policy_file: Path) -> None:
    token = server.token(agency="probation", role="practitioner", user="officer-7")
    first = server.post(POLICY_QUERY, token=token, purpose="s47_enquiry")
    assert first.status_code == 200 and first.json()["data"]["policy"]["version"] == SHIPPED

    original = policy_file.read_text(encoding="utf-8")
    # The agency is renamed throughout: a token naming the old code names an agency the policy no longer knows.
    rewrite(policy_file, lambda text: text.replace(f'version: "{SHIPPED}"', 'version: "reload-2"').replace(
        "probation", "probation_service"))
    wait_for_version(server, "reload-2")

    refused = server.post(POLICY_QUERY, token=token, purpose="s47_enquiry")
    assert refused.status_code == 401
    entry = latest_entry(server)
    assert entry["decision"] == "refused" and entry["user"] == "officer-7" and entry["policy_version"] == "reload-2"

    policy_file.write_text(original.replace(f'version: "{SHIPPED}"', 'version: "reload-3"'), encoding="utf-8")
    wait_for_version(server, "reload-3")
    again = server.post(POLICY_QUERY, token=token, purpose="s47_enquiry")
    assert again.status_code == 200 and again.json()["extensions"]["policyVersion"] == "reload-3"


def test_a_memoised_decision_does_not_outlive_a_rule_change(server: ApiServer, policy_file: Path) -> None:
    token = server.token(agency="police", role="practitioner")
    allowed = server.post(PERSON_QUERY, token=token, purpose="early_help").json()
    assert "errors" not in allowed and allowed["data"]["person"] is None

    # Early help is no longer a purpose for which practitioners may read the single view.
    rewrite(policy_file, lambda text: text.replace(f'version: "{SHIPPED}"', 'version: "reload-2"').replace(
        "    purposes: [mash_enquiry, s47_enquiry, s17_assessment, early_help]\n    effect: permit\n"
        "  - id: OP-NETWORK",
        "    purposes: [mash_enquiry, s47_enquiry, s17_assessment]\n    effect: permit\n  - id: OP-NETWORK"))
    wait_for_version(server, "reload-2")

    refused = server.post(PERSON_QUERY, token=token, purpose="early_help").json()
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert refused["extensions"]["policyVersion"] == "reload-2"
    entry = latest_entry(server)
    assert entry["policy_version"] == "reload-2" and entry["decision"] == "refused"


def test_an_invalid_policy_file_leaves_the_policy_in_force(server: ApiServer, policy_file: Path) -> None:
    token = server.token(agency="police", role="practitioner")
    rewrite(policy_file, lambda text: text.replace(f'version: "{SHIPPED}"', 'version: "reload-9"').replace(
        "policy_format: 1", "policy_format: 99"))
    time.sleep(0.5)  # ten reload intervals
    assert server.services.policy.version == SHIPPED
    response = server.post(POLICY_QUERY, token=token, purpose="s47_enquiry")
    assert response.status_code == 200 and response.json()["data"]["policy"]["version"] == SHIPPED
