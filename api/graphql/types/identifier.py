"""An identifier (NHS number, UPN, UPRN, local case ids) with the agencies that hold it."""

from __future__ import annotations

import strawberry

__all__ = ["Identifier"]


@strawberry.type(description="An identifier. valid: it passed its check (NHS number modulus 11, UPN check "
                             "letter, ...); an invalid one is kept for stewards but is never evidence.")
class Identifier:
    scheme: str
    value: str
    valid: bool
    sources: list[str]
