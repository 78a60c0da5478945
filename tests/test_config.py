"""Settings from a mapping and a TOML file; every problem reported at once."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph_model.config import Settings
from graph_model.errors import ConfigError


def test_defaults_are_local_on_loopback(tmp_path: Path) -> None:
    settings = Settings.from_mapping({"MASHGRAPH_DATA_DIR": str(tmp_path)}, config_file=None)
    assert not settings.external
    assert settings.bolt_uri == "bolt://127.0.0.1:7687"
    assert settings.local_home == tmp_path / "neo4j"


def test_environment_points_at_external_neo4j() -> None:
    settings = Settings.from_mapping({"NEO4J_URI": "neo4j+s://x.databases.neo4j.io", "NEO4J_USER": "u",
                                      "NEO4J_PASSWORD": "p"})
    assert settings.external and settings.bolt_uri.startswith("neo4j+s://")


def test_config_file_then_environment_wins(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('neo4j_uri = "bolt://db:7687"\nbolt_port = 7000\nbatch_size = 100\n')
    settings = Settings.from_mapping({"MASHGRAPH_BATCH_SIZE": "50"}, config_file=config)
    assert settings.neo4j_uri == "bolt://db:7687"
    assert settings.bolt_port == 7000
    assert settings.batch_size == 50


def test_all_problems_reported_at_once(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('colour = "blue"\n')
    with pytest.raises(ConfigError) as info:
        Settings.from_mapping({"MASHGRAPH_BOLT_PORT": "seventy", "NEO4J_URI": "http://x", "MASHGRAPH_BATCH_SIZE": "0"},
                              config_file=config)
    message = str(info.value)
    for fragment in ("colour", "seventy", "http://x", "batch_size"):
        assert fragment in message


@pytest.mark.parametrize("policy", ["2 days 2G", "1G size", "10 files", "100k txs", "keep_none", "true", "6 hours"])
def test_transaction_log_retention_takes_neo4j_policies(policy: str) -> None:
    settings = Settings.from_mapping({"MASHGRAPH_NEO4J_TX_LOG_RETENTION": policy}, config_file=None)
    assert settings.neo4j_tx_log_retention == policy


@pytest.mark.parametrize("policy", ["2 weeks", "forever", "2G", "2 days 2 G"])
def test_transaction_log_retention_neo4j_would_refuse_is_reported(policy: str) -> None:
    with pytest.raises(ConfigError, match="neo4j_tx_log_retention"):
        Settings.from_mapping({"MASHGRAPH_NEO4J_TX_LOG_RETENTION": policy}, config_file=None)
