"""What the API's commands share: API settings from the environment, and running async work."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable
from typing import TypeVar

from api.audit import AuditLog
from api.cli.common import settings
from api.config import ApiSettings
from api.policy import Policy, load_policy
from api.store import AsyncDatabase, connect_async

__all__ = ["api_settings", "policy_from_environ", "with_audit"]

T = TypeVar("T")


def api_settings(**overrides: str) -> ApiSettings:
    """API settings from this process's environment (the CLI is the one place that reads it)."""
    environ = {**os.environ, **overrides}
    return ApiSettings.from_mapping(environ, database=settings())


def policy_from_environ() -> Policy:
    path = os.environ.get("MASHGRAPH_POLICY_FILE")
    from pathlib import Path

    return load_policy(Path(path) if path else None)


def with_audit(work: Callable[[AsyncDatabase, AuditLog], Awaitable[T]], *, timeout: float = 30.0) -> T:
    """Run ``work`` with a connected database and the audit log (direct writes, no group commit)."""

    async def main() -> T:
        current = settings()
        driver = connect_async(current)
        try:
            db = AsyncDatabase(driver, current.neo4j_database, timeout=timeout)
            from api.audit import ensure_audit_schema

            await ensure_audit_schema(db)
            return await work(db, AuditLog(db, timeout=timeout))
        finally:
            await driver.close()

    return asyncio.run(main())
