"""Retention: erase the records that have outlived their category's retention period, and what they leave behind.

Which records are expired is decided by the caller (the sharing policy names a period per data
category; :class:`RetentionRules` carries the resulting cut-off days). A record's day is the day its
agency recorded it (``recorded_at``), else the day it was last loaded; a record whose category has no
period is kept. A restricted record (FHIR meta.security R/V) also carries its address in the
restricted-address category, so it is kept until both periods have run out.

Erasing removes the record with its sharing marks, the steward decisions about it and its edges;
people who lost records are stripped of their golden values and re-resolved from what remains
(the same real-time resolution as ingest uses, so ids stay stable and households re-form); people left
with no record keep only their id, marked ``erased``; then empty households, shared values nothing
refers to any more, stub records and the golden values left on retired ids go too. Only ids and
counts come back: never a value.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date

from graph_model.db import Database
from resolvers.incremental import IncrementalResolver
from resolvers.pipeline import ResolveOptions

__all__ = ["ErasurePlan", "ErasureReport", "RetentionRules", "apply_erasure", "plan_erasure"]

_BATCH = 1000
#: The (:Person) properties that hold golden values (copies of record values), as resolvers.golden writes them.
GOLDEN_PROPERTIES = ("given_name", "family_name", "middle_names", "dob", "sex", "current_address", "aliases",
                     "sources", "record_count", "provenance")


@dataclass(frozen=True)
class RetentionRules:
    """Cut-off days per data category: a record dated before its category's day is expired."""

    category_of_source: Mapping[str, str]
    cutoffs: Mapping[str, date]  # category -> first day still within the period
    owner_restricted_category: str | None = "owner_restricted"
    restricted_category: str | None = None  # the category a restricted record's address carries
    restricted_marker: str = '"restricted":true'

    def category(self, source: str, mark: str | None) -> str | None:
        if mark == "owner_restricted" and self.owner_restricted_category:
            return self.owner_restricted_category
        return self.category_of_source.get(source)

    def expired(self, category: str | None, day: date | None, restricted: bool) -> bool:
        """Whether a record of this category, dated ``day``, has outlived every period that applies to it."""
        if category is None or day is None or category not in self.cutoffs:
            return False
        if day >= self.cutoffs[category]:
            return False
        if restricted and self.restricted_category is not None:
            cutoff = self.cutoffs.get(self.restricted_category)
            return cutoff is not None and day < cutoff
        return True


@dataclass
class ErasurePlan:
    """What is expired: record uids, the people they belong to, counts by category (no values)."""

    records: list[str] = field(default_factory=list)
    people: list[str] = field(default_factory=list)
    by_category: Counter[str] = field(default_factory=Counter)
    examined: int = 0
    kept_without_period: int = 0  # records of a category the policy gives no period (or no date to count from)


@dataclass
class ErasureReport:
    records_erased: int = 0
    people_reresolved: int = 0
    people_erased: int = 0
    households_deleted: int = 0
    orphans_deleted: int = 0
    retired_scrubbed: int = 0

    def counts(self) -> dict[str, int]:
        return dict(vars(self))


def _day(text: object) -> date | None:
    """The calendar day an ISO date or timestamp text names (its first ten characters); None if unreadable."""
    if not isinstance(text, str) or len(text) < 10:
        return None
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return None


def plan_erasure(db: Database, rules: RetentionRules) -> ErasurePlan:
    """Find the expired records (reads only)."""
    plan = ErasurePlan()
    people: set[str] = set()
    for row in db.stream("retention/records", {"restricted_marker": rules.restricted_marker}):
        plan.examined += 1
        category = rules.category(row["source"], row["mark"])
        day = _day(row["recorded_at"]) or _day(row["loaded_on"])
        if category is None or category not in rules.cutoffs or day is None:
            plan.kept_without_period += 1
            continue
        if rules.expired(category, day, bool(row["restricted"])):
            plan.records.append(row["uid"])
            plan.by_category[category] += 1
            if row["person_id"]:
                people.add(row["person_id"])
    plan.records.sort()
    plan.people = sorted(people)
    return plan


def apply_erasure(db: Database, plan: ErasurePlan, options: ResolveOptions = ResolveOptions(),
                  progress: Callable[[str], None] = lambda _stage: None) -> ErasureReport:
    """Erase what the plan names, re-resolve the people and households it touched, tidy what is left over."""
    report = ErasureReport()
    progress("erasing records")
    for start in range(0, len(plan.records), _BATCH):
        rows = db.write("retention/erase_records", {"uids": plan.records[start:start + _BATCH]})
        report.records_erased += int(rows[0]["erased"]) if rows else 0
    if plan.people:
        progress("re-resolving people")
        db.write("retention/scrub_people", {"ids": plan.people})
        remaining = db.run("retention/records_to_reresolve", {"person_ids": plan.people})
        if remaining:
            resolver = IncrementalResolver(db, options)
            for row in remaining:
                resolver.resolve(row["uid"])
            report.people_reresolved = len(remaining)
        rows = db.write("retention/erase_people", {"ids": plan.people})
        report.people_erased = int(rows[0]["erased"]) if rows else 0
    progress("tidying")
    rows = db.write("resolve/delete_empty_households")
    report.households_deleted = int(rows[0]["deleted"]) if rows else 0
    rows = db.write("retention/delete_orphans")
    report.orphans_deleted = int(rows[0]["deleted"]) if rows else 0
    rows = db.write("retention/scrub_retired_people", {"golden": list(GOLDEN_PROPERTIES)})
    report.retired_scrubbed = int(rows[0]["scrubbed"]) if rows else 0
    return report
