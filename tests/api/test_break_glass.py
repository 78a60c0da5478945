"""Break-glass: one user, one person, time-limited, justified, audited and listed for review."""

from __future__ import annotations

import json

from neo4j import Driver

from tests.api.helpers import ApiServer
from tests.api.seed import Seeded

EARLY_HELP = {"agency": "education", "role": "practitioner", "purpose": "early_help", "user": "teacher-1"}
IG = {"agency": "governance", "role": "ig_lead", "purpose": "audit_review", "user": "ig-1"}
GLASS = """mutation G($id: ID!, $why: String!) { breakGlass(personId: $id, justification: $why) {
  id personId user purpose expiresAt reviewed } }"""
VIEW = """query V($id: ID!) { person(id: $id) { id breakGlass recordCount records { edges { node { source sourceId
  middleNames familyName } } } heldElsewhere { agency { code } } currentAddress { display } } }"""
WHY = "Disclosure in class today suggests immediate risk of harm at home; DSL consulted."


def latest_entries(driver: Driver, count: int) -> list[dict[str, object]]:
    rows, _, _ = driver.execute_query("MATCH (e:AuditEntry) RETURN properties(e) AS e ORDER BY e.seq DESC LIMIT $n",
                                      n=count)
    return [row["e"] for row in rows][::-1]


def test_break_glass_widens_one_users_view_of_one_person(api: ApiServer, seeded: Seeded, driver: Driver) -> None:
    connor, ava = seeded.person("police:N-CONNOR"), seeded.person("health:H-AVA")
    assert api.data(VIEW, variables={"id": connor}, **EARLY_HELP) == {"person": None}
    short = api.execute(GLASS, variables={"id": connor, "why": "urgent"}, **EARLY_HELP).payload
    assert short["errors"][0]["extensions"]["code"] == "INVALID_ARGUMENT"

    grant = api.data(GLASS, variables={"id": connor, "why": WHY}, **EARLY_HELP)["breakGlass"]
    assert grant["personId"] == connor and grant["user"] == "teacher-1" and not grant["reviewed"]
    entry = latest_entries(driver, 1)[0]
    assert entry["break_glass"] is True and entry["grant"] == grant["id"] and entry["requested"] == [connor]
    assert len(str(entry["justification_sha256"])) == 64 and WHY not in json.dumps(entry)

    view = api.data(VIEW, variables={"id": connor}, **EARLY_HELP)["person"]
    assert view["breakGlass"] is True and view["recordCount"] == 1
    assert latest_entries(driver, 1)[0]["break_glass"] is True
    # Only that person, only that user.
    ava_view = api.data(VIEW, variables={"id": ava}, **EARLY_HELP)["person"]
    assert "police" not in {e["node"]["source"] for e in ava_view["records"]["edges"]}
    assert api.data(VIEW, variables={"id": connor}, **{**EARLY_HELP, "user": "teacher-2"}) == {"person": None}


def test_break_glass_never_lifts_holds_owner_restrictions_or_restricted_addresses(api: ApiServer, seeded: Seeded) -> None:
    zak, ava, lily = seeded.person("health:H-ZAK"), seeded.person("health:H-AVA"), seeded.person("health:H-LILY")
    who = {**EARLY_HELP, "user": "teacher-3"}
    for person_id in (zak, ava, lily):
        api.data(GLASS, variables={"id": person_id, "why": WHY}, **who)
    zak_view = api.data(VIEW, variables={"id": zak}, **who)["person"]
    assert seeded.markers["owner_name"] not in json.dumps(zak_view)
    ava_view = api.data(VIEW, variables={"id": ava}, **who)["person"]
    assert seeded.markers["held_name"] not in json.dumps(ava_view)
    assert ava_view["heldElsewhere"] == [{"agency": {"code": "police"}}]  # now it may know police hold something
    lily_view = api.data(VIEW, variables={"id": lily}, **who)["person"]
    assert lily_view["currentAddress"] is None and seeded.markers["restricted_line"] not in json.dumps(lily_view)


def test_break_glass_is_not_an_existence_oracle(api: ApiServer) -> None:
    who = {**EARLY_HELP, "user": "teacher-4"}
    for person_id in ("per_00000000000000ee", "per_11111111111111ee"):
        grant = api.data(GLASS, variables={"id": person_id, "why": WHY}, **who)["breakGlass"]
        assert grant["personId"] == person_id


def test_break_glass_only_where_the_policy_allows_it(api: ApiServer, seeded: Seeded) -> None:
    payload = api.execute(GLASS, variables={"id": seeded.person("health:H-AVA"), "why": WHY}, agency="police",
                          role="practitioner", purpose="s47_enquiry").payload
    assert payload["errors"][0]["extensions"]["code"] == "FORBIDDEN"


def test_grants_expire(api: ApiServer, seeded: Seeded, driver: Driver) -> None:
    connor = seeded.person("police:N-CONNOR")
    who = {**EARLY_HELP, "user": "teacher-5"}
    grant = api.data(GLASS, variables={"id": connor, "why": WHY}, **who)["breakGlass"]
    assert api.data(VIEW, variables={"id": connor}, **who)["person"] is not None
    driver.execute_query("MATCH (g:BreakGlass {id: $id}) SET g.expires_at = datetime() - duration('PT1M')",
                         id=grant["id"])
    assert api.data(VIEW, variables={"id": connor}, **who) == {"person": None}


def test_grants_are_listed_for_review(api: ApiServer, seeded: Seeded) -> None:
    grant = api.data(GLASS, variables={"id": seeded.person("police:N-CONNOR"), "why": WHY},
                     **{**EARLY_HELP, "user": "teacher-6"})["breakGlass"]
    listing = """query L($pending: Boolean!) { breakGlassGrants(pendingOnly: $pending, first: 100) { totalCount
      edges { node { id user justification reviewed outcome reviewedBy } } } }"""
    pending = api.data(listing, variables={"pending": True}, **IG)["breakGlassGrants"]
    listed = {e["node"]["id"]: e["node"] for e in pending["edges"]}
    assert grant["id"] in listed and listed[grant["id"]]["justification"] == WHY
    review = """mutation R($id: ID!) { reviewBreakGlass(id: $id, outcome: APPROPRIATE, note: "Proportionate.") {
      id reviewed outcome reviewedBy } }"""
    reviewed = api.data(review, variables={"id": grant["id"]}, **IG)["reviewBreakGlass"]
    assert reviewed == {"id": grant["id"], "reviewed": True, "outcome": "APPROPRIATE", "reviewedBy": "ig-1"}
    after = api.data(listing, variables={"pending": True}, **IG)["breakGlassGrants"]
    assert after["totalCount"] == pending["totalCount"] - 1
    assert grant["id"] in {e["node"]["id"] for e in api.data(listing, variables={"pending": False},
                                                             **IG)["breakGlassGrants"]["edges"]}
    assert api.execute(listing, variables={"pending": True}, **EARLY_HELP).payload["errors"][0]["extensions"][
        "code"] == "FORBIDDEN"
    missing = api.execute(review.replace("$id: ID!", "$id: ID!"), variables={"id": "bg_nope"}, **IG).payload
    assert missing["errors"][0]["extensions"]["code"] == "NOT_FOUND"
