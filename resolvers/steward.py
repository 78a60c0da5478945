"""Data stewards' decisions: must-link and cannot-link constraints that every later resolve obeys.

A decision is a ``(:StewardDecision {id, kind, reason, user, agency, at, active})`` node about two
records. Confirming a link is a must-link; rejecting one is a cannot-link; splitting a person stores
cannot-links between the groups and must-links inside each; merging people stores must-links between
them. Full and real-time resolution both read the active decisions, so decisions survive every
re-resolution; a revoked decision stays on file but is no longer obeyed. After storing a decision the
people involved are re-resolved at once.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from graph_model.db import Database
from graph_model.errors import InputError
from resolvers.clustering import Constraints
from resolvers.incremental import IncrementalResolver, RecordResolution
from resolvers.pipeline import ResolveOptions

__all__ = ["Decision", "StewardActor", "Stewardship", "add_decisions_to_constraints"]

MUST_LINK = "must_link"
CANNOT_LINK = "cannot_link"


@dataclass(frozen=True, slots=True)
class StewardActor:
    user: str
    agency: str


@dataclass(frozen=True, slots=True)
class Decision:
    id: str
    kind: str
    a: str
    b: str


def add_decisions_to_constraints(rows: Sequence[dict], index_of: dict[str, int], constraints: Constraints) -> int:
    """Add active decisions (rows of steward/active_decisions) between known records; returns how many."""
    added = 0
    for row in rows:
        i, j = index_of.get(row["a"]), index_of.get(row["b"])
        if i is None or j is None:
            continue
        if row["kind"] == MUST_LINK:
            constraints.must.append((i, j))
            # A steward who has seen the evidence overrides what the model inferred about this very
            # pair (same date of birth with different names, say); a steward's own rejection stays.
            if constraints.cannot.get(i, {}).get(j) not in (None, "steward_rejected"):
                constraints.cannot[i].pop(j, None)
                constraints.cannot[j].pop(i, None)
        else:
            constraints.add_cannot(i, j, "steward_rejected")
        added += 1
    return added


class Stewardship:
    """Steward operations against one database; re-resolves what each decision touches."""

    def __init__(self, db: Database, options: ResolveOptions = ResolveOptions(), *,
                 resolver: IncrementalResolver | None = None) -> None:
        self.db = db
        self.resolver = resolver or IncrementalResolver(db, options)

    def confirm_link(self, a: str, b: str, reason: str, actor: StewardActor) -> tuple[list[str], RecordResolution]:
        action = _Action("confirm_link", reason, actor)
        self._record(action, MUST_LINK, a, b)
        return action.ids, self.resolver.resolve(a, decision_id=action.id)

    def reject_link(self, a: str, b: str, reason: str, actor: StewardActor) -> tuple[list[str], RecordResolution]:
        action = _Action("reject_link", reason, actor)
        self._record(action, CANNOT_LINK, a, b)
        return action.ids, self.resolver.resolve(a, decision_id=action.id)

    def split_person(self, person_id: str, groups: Sequence[Sequence[str]], reason: str,
                     actor: StewardActor) -> tuple[list[str], RecordResolution]:
        members = {row["uid"] for row in self.db.run("resolve/records_of_persons", {"person_ids": [person_id]})}
        named = [uid for group in groups for uid in group]
        if len(groups) < 2 or any(not g for g in groups):
            raise InputError("a split needs at least two non-empty groups of records")
        if set(named) != members or len(named) != len(set(named)):
            raise InputError("the groups must name every record of the person exactly once")
        action = _Action("split_person", reason, actor)
        for left, right in itertools.combinations(groups, 2):
            for a, b in itertools.product(left, right):
                self._record(action, CANNOT_LINK, a, b)
        for group in groups:
            for a, b in itertools.pairwise(group):
                self._record(action, MUST_LINK, a, b)
        return action.ids, self.resolver.resolve(groups[0][0], decision_id=action.id)

    def merge_persons(self, person_ids: Sequence[str], reason: str,
                      actor: StewardActor) -> tuple[list[str], RecordResolution]:
        if len(set(person_ids)) < 2:
            raise InputError("a merge needs at least two different people")
        rows = self.db.run("resolve/records_of_persons", {"person_ids": list(person_ids)})
        first_record: dict[str, str] = {}
        for row in sorted(rows, key=lambda r: r["uid"]):
            first_record.setdefault(row["person_id"], row["uid"])
        if set(first_record) != set(person_ids):
            raise InputError("unknown or retired person id among those to merge")
        anchor = first_record[person_ids[0]]
        action = _Action("merge_persons", reason, actor)
        for p in person_ids[1:]:
            self._record(action, MUST_LINK, anchor, first_record[p])
        return action.ids, self.resolver.resolve(anchor, decision_id=action.id)

    def revoke(self, decision_id: str, reason: str, actor: StewardActor) -> RecordResolution | None:
        """Revoke a steward action (every constraint it stored) and re-resolve what it was about."""
        _check_reason(reason)
        about = self.db.run("steward/decision_records", {"id": decision_id})
        rows = self.db.write("steward/revoke_decision", {"id": decision_id, "reason": reason.strip(),
                                                          "user": actor.user})
        if not rows:
            raise InputError(f"no active steward decision {decision_id}")
        resolution = None
        for row in about:  # a split's groups may now fall into several components: resolve each record's
            if resolution is None or row["uid"] not in self._resolved_with(resolution):
                resolution = self.resolver.resolve(row["uid"], decision_id=decision_id)
        return resolution

    def active(self) -> list[Decision]:
        return [Decision(r["id"], r["kind"], r["a"], r["b"]) for r in self.db.run("steward/active_decisions")]

    def _resolved_with(self, resolution: RecordResolution) -> set[str]:
        return set(resolution.component)

    def _record(self, action: _Action, kind: str, a: str, b: str) -> str:
        if a == b:
            raise InputError("a decision needs two different records")
        # The first constraint's id is the action's id: confirm and reject store one constraint.
        constraint_id = action.id if not action.ids else f"sd_{uuid.uuid4().hex[:16]}"
        rows = self.db.write("steward/record_decision", {"id": constraint_id, "kind": kind, "a": a, "b": b,
                                                          "reason": action.reason, "user": action.actor.user,
                                                          "agency": action.actor.agency, "decision": action.id,
                                                          "action": action.kind})
        if not rows:
            raise InputError(f"unknown record {a} or {b}", hint="give records as SOURCE:ID")
        action.ids.append(constraint_id)
        return constraint_id


def _check_reason(reason: str) -> str:
    if not reason or not reason.strip():
        raise InputError("a steward decision needs a reason")
    return reason.strip()


class _Action:
    """One steward action (confirm, reject, split, merge): the constraints it stores share its id."""

    def __init__(self, kind: str, reason: str, actor: StewardActor) -> None:
        self.kind = kind
        self.reason = _check_reason(reason)
        self.actor = actor
        self.id = f"sd_{uuid.uuid4().hex[:16]}"
        self.ids: list[str] = []
