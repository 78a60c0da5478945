"""The `mashgraph` command. Each command group lives in its own module."""

from __future__ import annotations

import typer

from api.cli import audit, db, demo, ingest, policy, resolve, retention, serve, token

app = typer.Typer(
    name="mashgraph",
    help="Entity resolution for Multi-Agency Safeguarding Hubs: agency records to people and households.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,  # locals may hold personal data
)
app.add_typer(db.app, name="db")
ingest.register(app)
resolve.register(app)
demo.register(app)
serve.register(app)
token.register(app)
app.add_typer(policy.app, name="policy")
app.add_typer(audit.app, name="audit")
app.add_typer(retention.app, name="retention")

if __name__ == "__main__":
    app()
