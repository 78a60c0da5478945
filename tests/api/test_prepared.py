"""Operations are prepared once per query text and operation name (api/graphql/prepared.py): parsed, limited and
validated once, then executed straight by graphql-core; errors, refusals and audit entries as before."""

from __future__ import annotations

import gc
import time
import uuid
from typing import Any

from neo4j import Driver

from api.auth import Principal
from api.config import ApiSettings
from api.execution import Outcome, execute_operation
from api.graphql.prepared import Hardening, PreparedOperations
from api.graphql.schema import build_schema
from api.service.scope import RequestScope
from tests.api.helpers import ApiServer, kept_after
from tests.api.seed import Seeded

TWO_OPERATIONS = """query Names($id: ID!) { person(id: $id) { id givenName } }
query Sizes($id: ID!) { person(id: $id) { id household { id size } } }"""


def run(api: ApiServer, query: str, variables: dict[str, Any] | None = None,
        operation_name: str | None = None) -> Outcome:
    principal = Principal("prepared-tester", "police", "practitioner", frozenset(), time.time() + 3600)
    return api.call(execute_operation(api.services, api.app.state.schema, principal, "s47_enquiry", uuid.uuid4().hex,
                                      query, variables, operation_name))


def audit_entry(driver: Driver, outcome: Outcome) -> dict[str, Any]:
    rows, _, _ = driver.execute_query("MATCH (e:AuditEntry {request_id: $id}) RETURN properties(e) AS e",
                                      id=outcome.payload["extensions"]["requestId"])
    assert len(rows) == 1
    return dict(rows[0]["e"])


def test_a_text_is_prepared_once_and_the_cache_is_bounded() -> None:
    schema = build_schema(ApiSettings(mode="development"))
    prepared = PreparedOperations(schema._schema, Hardening.of(max_depth=12, max_aliases=20, max_tokens=2000,
                                                               introspection=False), size=2)
    first = prepared.get("{ policy { version } }", None)
    assert prepared.get("{ policy { version } }", None) is first
    assert not first.errors and first.fields == frozenset({"Query.policy", "PolicyInfo.version"})
    # The operation name is part of the key: it decides the operation, its type and the audit's name.
    names, sizes = prepared.get(TWO_OPERATIONS, "Names"), prepared.get(TWO_OPERATIONS, "Sizes")
    assert (names.operation, sizes.operation) == ("Names", "Sizes")
    assert prepared.get("{ policy { version } }", None) is not first  # evicted: at most two kept
    introspection = prepared.get("{ __schema { queryType { name } } }", None)
    assert introspection.errors and introspection.document is not None  # the production rules, prepared with it


def test_the_operation_named_runs_and_is_audited(api: ApiServer, seeded: Seeded, driver: Driver) -> None:
    person = seeded.person("health:H-AVA")
    for name, field in (("Names", "Person.givenName"), ("Sizes", "Household.size")):
        outcome = run(api, TWO_OPERATIONS, {"id": person}, name)
        assert outcome.status == 200 and "errors" not in outcome.payload, outcome.payload
        entry = audit_entry(driver, outcome)
        assert entry["operation"] == name and field in entry["fields"] and entry["decision"] == "permitted"
    assert "household" not in run(api, TWO_OPERATIONS, {"id": person}, "Names").payload["data"]["person"]


def test_refusals_before_execution_are_the_same_every_time(api: ApiServer, driver: Driver) -> None:
    cases = [("{ person(id: ", None, 400, "GRAPHQL_PARSE_FAILED"),
             ("{ person(id: \"x\") { nonsense } }", None, 400, "GRAPHQL_VALIDATION_FAILED"),
             (TWO_OPERATIONS, "Nowhere", 400, "BAD_REQUEST"),
             (TWO_OPERATIONS, None, 400, "GRAPHQL_VALIDATION_FAILED")]  # two operations and no name: which one?
    for query, name, status, code in cases:
        for _ in range(2):  # the second answer comes from the prepared cache
            outcome = run(api, query, {"id": "per_0000000000000000"}, name)
            assert outcome.status == status, (query, outcome.payload)
            assert {e["extensions"]["code"] for e in outcome.payload["errors"]} == {code}, outcome.payload
            assert outcome.payload.get("data") is None
            assert audit_entry(driver, outcome)["decision"] == "refused"


def test_a_kept_parse_error_holds_on_to_no_request(api: ApiServer) -> None:
    # The error is kept with the prepared text; with its traceback it would keep the first sender's request alive.
    def refused_parse() -> None:
        outcome = run(api, "{ person(id: " + uuid.uuid4().hex)
        assert outcome.payload["errors"][0]["extensions"]["code"] == "GRAPHQL_PARSE_FAILED"

    assert not kept_after(refused_parse, _scopes)


def _scopes() -> list[object]:
    return [o for o in gc.get_objects() if isinstance(o, RequestScope)]
