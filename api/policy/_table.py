"""The policy as a decision table: every agency x role x purpose x category, and every operation."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from api.policy._model import OPERATIONS, RECORD_GROUP
from api.policy._pdp import Effect, PolicyDecisionPoint, Subject

__all__ = ["CategoryRow", "OperationRow", "category_rows", "operation_rows"]


@dataclass(frozen=True, slots=True)
class CategoryRow:
    agency: str
    role: str
    purpose: str
    category: str
    owner: bool  # the subject's agency owns the record
    record: Effect  # whether records of this category exist for the subject
    rule: str
    fields: dict[str, Effect]  # field group -> effect (the record group excluded)


@dataclass(frozen=True, slots=True)
class OperationRow:
    agency: str
    role: str
    purpose: str
    operation: str
    effect: Effect
    rule: str


def category_rows(pdp: PolicyDecisionPoint, *, include_denied: bool = False) -> Iterator[CategoryRow]:
    """Rows of the category table; by default only combinations where records are visible."""
    policy = pdp.policy
    groups = [g for g in policy.field_groups if g != RECORD_GROUP]
    for agency in policy.agencies:
        for role in policy.roles:
            for purpose in policy.purposes:
                subject = Subject("table", agency, role, purpose)
                for category in policy.categories:
                    for owner in (False, True):
                        record = pdp.decide(subject, category, RECORD_GROUP, owner=owner)
                        if owner:
                            # Only print the owner row where owning the record changes something.
                            other = pdp.decide(subject, category, RECORD_GROUP, owner=False)
                            if other.effect is record.effect and all(
                                    pdp.decide(subject, category, g, owner=True).effect
                                    is pdp.decide(subject, category, g, owner=False).effect for g in groups):
                                continue
                        if record.effect is Effect.DENY and not include_denied:
                            continue
                        fields = {g: pdp.decide(subject, category, g, owner=owner).effect for g in groups}
                        yield CategoryRow(agency, role, purpose, category, owner, record.effect, record.rule, fields)


def operation_rows(pdp: PolicyDecisionPoint, *, include_denied: bool = False) -> Iterator[OperationRow]:
    policy = pdp.policy
    for agency in policy.agencies:
        for role in policy.roles:
            for purpose in policy.purposes:
                subject = Subject("table", agency, role, purpose)
                for operation in OPERATIONS:
                    decision = pdp.operation(subject, operation)
                    if decision.effect is Effect.DENY and not include_denied:
                        continue
                    yield OperationRow(agency, role, purpose, operation, decision.effect, decision.rule)
