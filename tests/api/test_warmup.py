"""The hot statements are planned at start: every one the single view and network paths read, each runs."""

from __future__ import annotations

import re
from pathlib import Path

import cypher
from api.service.warmup import HOT_STATEMENTS
from tests.api.helpers import ApiServer

SERVICE = Path(__file__).resolve().parents[2] / "api" / "service"
# The request-path reads that are not warmed, and why: search's parameters are null or text by what is searched.
NOT_WARMED = {"api/search_candidates"}


def test_every_request_read_is_warmed_or_named() -> None:
    # A new statement read by a request path must be warmed (or listed above with its reason): this test fails
    # when one is added to the service code and not to HOT_STATEMENTS.
    read = set()
    for path in SERVICE.glob("*.py"):
        read |= set(re.findall(r"""\.read\(\s*"(api/[a-z_]+)\"""", path.read_text()))
    assert read, "no statement names found: the pattern no longer matches the service code"
    assert read == set(HOT_STATEMENTS) | NOT_WARMED
    assert set(HOT_STATEMENTS) <= set(cypher.all_statements())


def test_the_server_plans_every_hot_statement_before_ready(api: ApiServer) -> None:
    # Each ran against the real Neo4j with its parameters (a missing parameter or a Cypher error would drop it).
    assert api.app.state.planned_statements == list(HOT_STATEMENTS)
