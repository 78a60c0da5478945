"""Kinds of node in a network."""

from __future__ import annotations

from enum import Enum

import strawberry

__all__ = ["NetworkNodeKind"]


@strawberry.enum(description="What a network node stands for.")
class NetworkNodeKind(Enum):
    PERSON = "PERSON"
    HOUSEHOLD = "HOUSEHOLD"
    ADDRESS = "ADDRESS"
    PHONE = "PHONE"
    EMAIL = "EMAIL"
    SCHOOL = "SCHOOL"
