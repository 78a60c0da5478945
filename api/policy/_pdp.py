"""The one policy decision point. Every resolver, edge, count and network expansion asks it.

Decisions are pure functions of the policy and the request's subject (agency, role, purpose,
clearances), the data category and the field group, so they are memoised per policy.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import TypeVar, cast

from api.policy._model import RECORD_GROUP, WILDCARD, CategoryRule, Policy

__all__ = ["Decision", "Effect", "PolicyDecisionPoint", "RedactionReason", "Subject"]

T = TypeVar("T")
DEFAULT_DENY = "default-deny"
UNCATEGORISED = "uncategorised"
BREAK_GLASS = "break-glass"


class Effect(StrEnum):
    PERMIT = "permit"
    REDACT = "redact"
    DENY = "deny"


_STRICTNESS = {Effect.PERMIT: 0, Effect.REDACT: 1, Effect.DENY: 2}


class RedactionReason(StrEnum):
    """Why a value came back null; listed in ``extensions.redactions[].reason``."""

    CATEGORY_REDACTED = "CATEGORY_REDACTED"  # a rule redacts this category for this purpose
    NOT_PERMITTED = "NOT_PERMITTED"  # no rule permits it (minimum necessary for the role and purpose)
    UNCATEGORISED_FIELD = "UNCATEGORISED_FIELD"  # the policy gives this field no category
    ADDRESS_RESTRICTED = "ADDRESS_RESTRICTED"  # the person's address is restricted; needs clearance


@dataclass(frozen=True, slots=True)
class Subject:
    """Who asks, for what: one role and one purpose per request."""

    user: str
    agency: str
    role: str
    purpose: str
    clearances: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Decision:
    effect: Effect
    rule: str  # the deciding rule's id, or default-deny / uncategorised / break-glass
    reason: RedactionReason | None = None  # set unless permitted
    break_glass: bool = False

    @property
    def permitted(self) -> bool:
        return self.effect is Effect.PERMIT

    @property
    def visible(self) -> bool:
        """For the record group: the record exists for the caller (fully or as a redacted shell)."""
        return self.effect is not Effect.DENY


def _reason(effect: Effect) -> RedactionReason | None:
    return {Effect.PERMIT: None, Effect.REDACT: RedactionReason.CATEGORY_REDACTED,
            Effect.DENY: RedactionReason.NOT_PERMITTED}[effect]


def _matches(names: frozenset[str], value: str) -> bool:
    return WILDCARD in names or value in names


class PolicyDecisionPoint:
    """Decisions for one policy. Thread-safe (the memo only ever gains equal entries)."""

    def __init__(self, policy: Policy) -> None:
        self.policy = policy
        self._memo: dict[tuple[object, ...], Decision] = {}
        self._derived: dict[tuple[object, ...], object] = {}
        self._address_group = policy.group_of_field.get("addresses")

    # ------------------------------------------------------------------ categories
    def category_of(self, source: str, mark: str | None = None) -> str | None:
        """A record's category: owner_restricted when its owner marked it so, else its source's (None: unknown)."""
        if mark == "owner_restricted" and "owner_restricted" in self.policy.categories:
            return "owner_restricted"
        return self.policy.sources.get(source)

    def owns(self, subject: Subject, source: str) -> bool:
        """Whether the subject's agency owns the source's records."""
        return self.policy.owner_of(source) == subject.agency

    # ------------------------------------------------------------------ decisions
    def decide(self, subject: Subject, category: str | None, group: str | None, *, owner: bool = False,
               break_glass: bool = False) -> Decision:
        """The decision for one category and field group (deny beats redact beats permit; default deny)."""
        key = (subject.agency, subject.role, subject.purpose, subject.clearances, category, group, owner, break_glass)
        found = self._memo.get(key)
        if found is None:
            found = self._decide(subject, category, group, owner=owner, break_glass=break_glass)
            self._memo[key] = found
        return found

    def _decide(self, subject: Subject, category: str | None, group: str | None, *, owner: bool,
                break_glass: bool) -> Decision:
        if category is None or category not in self.policy.categories:
            return Decision(Effect.DENY, UNCATEGORISED, RedactionReason.UNCATEGORISED_FIELD)
        if group is None or group not in self.policy.field_groups:
            return Decision(Effect.DENY, UNCATEGORISED, RedactionReason.UNCATEGORISED_FIELD)
        strongest: tuple[Effect, str] | None = None
        for rule in self.policy.rules:
            if not self._applies(rule, subject, category, group, owner):
                continue
            effect = Effect(rule.effect)
            if strongest is None or _STRICTNESS[effect] > _STRICTNESS[strongest[0]]:
                strongest = (effect, rule.id)
        decision = (Decision(strongest[0], strongest[1], _reason(strongest[0])) if strongest
                    else Decision(Effect.DENY, DEFAULT_DENY, RedactionReason.NOT_PERMITTED))
        if (break_glass and not decision.permitted and category in self.policy.break_glass.lifts
                and decision.rule != UNCATEGORISED):
            return Decision(Effect.PERMIT, BREAK_GLASS, None, break_glass=True)
        return decision

    @staticmethod
    def _applies(rule: CategoryRule, subject: Subject, category: str, group: str, owner: bool) -> bool:
        return (_matches(rule.agencies, subject.agency) and _matches(rule.roles, subject.role)
                and _matches(rule.purposes, subject.purpose) and _matches(rule.categories, category)
                and _matches(rule.fields, group) and (rule.owner == "any" or owner)
                and rule.clearances <= subject.clearances)

    def record_access(self, subject: Subject, category: str | None, *, owner: bool = False,
                      break_glass: bool = False) -> Decision:
        """Whether a record of this category exists for the subject (deny: hidden, ids and counts included)."""
        return self.decide(subject, category, RECORD_GROUP, owner=owner, break_glass=break_glass)

    def field(self, subject: Subject, category: str | None, field_name: str, *, owner: bool = False,
              break_glass: bool = False) -> Decision:
        """The decision for one field of a record of ``category``: its record's and its group's categories."""
        group_name = self.policy.group_of_field.get(field_name)
        if group_name is None:
            return Decision(Effect.DENY, UNCATEGORISED, RedactionReason.UNCATEGORISED_FIELD)
        decision = self.decide(subject, category, group_name, owner=owner, break_glass=break_glass)
        extra = self.policy.field_groups[group_name].category
        if extra is not None and extra != category:
            other = self.decide(subject, extra, group_name, owner=owner, break_glass=break_glass)
            if _STRICTNESS[other.effect] > _STRICTNESS[decision.effect]:
                decision = other
        return decision

    def restricted_address(self, subject: Subject) -> Decision:
        """Whether a restricted person's address may be disclosed (never lifted by break-glass)."""
        category = self.policy.restricted_category
        if category is None:  # the policy restricts no addresses
            return Decision(Effect.PERMIT, "no-restriction")
        decision = self.decide(subject, category, self._address_group)
        if decision.permitted:
            return decision
        return Decision(Effect.DENY, decision.rule, RedactionReason.ADDRESS_RESTRICTED)

    def operation(self, subject: Subject, operation: str) -> Decision:
        """Whether the subject may use an operation at all for this purpose (deny beats permit)."""
        key = ("op", subject.agency, subject.role, subject.purpose, operation)
        found = self._memo.get(key)
        if found is not None:
            return found
        permit: str | None = None
        deny: str | None = None
        for rule in self.policy.operations:
            if (_matches(rule.operations, operation) and _matches(rule.agencies, subject.agency)
                    and _matches(rule.roles, subject.role) and _matches(rule.purposes, subject.purpose)):
                if rule.effect == "deny":
                    deny = deny or rule.id
                else:
                    permit = permit or rule.id
        if deny:
            found = Decision(Effect.DENY, deny, RedactionReason.NOT_PERMITTED)
        elif permit:
            found = Decision(Effect.PERMIT, permit)
        else:
            found = Decision(Effect.DENY, DEFAULT_DENY, RedactionReason.NOT_PERMITTED)
        self._memo[key] = found
        return found

    def memoised(self, key: tuple[object, ...], compute: Callable[[], T]) -> T:
        """A value derived only from decisions (and so as stable as they are), computed once per key."""
        if key not in self._derived:
            self._derived[key] = compute()
        return cast(T, self._derived[key])

    def break_glass_allowed(self, subject: Subject) -> Decision:
        return self.operation(subject, "breakGlass")
