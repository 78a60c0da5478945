"""A phone number."""

from __future__ import annotations

import strawberry

__all__ = ["Phone"]


@strawberry.type(description="A phone number in E.164 form; kind: mobile, landline, ...")
class Phone:
    number: str
    kind: str | None
