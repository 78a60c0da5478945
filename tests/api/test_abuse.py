"""The abuse suite: depth, aliases, tokens, circular fragments, aliases multiplied through fragments, batching,
and regressions of strawberry's published advisories. Each is refused before any data is read, and audited."""

from __future__ import annotations

import asyncio
import gc
import warnings

import strawberry
from strawberry.permission import BasePermission

from tests.api.helpers import ApiServer

WHO = {"agency": "police", "role": "practitioner", "purpose": "s47_enquiry"}


def refused(api: ApiServer, query: str, code: str) -> dict[str, object]:
    before = api.audit_count()
    outcome = api.execute(query, **WHO)
    assert outcome.status == 400, outcome.payload
    assert outcome.payload.get("data") is None
    assert {e["extensions"]["code"] for e in outcome.payload["errors"]} == {code}, outcome.payload["errors"]
    assert api.audit_count() == before + 1  # refusals are audited too
    return outcome.payload


def test_depth_limit(api: ApiServer) -> None:
    nested = "person { household { members { edges { node { person { household { members { edges { node { " \
             "person { id } } } } } } } } } } }"
    refused(api, '{ person(id: "per_0000000000000000") { id household { members { edges { node { ' + nested +
            " } } } } } }", "QUERY_TOO_COMPLEX")


def test_depth_limit_sees_through_fragments(api: ApiServer) -> None:
    query = """{ person(id: "per_0000000000000000") { ...A } }
    fragment A on Person { household { members { edges { node { person { ...B } } } } } }
    fragment B on Person { household { members { edges { node { person { ...C } } } } } }
    fragment C on Person { household { members { edges { node { person { id } } } } } }"""
    refused(api, query, "QUERY_TOO_COMPLEX")


def test_alias_limit(api: ApiServer) -> None:
    aliases = " ".join(f'p{i}: person(id: "per_000000000000{i:04d}") {{ id }}' for i in range(25))
    refused(api, "{ " + aliases + " }", "QUERY_TOO_COMPLEX")


def test_aliases_multiplied_through_fragments_are_counted(api: ApiServer) -> None:
    # Ten aliases in a fragment, spread three times: thirty aliased fields, under twenty per selection.
    fragment = "fragment F on Query { " + " ".join(f"a{i}: __typename" for i in range(10)) + " }"
    refused(api, "{ ...F x: policy { ...G } y: policy { ...G } } fragment G on PolicyInfo { v1: version v2: name "
                 "v3: digest v4: version v5: name v6: digest v7: version v8: name } " + fragment,
            "QUERY_TOO_COMPLEX")


def test_token_limit(api: ApiServer) -> None:
    fields = " ".join("id" for _ in range(2100))
    refused(api, '{ person(id: "per_0000000000000000") { ' + fields + " } }", "QUERY_TOO_COMPLEX")


def test_circular_fragments_are_rejected_not_followed(api: ApiServer) -> None:
    """Strawberry advisory: circular fragments made the depth limiter recurse without end."""
    query = """{ person(id: "per_0000000000000000") { ...A } }
    fragment A on Person { id household { members { edges { node { person { ...B } } } } } }
    fragment B on Person { givenName ...A }"""
    payload = refused(api, query, "GRAPHQL_VALIDATION_FAILED")
    assert any("Cannot spread fragment" in e["message"] for e in payload["errors"])  # type: ignore[index, union-attr]
    self_spread = "{ policy { ...S } } fragment S on PolicyInfo { version ...S }"
    refused(api, self_spread, "GRAPHQL_VALIDATION_FAILED")


def test_batching_is_refused(api: ApiServer) -> None:
    token = api.token(agency="police", role="practitioner")
    response = api.post(body=[{"query": "{ __typename }"}] * 50, token=token, purpose="s47_enquiry")
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "BATCHING_NOT_SUPPORTED"


def test_syntax_errors_and_unknown_fields(api: ApiServer) -> None:
    refused(api, "{ person(id: ", "GRAPHQL_PARSE_FAILED")
    refused(api, "{ secrets }", "GRAPHQL_VALIDATION_FAILED")


def test_variables_of_the_wrong_type_are_a_validation_error(api: ApiServer) -> None:
    outcome = api.execute("query Q($n: Int!) { network(personId: \"per_0000000000000000\", hops: $n) { truncated } }",
                          variables={"n": "lots"}, **WHO)
    assert outcome.payload["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"


class AwaitableFromSync(BasePermission):
    """Advisory regression: a permission whose has_permission returns an awaitable on a sync code path."""

    message = "no"

    def has_permission(self, source: object, info: object, **kwargs: object):  # type: ignore[no-untyped-def, override]
        async def allow() -> bool:
            return False

        return allow()


class AsyncDeny(BasePermission):
    message = "no"

    async def has_permission(self, source: object, info: object, **kwargs: object) -> bool:  # type: ignore[override]
        return False


@strawberry.type
class _Query:
    @strawberry.field(permission_classes=[AwaitableFromSync])
    def secret(self) -> str:
        return "leaked"

    @strawberry.field(permission_classes=[AsyncDeny])
    def other_secret(self) -> str:
        return "leaked"


def test_permission_classes_returning_awaitables_fail_closed() -> None:
    """The API decides access in its policy decision point, never in permission classes; the strawberry
    version it requires still must not let an awaitable count as a yes (advisory fixed in 0.326.1)."""
    schema = strawberry.Schema(_Query)
    with warnings.catch_warnings():
        # The refused awaitable is never awaited: that is the fix, and Python says so when collecting it.
        warnings.simplefilter("ignore", RuntimeWarning)
        sync_result = schema.execute_sync("{ secret }")
        results = [sync_result, asyncio.run(schema.execute("{ secret }")),
                   asyncio.run(schema.execute("{ otherSecret }"))]
        gc.collect()
    for result in results:
        assert result.data is None and result.errors
        assert "leaked" not in str(result)
