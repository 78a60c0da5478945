"""`mashgraph serve` and `mashgraph schema`: the GraphQL API, and its schema as SDL."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import typer

from api.cli.common import console, out, reported_errors
from api.cli.service import api_settings

_LOOPBACK = ("127.0.0.1", "::1", "localhost")


def serve(
    host: str = typer.Option("127.0.0.1", help="Interface to listen on (loopback by default; put TLS in front "
                                               "of anything else)."),
    port: int = typer.Option(8080, help="TCP port."),
    workers: int = typer.Option(1, min=1, max=32, help="Worker processes (each with its own driver)."),
    policy: Path | None = typer.Option(None, exists=True, dir_okay=False,
                                       help="Sharing policy file (default: MASHGRAPH_POLICY_FILE or the shipped one)."),
    limit_concurrency: int = typer.Option(400, help="Connections beyond this get HTTP 503."),
    log_level: str = typer.Option("info", help="Log level (logs carry ids and counts, never personal values)."),
) -> None:
    """Serve the GraphQL API (POST /graphql, /healthz, /readyz) under uvicorn."""
    import uvicorn

    from api.app import create_app

    with reported_errors():
        overrides = {"MASHGRAPH_POLICY_FILE": str(policy)} if policy else {}
        current = api_settings(**overrides)
        logging.basicConfig(level=log_level.upper(), format="%(asctime)s %(levelname)s %(name)s %(message)s")
        if host not in _LOOPBACK:
            console.print(f"[yellow]serving on {host}: terminate TLS in front of it (a reverse proxy)[/]")
        mode = "development (GraphiQL and introspection on)" if current.development else "production"
        console.print(f"mashgraph API on http://{host}:{port}/graphql, {mode}")
        options = {"host": host, "port": port, "log_level": log_level.lower(), "server_header": False,
                   "proxy_headers": False, "timeout_keep_alive": 5, "limit_concurrency": limit_concurrency,
                   "timeout_graceful_shutdown": 10}
        if workers > 1:
            from api.audit import create_shared_head
            from api.worker_balance import TABLE_ENV, create_table

            # The workers share the listening socket and keep even shares of its connections (api/worker_balance.py),
            # and chain their audit entries onto the newest head any of them wrote (api/audit/_shared_head.py).
            table, shared_head = create_table(), create_shared_head()
            os.environ.update({**overrides, TABLE_ENV: str(table), "MASHGRAPH_AUDIT_SHARED_HEAD": str(shared_head)})
            try:
                uvicorn.run("api.app:create_app_from_environ", factory=True, workers=workers,
                            loop="api.worker_balance:balanced_event_loop", **options)  # type: ignore[arg-type]
            finally:
                table.unlink(missing_ok=True)
                shared_head.unlink(missing_ok=True)
        else:
            uvicorn.run(create_app(current, tune_gc=True), **options)  # type: ignore[arg-type]


def schema(output: Path | None = typer.Option(None, "--out", help="Write to this file instead of stdout.")) -> None:
    """Print the GraphQL schema (SDL), as committed in schema.graphql."""
    from api.graphql.schema import schema_sdl

    sdl = schema_sdl()
    if output:
        output.write_text(sdl, encoding="utf-8")
        out.print(f"wrote {output}")
    else:
        typer.echo(sdl, nl=False)


def register(app: typer.Typer) -> None:
    app.command()(serve)
    app.command()(schema)
