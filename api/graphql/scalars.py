"""Custom scalars: dates as ISO 8601 text (a date of birth may be known only to the month or year)."""

from __future__ import annotations

from typing import NewType

import strawberry

__all__ = ["SCALARS", "DateTime", "PartialDate"]

PartialDate = NewType("PartialDate", str)
DateTime = NewType("DateTime", str)

SCALARS = {
    PartialDate: strawberry.scalar(
        name="PartialDate", serialize=str, parse_value=str,
        description="An ISO 8601 calendar date, possibly of reduced precision: YYYY-MM-DD, YYYY-MM or YYYY."),
    DateTime: strawberry.scalar(
        name="DateTime", serialize=str, parse_value=str,
        description="An ISO 8601 date and time with its offset (UTC), e.g. 2026-01-15T09:30:00.000000+00:00."),
}
