"""Settings of the GraphQL service, built once from a mapping the caller gives (the CLI passes ``os.environ``).

The database settings stay in :class:`graph_model.config.Settings`; these are the service's own:
mode, token verification, the sharing-policy file, limits and timeouts. Every invalid value is
reported in one :class:`~graph_model.errors.ConfigError`.

| variable | default | meaning |
| --- | --- | --- |
| ``MASHGRAPH_ENV`` | ``production`` | ``development`` turns on GraphiQL, introspection and the HS256 dev key |
| ``MASHGRAPH_POLICY_FILE`` | shipped default | the sharing policy (YAML) |
| ``MASHGRAPH_POLICY_RELOAD_SECONDS`` | 5 | how often the server checks the policy file for a change (0: never) |
| ``MASHGRAPH_JWT_ISSUER`` | ``mashgraph-dev`` in development | required ``iss`` |
| ``MASHGRAPH_JWT_AUDIENCE`` | ``mashgraph`` | required ``aud`` |
| ``MASHGRAPH_JWT_ALGORITHMS`` | ``HS256`` dev / ``RS256,ES256`` prod | accepted algorithms |
| ``MASHGRAPH_JWT_SECRET`` | generated file in the data dir | HS256 development key |
| ``MASHGRAPH_JWT_PUBLIC_KEY_FILE`` | - | PEM public key (RS256/ES256) |
| ``MASHGRAPH_JWT_JWKS_FILE`` | - | JWKS file (keys chosen by ``kid``) |
| ``MASHGRAPH_JWT_LEEWAY`` | 30 | clock skew allowed on exp/iat (seconds) |
| ``MASHGRAPH_REQUEST_TIMEOUT`` | 10 | seconds before a request is abandoned |
| ``MASHGRAPH_QUERY_TIMEOUT`` | 5 | seconds a single Neo4j statement may run |
| ``MASHGRAPH_AUDIT_TIMEOUT`` | 5 | seconds to wait for the audit write before withholding |
| ``MASHGRAPH_AUDIT_SHARED_HEAD`` | - | file the API processes of one host share the audit head by (``serve --workers``) |
| ``MASHGRAPH_MAX_DEPTH`` / ``_ALIASES`` / ``_TOKENS`` | 12 / 20 / 2000 | query shape limits |
| ``MASHGRAPH_MAX_BODY_BYTES`` | 65536 | largest request body |
| ``MASHGRAPH_MAX_PAGE_SIZE`` | 100 | cap on ``first`` |
| ``MASHGRAPH_NETWORK_MAX_NODES`` | 500 | cap on network and path sizes |
| ``MASHGRAPH_REVIEW_LOWER`` / ``_UPPER`` | -2 / 6 | match weights (bits) between which a link is uncertain (review queue) |
| ``MASHGRAPH_INGEST_MAX_RECORDS`` | 100 | most records one ``ingestRecords`` call may push |
| ``MASHGRAPH_STEWARD_REASON_MIN`` | 10 | shortest reason a steward decision accepts (characters) |
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from graph_model.config import Settings
from graph_model.errors import ConfigError

__all__ = ["DEVELOPMENT", "PRODUCTION", "ApiSettings", "dev_secret"]

DEVELOPMENT = "development"
PRODUCTION = "production"
_ASYMMETRIC = frozenset({"RS256", "RS384", "RS512", "ES256", "ES384", "ES512", "PS256", "PS384", "PS512"})
_SYMMETRIC = frozenset({"HS256", "HS384", "HS512"})

_KEYS: dict[str, tuple[str, type]] = {
    "mode": ("MASHGRAPH_ENV", str),
    "policy_file": ("MASHGRAPH_POLICY_FILE", Path),
    "policy_reload_seconds": ("MASHGRAPH_POLICY_RELOAD_SECONDS", float),
    "jwt_issuer": ("MASHGRAPH_JWT_ISSUER", str),
    "jwt_audience": ("MASHGRAPH_JWT_AUDIENCE", str),
    "jwt_algorithms": ("MASHGRAPH_JWT_ALGORITHMS", str),
    "jwt_secret": ("MASHGRAPH_JWT_SECRET", str),
    "jwt_public_key_file": ("MASHGRAPH_JWT_PUBLIC_KEY_FILE", Path),
    "jwt_jwks_file": ("MASHGRAPH_JWT_JWKS_FILE", Path),
    "jwt_leeway": ("MASHGRAPH_JWT_LEEWAY", int),
    "request_timeout": ("MASHGRAPH_REQUEST_TIMEOUT", float),
    "query_timeout": ("MASHGRAPH_QUERY_TIMEOUT", float),
    "audit_timeout": ("MASHGRAPH_AUDIT_TIMEOUT", float),
    "audit_shared_head": ("MASHGRAPH_AUDIT_SHARED_HEAD", Path),
    "batch_window": ("MASHGRAPH_BATCH_WINDOW", float),
    "max_depth": ("MASHGRAPH_MAX_DEPTH", int),
    "max_aliases": ("MASHGRAPH_MAX_ALIASES", int),
    "max_tokens": ("MASHGRAPH_MAX_TOKENS", int),
    "max_body_bytes": ("MASHGRAPH_MAX_BODY_BYTES", int),
    "max_page_size": ("MASHGRAPH_MAX_PAGE_SIZE", int),
    "network_max_nodes": ("MASHGRAPH_NETWORK_MAX_NODES", int),
    "linkage_model": ("MASHGRAPH_LINKAGE_MODEL", Path),
    "review_lower": ("MASHGRAPH_REVIEW_LOWER", float),
    "review_upper": ("MASHGRAPH_REVIEW_UPPER", float),
    "ingest_max_records": ("MASHGRAPH_INGEST_MAX_RECORDS", int),
    "steward_reason_min": ("MASHGRAPH_STEWARD_REASON_MIN", int),
}


@dataclass(frozen=True)
class ApiSettings:
    """Everything the service needs besides the database. Build with :meth:`from_mapping`."""

    database: Settings = field(default_factory=Settings)
    mode: str = PRODUCTION
    policy_file: Path | None = None  # None: the shipped default policy
    policy_reload_seconds: float = 5.0  # a changed policy file is loaded within this time (0: never)
    jwt_issuer: str = "mashgraph-dev"
    jwt_audience: str = "mashgraph"
    jwt_algorithms: tuple[str, ...] = ("HS256",)
    jwt_secret: str | None = None
    jwt_public_key_file: Path | None = None
    jwt_jwks_file: Path | None = None
    jwt_leeway: int = 30
    request_timeout: float = 10.0
    query_timeout: float = 5.0
    audit_timeout: float = 5.0
    audit_shared_head: Path | None = None  # the workers of `serve --workers N` share the audit head through it
    # Concurrent requests' shared reads and audit appends start at least this many seconds apart (batched meanwhile):
    # fewer statements under load, no wait for a request alone (api/service/coalesce.py, api/audit/_log.py).
    batch_window: float = 0.002
    max_depth: int = 12
    max_aliases: int = 20
    max_tokens: int = 2000
    max_body_bytes: int = 65536
    max_page_size: int = 100
    network_max_nodes: int = 500
    network_max_hops: int = 3
    path_max_hops: int = 6
    hub_max_degree: int = 25  # an address/phone/school with more people than this is not expanded
    search_max_candidates: int = 400
    linkage_model: Path | None = None
    review_lower: float = -2.0  # review queue: uncertain links weigh at least this (bits) ...
    review_upper: float = 6.0  # ... and less than this
    ingest_max_records: int = 100
    steward_reason_min: int = 10
    steward_reason_max: int = 2000
    review_max_items: int = 5000  # the review queue is ordered over at most this many links and people

    @property
    def development(self) -> bool:
        return self.mode == DEVELOPMENT

    @property
    def model_path(self) -> Path:
        """The linkage model the last ``mashgraph resolve`` saved (search scores with it)."""
        return self.linkage_model or self.database.data_dir / "linkage-model.json"

    def with_changes(self, **changes: Any) -> ApiSettings:
        return replace(self, **changes)

    @classmethod
    def from_mapping(cls, environ: Mapping[str, str], database: Settings | None = None) -> ApiSettings:
        """Settings from an environment-like mapping; all problems are reported together."""
        database = database or Settings.from_mapping(environ)
        problems: list[str] = []
        values: dict[str, Any] = {}
        for key, (env_name, kind) in _KEYS.items():
            raw = environ.get(env_name)
            if not raw:
                continue
            try:
                values[key] = kind(raw)
            except (TypeError, ValueError):
                problems.append(f"{env_name}: {raw!r} is not a valid {kind.__name__}")
        mode = values.get("mode", PRODUCTION)
        if mode not in (DEVELOPMENT, PRODUCTION):
            problems.append(f"MASHGRAPH_ENV must be {DEVELOPMENT!r} or {PRODUCTION!r}, not {mode!r}")
        default_algorithms = "HS256" if mode == DEVELOPMENT else "RS256,ES256"
        algorithms = tuple(a.strip().upper() for a in values.pop("jwt_algorithms", default_algorithms).split(",")
                           if a.strip())
        unknown = [a for a in algorithms if a not in _ASYMMETRIC | _SYMMETRIC]
        if unknown or not algorithms:
            problems.append(f"MASHGRAPH_JWT_ALGORITHMS: unsupported {unknown or 'empty list'} "
                            f"(choose from {sorted(_ASYMMETRIC | _SYMMETRIC)}; 'none' is never accepted)")
        if mode == PRODUCTION:
            if set(algorithms) & _SYMMETRIC:
                problems.append("production mode accepts only RS*/ES*/PS* tokens: remove HS* from MASHGRAPH_JWT_ALGORITHMS")
            if not values.get("jwt_public_key_file") and not values.get("jwt_jwks_file"):
                problems.append("production mode needs MASHGRAPH_JWT_PUBLIC_KEY_FILE or MASHGRAPH_JWT_JWKS_FILE")
            if not values.get("jwt_issuer"):
                problems.append("production mode needs MASHGRAPH_JWT_ISSUER (the identity provider's issuer)")
        if set(algorithms) & _ASYMMETRIC and not values.get("jwt_public_key_file") and not values.get("jwt_jwks_file") \
                and mode == DEVELOPMENT and "MASHGRAPH_JWT_ALGORITHMS" in environ:
            problems.append("asymmetric algorithms need MASHGRAPH_JWT_PUBLIC_KEY_FILE or MASHGRAPH_JWT_JWKS_FILE")
        for key in ("jwt_public_key_file", "jwt_jwks_file", "policy_file", "audit_shared_head"):
            path = values.get(key)
            if path is not None and not Path(path).is_file():
                problems.append(f"{_KEYS[key][0]}: {path} is not a readable file")
        if values.get("review_lower", cls.review_lower) >= values.get("review_upper", cls.review_upper):
            problems.append("MASHGRAPH_REVIEW_LOWER must be below MASHGRAPH_REVIEW_UPPER")
        for key in ("max_depth", "max_aliases", "max_tokens", "max_body_bytes", "max_page_size", "network_max_nodes",
                    "ingest_max_records", "steward_reason_min"):
            if key in values and values[key] < 1:
                problems.append(f"{_KEYS[key][0]} must be at least 1")
        if values.get("policy_reload_seconds", 0) < 0:
            problems.append("MASHGRAPH_POLICY_RELOAD_SECONDS must not be negative")
        if not 0 <= values.get("batch_window", 0) <= 1:
            problems.append("MASHGRAPH_BATCH_WINDOW must be between 0 and 1 (seconds)")
        for key in ("request_timeout", "query_timeout", "audit_timeout"):
            if key in values and values[key] <= 0:
                problems.append(f"{_KEYS[key][0]} must be positive")
        if problems:
            raise ConfigError("invalid API settings:\n  " + "\n  ".join(problems))
        return cls(database=database, jwt_algorithms=algorithms, **values)


def dev_secret(settings: ApiSettings) -> str:
    """The HS256 development key: ``MASHGRAPH_JWT_SECRET``, else a random key kept (0600) in the data dir.

    Development only: production verifies asymmetric signatures and holds no signing key.
    """
    if settings.jwt_secret:
        return settings.jwt_secret
    if not settings.development:
        raise ConfigError("the development signing key is only available with MASHGRAPH_ENV=development")
    path = settings.database.data_dir / "api" / "dev-jwt-secret"
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_urlsafe(48)
    try:
        # Created 0600 before the secret is written, so it is never readable by others.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process created it first
        return path.read_text(encoding="utf-8").strip()
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(secret)
    return secret
