"""Why a value came back null (``extensions.redactions[].reason``)."""

from __future__ import annotations

import strawberry

from api.policy import RedactionReason as _RedactionReason

__all__ = ["RedactionReason"]

RedactionReason = strawberry.enum(
    _RedactionReason, name="RedactionReason",
    description="Reasons listed in extensions.redactions[] (each with path, reason, rule and field) for a field "
                "that came back null although the record is visible. CATEGORY_REDACTED: a policy rule redacts this "
                "data category for your purpose. NOT_PERMITTED: no rule permits this field for your role and "
                "purpose (minimum necessary). UNCATEGORISED_FIELD: the policy gives the field no category, so it "
                "is never disclosed. ADDRESS_RESTRICTED: the person's address is restricted and needs a "
                "clearance.")
