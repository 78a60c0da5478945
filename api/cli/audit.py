"""`mashgraph audit ...`: verify the hash chain; list who accessed a person (reading the audit is audited)."""

from __future__ import annotations

import getpass
import json
import uuid

import typer
from rich.table import Table

from api.cli.common import console, fail, out, reported_errors

app = typer.Typer(help="The tamper-evident audit trail.", no_args_is_help=True)


def _anchor(text: str | None) -> tuple[int, str] | None:
    if not text:
        return None
    seq, _, digest = text.partition(":")
    if not seq.isdigit() or len(digest) != 64:
        raise typer.BadParameter("give the anchor as SEQ:HASH, as a previous `audit verify` printed it")
    return int(seq), digest


@app.command()
def verify(anchor: str | None = typer.Option(None, help="SEQ:HASH printed by an earlier verify: also detects a "
                                                      "chain rewritten since.")) -> None:
    """Recompute the hash chain: exit 0 when intact, 1 naming the first bad entry."""
    from api.audit import AuditEntry, AuditLog
    from api.cli.service import policy_from_environ, with_audit
    from api.store import AsyncDatabase

    expected = _anchor(anchor)
    with reported_errors():
        policy = policy_from_environ()

        async def work(_db: AsyncDatabase, log: AuditLog):  # type: ignore[no-untyped-def]
            report = await log.verify(expected)
            # Reading the audit is itself audited (the verify names no person and discloses no entry).
            await log.append(AuditEntry(
                user=f"cli:{getpass.getuser()}", agency="", role="operator", request_id=uuid.uuid4().hex,
                purpose="audit_review", policy_version=policy.version,
                decision="permitted" if report.ok else "error", operation="audit.verify", channel="cli",
                reason="" if report.ok else "CHAIN_BROKEN"))
            return report

        report = with_audit(work)
    if report.ok:
        out.print(report.describe())
        out.print(f"anchor for later checks: {report.head_seq}:{report.head_hash}")
        return
    console.print(f"[bold red]{report.describe()}[/]")
    raise typer.Exit(1)


@app.command()
def query(
    person: str = typer.Option(..., help="Person id (accesses under their former ids are included)."),
    token: str | None = typer.Option(None, envvar="MASHGRAPH_TOKEN", help="Bearer token of an ig_lead "
                                                                           "(or MASHGRAPH_TOKEN)."),
    limit: int = typer.Option(100, min=1, max=10000, help="How many entries, newest first."),
    as_json: bool = typer.Option(False, "--json", help="Print the entries as JSON lines instead of a table."),
) -> None:
    """Who accessed a person, when and why (information governance lead only; this read is audited)."""
    from api.audit import AuditEntry, AuditLog
    from api.auth import TokenVerifier
    from api.cli.service import api_settings, policy_from_environ, with_audit
    from api.errors import Unauthenticated
    from api.policy import PolicyDecisionPoint, Subject
    from api.store import AsyncDatabase

    with reported_errors():
        if not token:
            raise fail("give the token of an information governance lead: --token or MASHGRAPH_TOKEN", code=2)
        policy = policy_from_environ()
        try:
            principal = TokenVerifier(api_settings()).verify(token)
        except Unauthenticated as exc:
            principal = None
            problem = str(exc)
        subject = Subject(principal.user, principal.agency, principal.role, "audit_review") if principal else None
        decision = PolicyDecisionPoint(policy).operation(subject, "auditTrail") if subject else None
        permitted = decision is not None and decision.permitted
        request_id = uuid.uuid4().hex

        async def work(_db: AsyncDatabase, log: AuditLog):  # type: ignore[no-untyped-def]
            entries: list[dict[str, object]] = []
            total = 0
            if permitted:
                total, entries = await log.for_person(person, limit=limit)
            await log.append(AuditEntry(
                user=principal.user if principal else "", agency=principal.agency if principal else "",
                role=principal.role if principal else "", request_id=request_id, purpose="audit_review",
                policy_version=policy.version, decision="permitted" if permitted else "refused",
                reason="" if permitted else ("UNAUTHENTICATED" if principal is None else "FORBIDDEN"),
                operation="audit.query", requested=[person], fields=["AuditEntry.*"] if permitted else [],
                rules=[decision.rule] if decision else [], channel="cli"))
            return total, entries

        total, entries = with_audit(work)
        if principal is None:
            raise fail(f"not authenticated: {problem}")
        if not permitted:
            raise fail(f"role {principal.role} of {principal.agency} may not read the audit trail (policy rule "
                       f"{decision.rule if decision else 'default-deny'})")
    if as_json:
        for entry in entries:
            typer.echo(json.dumps(entry, default=str, sort_keys=True))
        return
    table = Table("seq", "at (UTC)", "user", "agency", "role", "purpose", "operation", "decision", "break-glass",
                  "request", title=f"accesses to {person}: {total} (newest first)")
    for entry in entries:
        table.add_row(str(entry["seq"]), str(entry["at"])[:19], str(entry.get("user", "")), str(entry.get("agency", "")),
                      str(entry.get("role", "")), str(entry.get("purpose", "")),
                      str(entry.get("operation") or ",".join(entry.get("root_fields") or [])),  # type: ignore[arg-type]
                      str(entry.get("decision", "")), "yes" if entry.get("break_glass") else "",
                      str(entry.get("request_id", ""))[:12])
    out.print(table)
