"""A finished request is freed by reference counting, not left for the cyclic garbage collector.

Requests that formed reference cycles (a scope its loaders pointed back to, graphql-core's executor holding
helpers bound to itself) kept everything they had built (views, bundles, field plans) alive until a full
collection, which then took about a third of the API's CPU under load.
"""

from __future__ import annotations

import gc

from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from api.service.scope import RequestScope
from tests.api.helpers import ApiServer, kept_after
from tests.api.seed import Seeded
from tests.api.test_network import NETWORK
from tests.api.test_single_view import PERSON, POLICE_S47

ANALYST_MASH = {"agency": "mash", "role": "analyst", "purpose": "mash_enquiry"}


def _left_behind() -> list[object]:
    return [o for o in gc.get_objects() if isinstance(o, RequestScope | StrawberryGraphQLCoreExecutionContext)]


def test_single_view_and_network_leave_no_cycles(api: ApiServer, seeded: Seeded) -> None:
    ava = seeded.person("health:H-AVA")
    gc.collect()
    assert not _left_behind()

    def single_view_and_network() -> None:
        person = api.execute(PERSON, variables={"id": ava}, **POLICE_S47)
        network = api.execute(NETWORK, variables={"id": ava, "hops": 2, "kinds": None}, **ANALYST_MASH)
        assert person.payload["data"]["person"]["household"] is not None
        assert network.payload["data"]["network"]["nodes"]

    left = kept_after(single_view_and_network, _left_behind)
    assert not left, [type(o).__name__ for o in left]
