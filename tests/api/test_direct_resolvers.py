"""The schema calls plain resolver methods directly (api/graphql/schema.py): the same answers, redactions and audit
fields as strawberry's own resolvers, for every caller."""

from __future__ import annotations

import time
import uuid
from typing import Any

from graphql import GraphQLObjectType
from neo4j import Driver

from api.auth import Principal
from api.config import ApiSettings
from api.execution import execute_operation
from api.graphql.schema import build_schema
from tests.api.helpers import ApiServer
from tests.api.seed import Seeded
from tests.api.test_single_view import PERSON

CALLERS = [("police", "practitioner", "s47_enquiry"), ("education", "practitioner", "early_help"),
           ("health", "practitioner", "s17_assessment"), ("mash", "analyst", "mash_enquiry"),
           ("social_care", "steward", "data_stewardship")]
_PER_REQUEST = {"id", "at", "request_id", "seq", "hash", "prev_hash"}
PEOPLE = ["health:H-AVA", "health:H-ZAK", "health:H-LILY", "police:N-CONNOR", "police:N-DAN"]


def _direct(schema: Any, type_name: str, field_name: str) -> bool:
    resolve = schema._schema.type_map[type_name].fields[field_name].resolve
    return getattr(resolve, "__qualname__", "").startswith("_direct_resolver")


def test_plain_methods_are_called_directly_and_nothing_else() -> None:
    direct, own = build_schema(ApiSettings(mode="development")), build_schema(ApiSettings(mode="development"),
                                                                              direct_resolvers=False)
    assert _direct(direct, "Person", "givenName") and _direct(direct, "Record", "sourceId")
    assert not _direct(own, "Person", "givenName")
    # Plain attributes (no resolver) and async methods without arguments are direct too.
    assert _direct(direct, "Person", "id") and _direct(direct, "Record", "source")
    assert _direct(direct, "RecordConnection", "totalCount") and _direct(direct, "RecordEdge", "node")
    assert _direct(direct, "Person", "household")
    # Arguments keep strawberry's resolvers (it converts them).
    for type_name, field_name in (("Person", "records"), ("Person", "links"), ("Query", "person")):
        assert not _direct(direct, type_name, field_name)
    replaced = {(t.name, f) for t in direct._schema.type_map.values() if isinstance(t, GraphQLObjectType)
                for f in t.fields if _direct(direct, t.name, f)}
    assert len(replaced) > 20


def test_direct_resolvers_answer_and_audit_as_strawberrys_own(api: ApiServer, seeded: Seeded, driver: Driver) -> None:
    own = build_schema(api.services.settings, direct_resolvers=False)

    def run(schema: Any, person_id: str, caller: tuple[str, str, str]) -> tuple[Any, list[str]]:
        agency, role, purpose = caller
        principal = Principal(f"direct-{agency}", agency, role, frozenset(), time.time() + 3600)
        outcome = api.call(execute_operation(api.services, schema, principal, purpose, uuid.uuid4().hex, PERSON,
                                             {"id": person_id}))
        payload = {**outcome.payload, "extensions": {k: v for k, v in outcome.payload["extensions"].items()
                                                     if k != "requestId"}}
        payload.pop("errors", None)  # error messages carry the request id
        rows, _, _ = driver.execute_query("MATCH (e:AuditEntry {request_id: $id}) RETURN properties(e) AS e",
                                          id=outcome.payload["extensions"]["requestId"])
        entry = {k: v for k, v in rows[0]["e"].items() if k not in _PER_REQUEST}
        return (outcome.status, payload), entry

    answers = set()
    for uid in PEOPLE:
        for caller in CALLERS:
            mine = run(api.app.state.schema, seeded.person(uid), caller)
            theirs = run(own, seeded.person(uid), caller)
            assert mine == theirs, (uid, caller)
            answers.add(str(mine))
    assert len(answers) > len(PEOPLE)  # callers see different things (the comparison covers redactions)
