"""`mashgraph policy ...`: check a sharing-policy file and print its decision table."""

from __future__ import annotations

from pathlib import Path

import typer

from api.cli.common import console, fail, out
from api.errors import PolicyInvalid

app = typer.Typer(help="The sharing policy: check a file and see its decisions.", no_args_is_help=True)

_STYLE = {"permit": "green", "redact": "yellow", "deny": "red"}


def _effect(value: str) -> str:
    return f"[{_STYLE.get(value, 'white')}]{value}[/]"


@app.command()
def check(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="The policy file (YAML)."),
    show_all: bool = typer.Option(False, "--all", help="Also list the denied combinations."),
) -> None:
    """Validate a policy (every problem listed) and print its decision table; exit 1 when invalid."""
    from api.policy import PolicyDecisionPoint, category_rows, load_policy, operation_rows

    try:
        policy = load_policy(file)
    except PolicyInvalid as exc:
        console.print(f"[bold red]invalid policy[/] {file}:")
        for problem in exc.problems:
            console.print(f"  - {problem}")
        raise typer.Exit(1) from None
    except Exception as exc:  # an unreadable file is a plain error, not a traceback
        raise fail(str(exc)) from None
    pdp = PolicyDecisionPoint(policy)
    out.print(f"policy [bold]{policy.name}[/] version [bold]{policy.version}[/] (sha256 {policy.digest[:16]}): valid, "
              f"{len(policy.rules)} category rules, {len(policy.operations)} operation rules")
    for warning in policy.warnings:
        console.print(f"[yellow]warning:[/] {warning}")
    groups = [g for g in policy.field_groups if g != "record"]
    out.print("[bold]category decisions[/] (agency, role, purpose, category -> records; field groups that are not "
              "simply the same)")
    for row in category_rows(pdp, include_denied=show_all):
        by_effect: dict[str, list[str]] = {}
        for group in groups:
            by_effect.setdefault(row.fields[group].value, []).append(group)
        fields = "all fields " + row.record.value if set(by_effect) == {row.record.value} else "; ".join(
            f"{effect}: {','.join(names)}" for effect, names in sorted(by_effect.items()))
        owner = " (own records)" if row.owner else ""
        out.print(f"  {row.agency:<12} {row.role:<13} {row.purpose:<17} {row.category:<24}{owner} -> "
                  f"{_effect(row.record.value)} [{row.rule}]  {fields}", soft_wrap=True)
    out.print("[bold]operations[/] (agency, role, purpose -> operations permitted)")
    permitted: dict[tuple[str, str, str], list[str]] = {}
    for op in operation_rows(pdp, include_denied=show_all):
        label = op.operation if op.effect.value == "permit" else f"{op.operation}(deny)"
        permitted.setdefault((op.agency, op.role, op.purpose), []).append(f"{label}[{op.rule}]")
    for (agency, role, purpose), names in permitted.items():
        out.print(f"  {agency:<12} {role:<13} {purpose:<17} -> {', '.join(names)}", soft_wrap=True)
    if not show_all:
        out.print("every combination not listed: [red]deny[/]")
    glass = policy.break_glass
    out.print(f"break-glass lifts {', '.join(sorted(glass.lifts)) or 'nothing'} for {glass.ttl_minutes} minutes "
              f"(justification of at least {glass.min_justification_chars} characters)")
    if policy.restricted_flag:
        out.print(f"records flagged {policy.restricted_flag!r} put their person's addresses in "
                  f"{policy.restricted_category!r}")
