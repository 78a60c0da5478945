"""`mashgraph token`: a token signed with the development key, for trying the API out and for tests."""

from __future__ import annotations

import typer

from api.cli.common import console, fail, reported_errors
from api.cli.service import api_settings, policy_from_environ


def token(
    user: str = typer.Option(..., help="User id (the sub claim)."),
    agency: str = typer.Option(..., help="Agency code from the sharing policy (police, health, education, ...)."),
    role: str = typer.Option(..., help="Role from the sharing policy (practitioner, analyst, steward, system, ig_lead)."),
    ttl: int = typer.Option(3600, min=1, max=86400, help="Seconds until it expires."),
    clearance: list[str] = typer.Option([], help="A clearance claim, e.g. restricted_address (repeatable)."),
) -> None:
    """Print a bearer token signed with the development HS256 key (accepted only with MASHGRAPH_ENV=development)."""
    from api.auth import issue_dev_token

    with reported_errors():
        policy = policy_from_environ()
        if agency not in policy.agencies:
            raise fail(f"unknown agency {agency!r}; the policy knows: {', '.join(policy.agencies)}", code=2)
        if role not in policy.roles:
            raise fail(f"unknown role {role!r}; the policy knows: {', '.join(policy.roles)}", code=2)
        settings = api_settings(MASHGRAPH_ENV="development", MASHGRAPH_JWT_ALGORITHMS="HS256")
        import os

        if os.environ.get("MASHGRAPH_ENV") != "development":
            console.print("[yellow]note: development tokens are accepted only by a server run with "
                          "MASHGRAPH_ENV=development[/]")
        typer.echo(issue_dev_token(settings, user=user, agency=agency, role=role, ttl=ttl, clearances=clearance))


def register(app: typer.Typer) -> None:
    app.command()(token)
