"""A single view asking only for its household's id and size counts the members from their records' sources and
marks (``api/person_household_counts``) instead of building every member's view: the count must be exactly the
number of members the built view lists, for every agency, role and purpose, and a member the caller may not see
(a police-only lodger, for education in early help) must not be counted."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import pytest
from neo4j import Driver

import cypher
from api.policy import PolicyDecisionPoint, Subject, load_policy
from api.service.bundles import HouseholdBundle, MemberSources, PersonBundle, RecordBundle
from api.service.views import build_household, build_person, count_visible_members
from graph_model.db import Database
from tests.api.helpers import ApiServer
from tests.api.seed import Seeded, seed_family

POLICY = load_policy()
SUBJECTS = list(itertools.product(POLICY.agencies, POLICY.roles, POLICY.purposes))
POLICE_S47 = {"agency": "police", "role": "practitioner", "purpose": "s47_enquiry"}
EDUCATION_EARLY_HELP = {"agency": "education", "role": "practitioner", "purpose": "early_help"}

# A lodger at the Khans' address whom police alone know.
LODGER = {"source": "police", "source_id": "N-OMAR", "given_name": "Omar", "family_name": "Quayle",
          "dob": "1979-04-04", "sex": "M", "addresses": [{"line1": "10 High Street", "town": "Leeds",
                                                          "postcode": "LS6 2AB"}]}

COUNTED = "query One($id: ID!) { person(id: $id) { id household { id size } } }"
BUILT = ("query One($id: ID!) { person(id: $id) { id household { id size members(first: 50) { totalCount "
         "edges { node { person { id } } } } } } }")


@pytest.fixture(scope="module")
def lodged(api: ApiServer, driver: Driver, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Seeded]:
    yield seed_family(Database(driver), tmp_path_factory.mktemp("seed"), extra=[LODGER])


def _household(api: ApiServer, query: str, person_id: str, who: tuple[str, str, str]) -> tuple[int, list[str], dict | None]:
    """Status, error codes (a subject the policy refuses the operation) and the person."""
    agency, role, purpose = who
    outcome = api.execute(query, variables={"id": person_id}, agency=agency, role=role, purpose=purpose)
    codes = sorted(e["extensions"]["code"] for e in outcome.payload.get("errors") or ())
    return outcome.status, codes, (outcome.payload.get("data") or {}).get("person")


def test_a_police_only_member_is_not_counted_for_education_in_early_help(api: ApiServer, lodged: Seeded) -> None:
    ava, lodger = lodged.person("health:H-AVA"), lodged.person("police:N-OMAR")
    assert lodged.household_of[lodger] == lodged.household_of[ava]  # the lodger lives with the Khans
    police = api.data(BUILT, variables={"id": ava}, **POLICE_S47)["person"]["household"]
    education = api.data(BUILT, variables={"id": ava}, **EDUCATION_EARLY_HELP)["person"]["household"]
    assert lodger in {e["node"]["person"]["id"] for e in police["members"]["edges"]}
    assert lodger not in {e["node"]["person"]["id"] for e in education["members"]["edges"]}
    counted_police = api.data(COUNTED, variables={"id": ava}, **POLICE_S47)["person"]["household"]
    counted_education = api.data(COUNTED, variables={"id": ava}, **EDUCATION_EARLY_HELP)["person"]["household"]
    assert "api/person_household_counts" in cypher.used
    assert counted_police == {"id": police["id"], "size": police["members"]["totalCount"]}
    assert counted_education == {"id": education["id"], "size": education["members"]["totalCount"]}
    assert counted_education["size"] < counted_police["size"]


def test_the_counted_size_is_the_built_one_for_every_subject(api: ApiServer, lodged: Seeded) -> None:
    people = sorted(lodged.household_of)
    sizes: set[int] = set()
    for who, person_id in itertools.product(SUBJECTS, people):
        counted_status, counted_codes, counted = _household(api, COUNTED, person_id, who)
        built_status, built_codes, built = _household(api, BUILT, person_id, who)
        assert (counted_status, counted_codes) == (built_status, built_codes), (who, person_id)
        assert set(built_codes) <= {"FORBIDDEN"}, built_codes
        if built is None or built["household"] is None:
            assert counted == built, (who, person_id)
            continue
        household = built["household"]
        assert household["size"] == household["members"]["totalCount"]
        assert counted == {"id": built["id"], "household": {"id": household["id"], "size": household["size"]}}, \
            (who, person_id)
        sizes.add(household["size"])
    assert len(sizes) > 1  # callers do see households of different sizes: the comparison can fail


def _record(source: str, source_id: str, mark: str | None = None) -> RecordBundle:
    return RecordBundle(uid=f"{source}:{source_id}", source=source, source_id=source_id, person_id=None,
                        given_name="Given", middle_names=None, family_name="Family", dob="2000-01-01", sex="U",
                        recorded_at=None, flags=(), attributes={}, mark=mark, mark_contact=None, mark_at=None,
                        addresses=(), phones=(), emails=(), identifiers=(), schools=(), related=())


def test_counting_decides_as_building_every_member_would() -> None:
    """Without a database: members with every kind of record (police only, held, owner-restricted, a source the
    policy does not know), for every subject, with and without break-glass grants."""
    members = {
        "per_health": (_record("health", "H1"),),
        "per_police": (_record("police", "N1"),),
        "per_held": (_record("police", "N2", "held_not_disclosed"),),
        "per_owner": (_record("social_care", "S1", "owner_restricted"),),
        "per_mixed": (_record("education", "P1"), _record("police", "N3")),
        "per_unknown": (_record("gym", "G1"),),
    }
    bundles = [PersonBundle(id=pid, household_id="hh_1", household_evidence=None, restricted=False,
                            household_restricted=False, records=records) for pid, records in members.items()]
    household = HouseholdBundle(id="hh_1", address=None, members=tuple((b.id, None) for b in bundles),
                                people=tuple(bundles))
    sources = [MemberSources(b.id, tuple((r.source, r.mark) for r in b.records)) for b in bundles]
    pdp = PolicyDecisionPoint(POLICY)
    counts: set[int] = set()
    for (agency, role, purpose), grants in itertools.product(SUBJECTS, ((), ("per_police", "per_owner"))):
        subject = Subject("tester", agency, role, purpose)
        views = [build_person(b, subject, pdp, break_glass=b.id in grants) for b in bundles]
        built = build_household(household, zip(views, (None,) * len(views), strict=True), subject, pdp)
        counted = count_visible_members(sources, subject, pdp, grants)
        assert counted == (built.size if built is not None else 0), (agency, role, purpose, grants)
        counts.add(counted)
    assert len(counts) > 2
