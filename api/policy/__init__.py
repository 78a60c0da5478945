"""The sharing policy: one versioned YAML file, and the one decision point every resolver calls.

Public face; the implementation lives in the private modules.
"""

from api.policy._model import (
    DEFAULT_POLICY,
    OPERATIONS,
    RECORD_GROUP,
    REQUIRED_PURPOSES,
    REQUIRED_ROLES,
    BreakGlassPolicy,
    CategoryRule,
    FieldGroup,
    OperationRule,
    Policy,
    load_policy,
    parse_policy,
)
from api.policy._pdp import Decision, Effect, PolicyDecisionPoint, RedactionReason, Subject
from api.policy._table import CategoryRow, OperationRow, category_rows, operation_rows

__all__ = [
    "DEFAULT_POLICY",
    "OPERATIONS",
    "RECORD_GROUP",
    "REQUIRED_PURPOSES",
    "REQUIRED_ROLES",
    "BreakGlassPolicy",
    "CategoryRow",
    "CategoryRule",
    "Decision",
    "Effect",
    "FieldGroup",
    "OperationRow",
    "OperationRule",
    "Policy",
    "PolicyDecisionPoint",
    "RedactionReason",
    "Subject",
    "category_rows",
    "load_policy",
    "operation_rows",
    "parse_policy",
]
