"""A record named by its agency system and its id there."""

from __future__ import annotations

import strawberry

__all__ = ["RecordRefInput"]


@strawberry.input(description="One agency record: its source system (police, health, ...) and its id in that system.")
class RecordRefInput:
    source: str
    source_id: str

    @property
    def uid(self) -> str:
        return f"{self.source.strip().lower()}:{self.source_id.strip()}"
