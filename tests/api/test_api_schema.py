"""The API's schema is ensured by every worker at start: concurrent workers on a new database must all start."""

from __future__ import annotations

import asyncio

from neo4j import Driver

from api.app import ensure_api_schema
from api.store import AsyncDatabase, connect_async
from graph_model.config import Settings

# The indexes and constraints only the API creates (the record indexes also exist under graph_model's names).
API_ONLY_SCHEMA = {"INDEX": ["api_address_postcode", "break_glass_user"],
                   "CONSTRAINT": ["sharing_mark_uid_unique", "break_glass_id_unique", "audit_head_id_unique",
                                  "audit_entry_seq_unique"]}


def _names(driver: Driver) -> set[str]:
    indexes, _, _ = driver.execute_query("SHOW INDEXES YIELD name RETURN name")
    constraints, _, _ = driver.execute_query("SHOW CONSTRAINTS YIELD name RETURN name")
    return {row["name"] for row in [*indexes, *constraints]}


def test_workers_starting_together_on_a_new_database_all_ensure_the_schema(test_settings: Settings,
                                                                             driver: Driver) -> None:
    """Four workers ensuring the schema at once, three times over: before, they raced to create the same
    constraint and one failed its start (a deadlock, or the constraint created between its check and its
    creation), which stopped `serve --workers 2` on a new database."""

    async def start_together() -> list[BaseException | None]:
        async_driver = connect_async(test_settings)
        try:
            return await asyncio.gather(*(ensure_api_schema(AsyncDatabase(async_driver)) for _ in range(4)),
                                        return_exceptions=True)
        finally:
            await async_driver.close()

    for _ in range(3):
        for kind, names in API_ONLY_SCHEMA.items():
            for name in names:
                driver.execute_query(f"DROP {kind} {name} IF EXISTS")
        assert not _names(driver) & {n for names in API_ONLY_SCHEMA.values() for n in names}
        assert asyncio.run(start_together()) == [None] * 4
        assert _names(driver) >= {n for names in API_ONLY_SCHEMA.values() for n in names}
