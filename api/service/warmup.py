"""The statements behind single views and networks, planned once at start, before the service says it is ready.

Neo4j plans a statement the first time it sees its text with its parameter types, and keeps the plan. On a
freshly started server that takes seconds for the large read statements (``api/network_start``: 2.99 s the
first time on the ~205k-record bench database, 0.35 s the second, 0.04 s once warm), and requests arriving
together each plan it again. After a restart of Neo4j, 50 concurrent clients all hit the 5 s statement
timeout on their first request (bench/api.py, 2026-12-05: 50 of 50 failed). Running each statement once,
one after another, with parameters of the types requests send and values that match nothing, leaves the
plans cached and the JVM warmer for the first real requests.

Search is left out: its parameters are null or text depending on what is searched for, so one warm-up
call would not plan what most searches run.
"""

from __future__ import annotations

import logging
import time

from api.store import AsyncDatabase
from graph_model.errors import DatabaseError

__all__ = ["HOT_STATEMENTS", "plan_hot_statements"]

log = logging.getLogger("mashgraph.api")

_NO_MATCH = "warm-up-matches-nothing"
_MARKER = object()  # stands for the policy's restricted-record marker, known only at start

#: Statement name -> parameters of the types the request paths send (values that match nothing).
HOT_STATEMENTS: dict[str, dict[str, object]] = {
    "api/person_bundles": {"ids": [_NO_MATCH], "restricted_marker": _MARKER},
    "api/person_household_counts": {"ids": [_NO_MATCH], "restricted_marker": _MARKER},
    "api/household_bundles": {"ids": [_NO_MATCH], "person_ids": [_NO_MATCH], "restricted_marker": _MARKER},
    "api/person_links": {"ids": [_NO_MATCH]},
    "api/record_people": {"uids": [_NO_MATCH]},
    "api/network_start": {"person_ids": [_NO_MATCH], "max_degree": 1, "restricted_marker": _MARKER},
    "api/expand_hubs": {"addresses": [_NO_MATCH], "phones": [_NO_MATCH], "emails": [_NO_MATCH],
                        "schools": [_NO_MATCH], "max_degree": 1},
}


async def plan_hot_statements(db: AsyncDatabase, restricted_marker: str) -> list[str]:
    """Run every hot statement once; the names that ran. A statement that fails (a timeout on a very busy server)
    is logged and skipped: the service then starts as it would have without the warm-up."""
    planned = []
    started = time.perf_counter()
    for name, parameters in HOT_STATEMENTS.items():
        try:
            await db.read(name, {key: restricted_marker if value is _MARKER else value
                                 for key, value in parameters.items()})
        except DatabaseError as exc:
            log.warning("warm-up: statement %s not planned (%s)", name, exc)
            continue
        planned.append(name)
    log.info("warm-up: %d of %d statements planned in %.1f s", len(planned), len(HOT_STATEMENTS),
             time.perf_counter() - started)
    return planned
