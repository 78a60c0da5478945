"""Settings, built once from a mapping the caller gives (the CLI passes ``os.environ``).

Library code never reads the environment itself: it receives a :class:`Settings`.

Sources, later ones winning: built-in defaults, a TOML config file (``MASHGRAPH_CONFIG`` or
``<user config dir>/mashgraph/config.toml``), then the environment mapping.

Setting ``NEO4J_URI`` points every command at an external Neo4j (docker compose, a server,
Aura); otherwise the project runs its own local Neo4j under ``data_dir``.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import platformdirs

from graph_model.errors import ConfigError

__all__ = ["Settings", "default_data_dir"]

# Setting name -> (environment variable, type). The config file uses the lower-case names.
_KEYS: dict[str, tuple[str, type]] = {
    "data_dir": ("MASHGRAPH_DATA_DIR", Path),
    "neo4j_uri": ("NEO4J_URI", str),
    "neo4j_user": ("NEO4J_USER", str),
    "neo4j_password": ("NEO4J_PASSWORD", str),
    "neo4j_database": ("NEO4J_DATABASE", str),
    "bolt_port": ("MASHGRAPH_BOLT_PORT", int),
    "neo4j_heap": ("MASHGRAPH_NEO4J_HEAP", str),
    "neo4j_pagecache": ("MASHGRAPH_NEO4J_PAGECACHE", str),
    "neo4j_tx_log_retention": ("MASHGRAPH_NEO4J_TX_LOG_RETENTION", str),
    "java_home": ("MASHGRAPH_JAVA_HOME", Path),
    "batch_size": ("MASHGRAPH_BATCH_SIZE", int),
}


# Neo4j 5.26's own check of db.tx_log.rotation.retention_policy (GraphDatabaseSettings): a value it would refuse at
# start is reported here, with the other settings, instead of as a server that does not come up.
_TX_LOG_RETENTION = re.compile(
    r"true|keep_all|false|keep_none|\d+[KkMmGg]?( (files|size|txs|entries|hours( \d+[KkMmGg]?)?|days( \d+[KkMmGg]?)?))")


def default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir("mashgraph"))


@dataclass(frozen=True)
class Settings:
    """Everything configurable. Build with :meth:`from_mapping`."""

    data_dir: Path = field(default_factory=default_data_dir)
    neo4j_uri: str | None = None
    neo4j_user: str = "neo4j"
    neo4j_password: str | None = None
    neo4j_database: str = "neo4j"
    bolt_port: int = 7687
    neo4j_heap: str = "2g"
    neo4j_pagecache: str = "1g"
    # The local server's db.tx_log.rotation.retention_policy. Neo4j's default keeps two days of transaction logs
    # whatever their size: a few full resolves of a million records write tens of GB, enough to fill a laptop's
    # disk (and Neo4j then stops). Two days, but never more than 2 GiB a database.
    neo4j_tx_log_retention: str = "2 days 2G"
    java_home: Path | None = None
    batch_size: int = 5000

    @property
    def external(self) -> bool:
        """True when an external Neo4j is configured, so no local server is managed."""
        return self.neo4j_uri is not None

    @property
    def local_home(self) -> Path:
        """Home folder of the project-managed Neo4j server."""
        return self.data_dir / "neo4j"

    @property
    def bolt_uri(self) -> str:
        return self.neo4j_uri or f"bolt://127.0.0.1:{self.bolt_port}"

    def with_changes(self, **changes: Any) -> Settings:
        return replace(self, **changes)

    @classmethod
    def from_mapping(cls, environ: Mapping[str, str], config_file: Path | None = None) -> Settings:
        """Settings from an environment-like mapping and an optional TOML file.

        Every invalid value is reported in one :class:`ConfigError`, not just the first.
        """
        if config_file is None and environ.get("MASHGRAPH_CONFIG"):
            config_file = Path(environ["MASHGRAPH_CONFIG"])
        if config_file is None:
            candidate = Path(platformdirs.user_config_dir("mashgraph")) / "config.toml"
            config_file = candidate if candidate.exists() else None

        raw: dict[str, tuple[str, Any]] = {}
        problems: list[str] = []
        if config_file is not None:
            try:
                with open(config_file, "rb") as fh:
                    document = tomllib.load(fh)
            except (OSError, tomllib.TOMLDecodeError) as exc:
                raise ConfigError(f"cannot read config file {config_file}: {exc}") from exc
            for key, value in document.items():
                if key not in _KEYS:
                    problems.append(f"{config_file}: unknown setting {key!r}")
                else:
                    raw[key] = (f"{config_file}:{key}", value)
        for key, (env_name, _) in _KEYS.items():
            if environ.get(env_name):
                raw[key] = (env_name, environ[env_name])

        values: dict[str, Any] = {}
        for key, (origin, value) in raw.items():
            kind = _KEYS[key][1]
            try:
                values[key] = kind(value)
            except (TypeError, ValueError):
                problems.append(f"{origin}: {value!r} is not a valid {kind.__name__}")
        if "bolt_port" in values and not 1 <= values["bolt_port"] <= 65535:
            problems.append(f"bolt_port {values['bolt_port']} is outside 1..65535")
        if "batch_size" in values and values["batch_size"] < 1:
            problems.append("batch_size must be at least 1")
        if "neo4j_uri" in values and not values["neo4j_uri"].startswith(("bolt", "neo4j")):
            problems.append(f"NEO4J_URI {values['neo4j_uri']!r} must start with bolt:// or neo4j://")
        if "neo4j_tx_log_retention" in values and not _TX_LOG_RETENTION.fullmatch(values["neo4j_tx_log_retention"]):
            problems.append(f"neo4j_tx_log_retention {values['neo4j_tx_log_retention']!r} is not a Neo4j retention "
                            "policy (e.g. '2 days 2G', '1G size', '10 files', 'keep_none')")
        if problems:
            raise ConfigError("invalid settings:\n  " + "\n  ".join(problems))
        return cls(**values)
