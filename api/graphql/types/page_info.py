"""Relay ``PageInfo``."""

from __future__ import annotations

import strawberry

__all__ = ["PageInfo"]


@strawberry.type(description="Where this page sits in the list (Relay cursor connections).")
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None
