"""`mashgraph retention apply [--dry-run]`: erase what the sharing policy's retention periods say has expired.

The policy's ``retention`` section gives a period per data category; a record's category is its
source's (or owner_restricted when its agency marked it so), and a restricted record also carries its
address in the restricted-address category. Before anything is erased an audit entry records the
plan (record ids and counts, never values); if it cannot be written nothing is erased (fail closed).
A second entry records the outcome. The audit trail itself is never touched, so it still verifies.
"""

from __future__ import annotations

import getpass
import uuid
from datetime import UTC, date, datetime

import typer
from rich.table import Table

from api.cli.common import console, database, out, reported_errors, settings

app = typer.Typer(help="Retention: erase data the sharing policy says has been kept long enough.",
                  no_args_is_help=True)


def _today(text: str | None) -> date:
    if not text:
        return datetime.now(UTC).date()
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter("give the day as YYYY-MM-DD") from None


@app.command()
def apply(
    dry_run: bool = typer.Option(False, "--dry-run", help="Only count what would be erased; change nothing."),
    today: str | None = typer.Option(None, help="Count periods back from this day (YYYY-MM-DD; default: today, "
                                                "UTC). For checking a plan ahead of time."),
) -> None:
    """Erase the records whose retention period has run out, re-resolve the people they belonged to, audited."""
    from api.audit import AuditEntry, AuditLog
    from api.cli.service import policy_from_environ, with_audit
    from api.store import AsyncDatabase
    from resolvers.pipeline import ResolveOptions
    from resolvers.retention import RetentionRules, apply_erasure, plan_erasure

    day = _today(today)
    with reported_errors():
        policy = policy_from_environ()
        cutoffs = {category: cutoff for category in policy.retention
                   if (cutoff := policy.retention_cutoff(category, day)) is not None}
        rules = RetentionRules(category_of_source=dict(policy.sources), cutoffs=cutoffs,
                               owner_restricted_category="owner_restricted" if "owner_restricted" in policy.categories
                               else None, restricted_category=policy.restricted_category,
                               restricted_marker=f'"{policy.restricted_flag or "restricted"}":true')
        request_id = uuid.uuid4().hex

        def audit(decision: str, records: list[str], people: list[str], counts: dict[str, int]) -> None:
            entry = AuditEntry(user=f"cli:{getpass.getuser()}", agency="", role="operator", request_id=request_id,
                               purpose="retention", policy_version=policy.version, decision=decision,
                               operation="retention.dry_run" if dry_run else "retention.apply", channel="cli",
                               subjects=people, erased=records,
                               counts=[f"{name}={number}" for name, number in sorted(counts.items())])

            async def work(_db: AsyncDatabase, log: AuditLog) -> None:
                await log.append(entry)

            with_audit(work)

        with database() as db:
            with console.status("finding expired records"):
                plan = plan_erasure(db, rules)
            planned = {"records_examined": plan.examined, "records_expired": len(plan.records),
                       "people_affected": len(plan.people), "records_kept_without_period": plan.kept_without_period,
                       **{f"expired_{category}": n for category, n in plan.by_category.items()}}
            # The plan is on the audit trail before anything is erased: if it cannot be written, nothing is.
            audit("planned" if dry_run or not plan.records else "erasing", [] if dry_run else plan.records,
                  [] if dry_run else plan.people, planned)
            report = None
            if not dry_run and plan.records:
                options = ResolveOptions(model_path=settings().data_dir / "linkage-model.json")
                with console.status("erasing") as status:
                    report = apply_erasure(db, plan, options, progress=lambda stage: status.update(stage))
                audit("erased", plan.records, plan.people, report.counts())

    table = Table("category", "period", "expired before", "records expired",
                  title=f"retention under policy {policy.version}, counted back from {day.isoformat()}")
    for category in policy.categories:
        period = policy.retention.get(category, "")
        cutoff = cutoffs.get(category)
        table.add_row(category, period or "(none: kept)", cutoff.isoformat() if cutoff else "",
                      str(plan.by_category.get(category, 0)))
    out.print(table)
    out.print(f"{plan.examined} records examined, {len(plan.records)} expired, {len(plan.people)} people affected, "
              f"{plan.kept_without_period} kept (no period for their category, or no date)")
    if dry_run:
        out.print("dry run: nothing was erased")
    elif report is not None:
        out.print(", ".join(f"{name.replace('_', ' ')} {number}" for name, number in report.counts().items()))
