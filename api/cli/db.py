"""`mashgraph db ...`: the local Neo4j + GDS server (or a check of an external one)."""

from __future__ import annotations

import typer

from api.cli.common import console, database, fail, out, print_label_counts, reported_errors, settings
from graph_model.localdb import LocalNeo4j

app = typer.Typer(help="Run and inspect the Neo4j database (with Graph Data Science).", no_args_is_help=True)


@app.command()
def start(timeout: float = typer.Option(180.0, help="Seconds to wait for Bolt and GDS to answer.")) -> None:
    """Provision (first time) and start the local Neo4j with GDS; idempotent."""
    with reported_errors():
        current = settings()
        if current.external:
            with database() as db:
                row = db.run("status/versions")[0]
            out.print(f"external Neo4j {row['version']} with GDS {row['gds_version']} at {current.bolt_uri}: reachable")
            return
        server = LocalNeo4j(current)
        started = server.start(timeout=timeout, log=lambda msg: console.print(f"[dim]{msg}[/]"))
        with database() as db:
            db.ensure_schema()
        state = "started" if started else "already running"
        out.print(f"Neo4j {state} at {current.bolt_uri} (home {server.home})")


@app.command()
def stop() -> None:
    """Stop the local Neo4j (data is kept)."""
    with reported_errors():
        current = settings()
        if current.external:
            out.print("external Neo4j configured (NEO4J_URI): nothing to stop")
            return
        stopped = LocalNeo4j(current).stop()
        out.print("Neo4j stopped" if stopped else "Neo4j was not running")


@app.command()
def status() -> None:
    """Bolt URI, Neo4j and GDS versions, node counts by label."""
    with reported_errors():
        current = settings()
        if not current.external and not LocalNeo4j(current).state().running:
            raise fail(f"local Neo4j is not running (home {current.local_home}); run `mashgraph db start`")
        with database() as db:
            versions = db.run("status/versions")[0]
            counts = db.run("status/count_by_label")
        out.print(f"bolt: {current.bolt_uri}")
        out.print(f"neo4j: {versions['version']} ({versions['edition']})")
        out.print(f"gds: {versions['gds_version']}")
        print_label_counts(counts, title="nodes by label")


@app.command()
def reset(yes: bool = typer.Option(False, "--yes", help="Confirm: remove ALL data.")) -> None:
    """Remove all data, keeping the server, schema and configuration. Refuses without --yes."""
    if not yes:
        raise fail("`db reset` removes all data; run it again with --yes to confirm", code=2)
    with reported_errors(), database() as db:
        db.run("admin/delete_all_batch", {"batch_size": 10000})
        db.ensure_schema()
        out.print("all data removed")
