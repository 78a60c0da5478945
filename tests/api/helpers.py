"""A real uvicorn on 127.0.0.1 (random free port) in a background thread, and in-process calls into it.

The server runs in this process, so the suite sees which Cypher statements ran. In-process calls go
through the same audited execution path as HTTP (``api.execution.execute_operation``).
"""

from __future__ import annotations

import asyncio
import gc
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Coroutine, Mapping
from typing import Any, TypeVar

import httpx
import uvicorn

from api.app import create_app
from api.auth import Principal, issue_dev_token
from api.config import ApiSettings
from api.execution import Outcome, execute_operation
from api.policy import Policy
from api.service.scope import Services
from graph_model.config import Settings

T = TypeVar("T")


def serve_env(test_settings: Settings, jwt_secret: str) -> dict[str, str]:
    """The environment for a `mashgraph serve` child process: development mode with the tests' key, pointed at
    the tests' database (local or external); nothing inherited that names another database or setting."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEO4J_", "MASHGRAPH_"))}
    env.update({"MASHGRAPH_ENV": "development", "MASHGRAPH_JWT_SECRET": jwt_secret,
                "MASHGRAPH_DATA_DIR": str(test_settings.data_dir), "MASHGRAPH_BOLT_PORT": str(test_settings.bolt_port)})
    if test_settings.external:
        env.update({"NEO4J_URI": test_settings.bolt_uri, "NEO4J_USER": test_settings.neo4j_user,
                    "NEO4J_PASSWORD": test_settings.neo4j_password or ""})
    return env


def kept_after(action: Callable[[], object], kept: Callable[[], list[object]]) -> list[object]:
    """What ``kept`` still finds after ``action`` ran with the cyclic garbage collector off: what a finished request
    leaves only to a reference cycle stays found (it is freed by reference counting otherwise)."""
    gc.collect()
    gc.disable()  # whatever a cycle keeps stays in gc.get_objects() until the collector runs
    try:
        action()
        deadline = time.monotonic() + 5  # the server's loop thread lets go of the finished task shortly after
        while kept() and time.monotonic() < deadline:
            time.sleep(0.05)
        return kept()
    finally:
        gc.enable()


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class ApiServer:
    def __init__(self, settings: ApiSettings, policy: Policy | None = None) -> None:
        self.settings = settings
        self.app = create_app(settings, policy=policy)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(self.app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="on",
                                timeout_keep_alive=5)
        self.server = uvicorn.Server(config)
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self._run, name=f"uvicorn-{self.port}", daemon=True)
        self.http = httpx.Client(base_url=self.url, timeout=30)

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.run_until_complete(self.server.serve())

    def start(self) -> ApiServer:
        self.thread.start()
        deadline = time.monotonic() + 60
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the API server did not start")
            time.sleep(0.05)
        return self

    def stop(self) -> None:
        self.http.close()
        self.server.should_exit = True
        self.thread.join(30)

    # ------------------------------------------------------------------ in process
    @property
    def services(self) -> Services:
        return self.app.state.services  # type: ignore[no-any-return]

    def call(self, coroutine: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(60)

    def execute(self, query: str, *, agency: str, role: str, purpose: str, user: str = "tester",
                clearances: tuple[str, ...] = (), variables: Mapping[str, Any] | None = None) -> Outcome:
        principal = Principal(user, agency, role, frozenset(clearances), time.time() + 3600)
        return self.call(execute_operation(self.services, self.app.state.schema, principal, purpose, uuid.uuid4().hex,
                                           query, dict(variables) if variables else None))

    def data(self, query: str, **kwargs: Any) -> dict[str, Any]:
        """Execute and return ``data``, failing on any error."""
        outcome = self.execute(query, **kwargs)
        assert "errors" not in outcome.payload, outcome.payload.get("errors")
        return outcome.payload["data"]  # type: ignore[no-any-return]

    # ------------------------------------------------------------------ HTTP
    def token(self, *, agency: str, role: str, user: str = "tester", ttl: int = 600,
              clearances: tuple[str, ...] = ()) -> str:
        return issue_dev_token(self.settings, user=user, agency=agency, role=role, ttl=ttl, clearances=list(clearances))

    def post(self, query: str | None = None, *, token: str | None = None, purpose: str | None = None,
             variables: Mapping[str, Any] | None = None, body: Any = None, headers: Mapping[str, str] | None = None,
             content: bytes | None = None) -> httpx.Response:
        sent = {"content-type": "application/json"}
        if token is not None:
            sent["authorization"] = f"Bearer {token}"
        if purpose is not None:
            sent["x-purpose"] = purpose
        sent.update(headers or {})
        if content is None:
            payload = body if body is not None else {"query": query, "variables": dict(variables or {})}
            import orjson

            content = orjson.dumps(payload)
        return self.http.post("/graphql", content=content, headers=sent)

    def audit_count(self) -> int:
        rows = self.call(self.services.db.read("audit/head"))
        return int(rows[0]["seq"]) if rows else 0
