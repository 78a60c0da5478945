"""The single view of a person, household and record, through the audited execution path, against real Neo4j."""

from __future__ import annotations

import json

from tests.api.helpers import ApiServer
from tests.api.seed import Seeded

PERSON = """
query One($id: ID!) {
  person(id: $id) {
    id givenName familyName dob sex aliases
    resolution { requestedId kind successorIds }
    currentAddress { display postcode }
    addressHistory { address { postcode } from to current sources }
    identifiers { scheme value valid sources }
    agenciesInvolved { code name }
    heldElsewhere { agency { code } contact }
    provenance { field recordIds sources }
    recordCount
    records(first: 50) { totalCount edges { cursor node { id source sourceId givenName middleNames familyName dob
      addresses { address { display } current } phones { number kind } identifiers { scheme value }
      attributes { name value } school { urn } mark category } } }
    household { id size members { totalCount edges { node { person { id givenName } evidence } } } address { postcode } }
    links { totalCount edges { node { weight probability explanation { comparison level weight }
      a { source } b { source } } } }
  }
}
"""

POLICE_S47 = {"agency": "police", "role": "practitioner", "purpose": "s47_enquiry"}
EDUCATION_EARLY_HELP = {"agency": "education", "role": "practitioner", "purpose": "early_help"}


def person(api: ApiServer, person_id: str, **who: str) -> tuple[dict, list[dict]]:
    outcome = api.execute(PERSON, variables={"id": person_id}, **who)
    assert "errors" not in outcome.payload, outcome.payload
    return outcome.payload["data"]["person"], outcome.payload["extensions"]["redactions"]


def test_police_in_s47_sees_every_agencys_records(api: ApiServer, seeded: Seeded) -> None:
    ava = seeded.person("health:H-AVA")
    view, redactions = person(api, ava, **POLICE_S47)
    assert view["id"] == ava
    sources = sorted(edge["node"]["source"] for edge in view["records"]["edges"])
    # Police's own held record is shown to police (its owner) with its mark.
    assert sources == ["education", "health", "police", "social_care"]
    assert view["givenName"] == "Ava" and view["familyName"] == "Khan" and view["dob"] == "2016-05-20"
    assert {a["code"] for a in view["agenciesInvolved"]} == {"education", "health", "police", "social_care"}
    health = next(e["node"] for e in view["records"]["edges"] if e["node"]["source"] == "health")
    assert {"name": "gp_ods_code", "value": json.dumps(seeded.markers["gp_code"])} in health["attributes"]
    assert view["household"]["id"] == seeded.household_of[ava]
    assert not [r for r in redactions if r["field"].startswith("Record.attributes.attribute.gp")]
    police = next(e["node"] for e in view["records"]["edges"] if e["node"]["source"] == "police")
    assert police["mark"] == "HELD_NOT_DISCLOSED"
    assert view["heldElsewhere"] == []


def test_education_in_early_help_sees_no_police_records_at_all(api: ApiServer, seeded: Seeded) -> None:
    ava = seeded.person("health:H-AVA")
    view, _redactions = person(api, ava, **EDUCATION_EARLY_HELP)
    sources = sorted(edge["node"]["source"] for edge in view["records"]["edges"])
    assert "police" not in sources
    assert view["recordCount"] == len(sources) == view["records"]["totalCount"]
    assert "police" not in {a["code"] for a in view["agenciesInvolved"]}
    # Not even a held notice: police records do not exist for this caller.
    assert view["heldElsewhere"] == []
    text = json.dumps(view)
    assert seeded.markers["held_name"] not in text and "police" not in text


def test_health_details_redacted_outside_s47_and_mash(api: ApiServer, seeded: Seeded) -> None:
    ava = seeded.person("health:H-AVA")
    view, redactions = person(api, ava, **EDUCATION_EARLY_HELP)
    health = next(e["node"] for e in view["records"]["edges"] if e["node"]["source"] == "health")
    assert health["givenName"] == "Ava"  # identity: who health knows
    assert health["addresses"] is None and health["identifiers"] == [] and health["attributes"] == []
    fields = {(r["field"], r["reason"]) for r in redactions}
    assert ("Record.addresses", "CATEGORY_REDACTED") in fields
    assert ("Record.attributes.attribute.gp_ods_code", "CATEGORY_REDACTED") in fields
    assert seeded.markers["gp_code"] not in json.dumps(view)
    path = next(r["path"] for r in redactions if r["field"] == "Record.addresses")
    assert path[:3] == ["person", "records", "edges"] and path[-2:] == ["node", "addresses"]


SOCIAL_CARE_S47 = {"agency": "social_care", "role": "practitioner", "purpose": "s47_enquiry"}
SHORT = "query One($id: ID!) { person(id: $id) { id givenName recordCount heldElsewhere { agency { code } contact } } }"


def test_not_found_and_not_permitted_look_the_same(api: ApiServer, seeded: Seeded) -> None:
    connor = seeded.person("police:N-CONNOR")  # police alone know him
    hidden = api.execute(SHORT, variables={"id": connor}, **EDUCATION_EARLY_HELP).payload
    missing = api.execute(SHORT, variables={"id": "per_00000000000000ff"}, **EDUCATION_EARLY_HELP).payload
    malformed = api.execute(SHORT, variables={"id": "not-an-id"}, **EDUCATION_EARLY_HELP).payload
    for payload in (hidden, missing, malformed):
        assert payload["data"] == {"person": None}
        assert "errors" not in payload and payload["extensions"]["redactions"] == []
    assert api.data(SHORT, variables={"id": connor}, **POLICE_S47)["person"]["recordCount"] == 1
    # The same through node(id:) and record(source:, sourceId:).
    node = "query N($id: ID!) { node(id: $id) { id } }"
    assert api.data(node, variables={"id": connor}, **EDUCATION_EARLY_HELP) == {"node": None}
    record = 'query { record(source: "police", sourceId: "N-CONNOR") { id sourceId } }'
    nothing = 'query { record(source: "police", sourceId: "N-NOBODY") { id sourceId } }'
    assert api.data(record, **EDUCATION_EARLY_HELP) == api.data(nothing, **EDUCATION_EARLY_HELP) == {"record": None}
    assert api.data(record, **POLICE_S47)["record"]["sourceId"] == "N-CONNOR"


def test_node_fetches_people_households_and_records(api: ApiServer, seeded: Seeded) -> None:
    ava = seeded.person("health:H-AVA")
    data = api.data("query N($id: ID!) { person(id: $id) { id records(first: 1) { edges { node { id } } } "
                    "household { id } } }", variables={"id": ava}, **POLICE_S47)["person"]
    for node_id, typename in ((ava, "Person"), (data["household"]["id"], "Household"),
                              (data["records"]["edges"][0]["node"]["id"], "Record")):
        found = api.data("query N($id: ID!) { node(id: $id) { __typename id } }", variables={"id": node_id},
                         **POLICE_S47)["node"]
        assert found == {"__typename": typename, "id": node_id}


def test_held_not_disclosed_shows_only_who_to_contact(api: ApiServer, seeded: Seeded) -> None:
    ava = seeded.person("health:H-AVA")
    view, _ = person(api, ava, **SOCIAL_CARE_S47)
    assert "police" not in {e["node"]["source"] for e in view["records"]["edges"]}
    assert view["heldElsewhere"] == [{"agency": {"code": "police"}, "contact": "police desk"}]
    assert seeded.markers["held_name"] not in json.dumps(view)
    # Police, owning the record, see it whole.
    police_view, _ = person(api, ava, **POLICE_S47)
    assert seeded.markers["held_name"] in json.dumps(police_view)


def test_owner_restricted_records_are_seen_by_their_agency_only(api: ApiServer, seeded: Seeded) -> None:
    zak = seeded.person("health:H-ZAK")
    own, _ = person(api, zak, **SOCIAL_CARE_S47)
    other, _ = person(api, zak, **POLICE_S47)
    own_sources = [e["node"]["source"] for e in own["records"]["edges"]]
    assert "social_care" in own_sources and seeded.markers["owner_name"] in json.dumps(own)
    assert "social_care" not in [e["node"]["source"] for e in other["records"]["edges"]]
    assert seeded.markers["owner_name"] not in json.dumps(other)
    assert other["recordCount"] == own["recordCount"] - 1
    marked = next(e["node"] for e in own["records"]["edges"] if e["node"]["source"] == "social_care")
    assert marked["mark"] == "OWNER_RESTRICTED" and marked["category"] == "owner_restricted"


def test_restricted_address_hidden_without_clearance(api: ApiServer, seeded: Seeded) -> None:
    lily, joan = seeded.person("health:H-LILY"), seeded.person("social_care:S-JOAN")
    line = seeded.markers["restricted_line"]
    for who in (SOCIAL_CARE_S47, POLICE_S47, EDUCATION_EARLY_HELP):
        for person_id in (lily, joan):  # Joan lives with Lily: her address would disclose Lily's
            view, redactions = person(api, person_id, **who)
            assert line not in json.dumps(view), (who, person_id)
            assert view["currentAddress"] is None
            assert any(r["reason"] == "ADDRESS_RESTRICTED" and r["field"] == "Person.currentAddress"
                       for r in redactions)
            household = view["household"]
            if household is not None:
                assert household["address"] is None
    cleared, _ = person(api, lily, clearances=("restricted_address",), **SOCIAL_CARE_S47)
    assert line in cleared["currentAddress"]["display"]
    # A clearance does not help outside the purposes the policy names.
    elsewhere, _ = person(api, lily, clearances=("restricted_address",), agency="social_care",
                          role="practitioner", purpose="s17_assessment")
    assert elsewhere["currentAddress"] is None


def test_links_explain_the_merge_and_withhold_what_the_caller_may_not_see(api: ApiServer, seeded: Seeded) -> None:
    ava = seeded.person("health:H-AVA")
    view, _ = person(api, ava, **POLICE_S47)
    links = [e["node"] for e in view["links"]["edges"]]
    assert links and all(link["weight"] is not None for link in links)
    assert {"given_name", "dob"} <= {item["comparison"] for link in links for item in link["explanation"]}
    restricted, redactions = person(api, ava, **EDUCATION_EARLY_HELP)
    for link in (e["node"] for e in restricted["links"]["edges"]):
        assert "police" not in (link["a"]["source"], link["b"]["source"])
        if "health" in (link["a"]["source"], link["b"]["source"]):
            # The health record's address is redacted for this caller: no location evidence, no total.
            assert "location" not in {item["comparison"] for item in link["explanation"]}
            assert link["weight"] is None
    assert any(r["field"] == "PersonLink.weight" for r in redactions)


def test_pages_and_their_limits(api: ApiServer, seeded: Seeded) -> None:
    ava = seeded.person("health:H-AVA")
    query = ("query P($id: ID!, $after: String) { person(id: $id) { records(first: 2, after: $after) { totalCount "
             "pageInfo { hasNextPage endCursor } edges { node { id } } } } }")
    seen: list[str] = []
    after = None
    while True:
        page = api.data(query, variables={"id": ava, "after": after}, **POLICE_S47)["person"]["records"]
        seen += [e["node"]["id"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert len(seen) == len(set(seen)) == page["totalCount"] == 4
    too_many = api.execute("query P($id: ID!) { person(id: $id) { records(first: 1000) { totalCount } } }",
                           variables={"id": ava}, **POLICE_S47).payload
    assert too_many["errors"][0]["extensions"]["code"] == "INVALID_ARGUMENT"
    bad_cursor = api.execute(query, variables={"id": ava, "after": "bm9wZQ"}, **POLICE_S47).payload
    assert bad_cursor["errors"][0]["extensions"]["code"] == "INVALID_ARGUMENT"


def test_operations_the_policy_does_not_allow_are_forbidden(api: ApiServer, seeded: Seeded) -> None:
    ava = seeded.person("health:H-AVA")
    for who in ({"agency": "governance", "role": "ig_lead", "purpose": "audit_review"},
                {"agency": "mash", "role": "steward", "purpose": "mash_enquiry"},
                {"agency": "health", "role": "system", "purpose": "data_submission"}):
        payload = api.execute(SHORT, variables={"id": ava}, **who).payload
        assert payload["data"] == {"person": None}
        assert payload["errors"][0]["extensions"]["code"] == "FORBIDDEN"


def test_system_role_sees_its_own_records_only(api: ApiServer, seeded: Seeded) -> None:
    own = 'query { record(source: "health", sourceId: "H-AVA") { sourceId givenName person { id } } }'
    other = 'query { record(source: "education", sourceId: "P-AVA") { sourceId } }'
    who = {"agency": "health", "role": "system", "purpose": "data_submission"}
    found = api.data(own, **who)["record"]
    assert found["sourceId"] == "H-AVA"
    assert api.data(other, **who) == {"record": None}


SEARCH = """query S($given: String, $family: String, $dob: String, $postcode: String, $id: IdentifierInput) {
  searchPeople(givenName: $given, familyName: $family, dob: $dob, postcode: $postcode, identifier: $id, first: 5) {
    totalCount edges { node { person { id givenName } score weight explanation { comparison level weight }
    matchedRecordIds } } } }"""


def test_search_finds_the_child_with_reasons(api: ApiServer, seeded: Seeded) -> None:
    ava = seeded.person("health:H-AVA")
    result = api.data(SEARCH, variables={"given": "Ava", "family": "Khan", "dob": "2016-05-20"},
                      **EDUCATION_EARLY_HELP)["searchPeople"]
    best = result["edges"][0]["node"]
    assert best["person"]["id"] == ava and best["score"] > 0.9
    assert {"given_name", "family_name", "dob"} <= {e["comparison"] for e in best["explanation"]}
    by_nhs = api.data(SEARCH, variables={"family": "Khan", "id": {"scheme": "nhs_number", "value": "943 476 5919"}},
                      **POLICE_S47)["searchPeople"]["edges"][0]["node"]
    assert by_nhs["person"]["id"] == ava
    assert "nhs_number" in {e["comparison"] for e in by_nhs["explanation"]}


def test_search_is_no_oracle_for_hidden_records(api: ApiServer, seeded: Seeded) -> None:
    hidden_name = seeded.markers["police_name"]
    variables = {"given": "Connor", "family": hidden_name, "dob": "1990-02-14"}
    assert api.data(SEARCH, variables=variables, **EDUCATION_EARLY_HELP)["searchPeople"]["totalCount"] == 0
    found = api.data(SEARCH, variables=variables, **POLICE_S47)["searchPeople"]
    assert found["edges"][0]["node"]["person"]["id"] == seeded.person("police:N-CONNOR")
    # A restricted address takes no part in a score for a caller without clearance.
    lily = api.data(SEARCH, variables={"given": "Lily", "family": "Fenwick", "postcode": "LS8 4QT"},
                    **SOCIAL_CARE_S47)["searchPeople"]["edges"]
    assert lily and all("location" not in {e["comparison"] for e in m["node"]["explanation"]} for m in lily)


def test_search_needs_a_family_name_or_identifier(api: ApiServer, seeded: Seeded) -> None:
    payload = api.execute(SEARCH, variables={"given": "Ava", "dob": "2016-05-20"}, **POLICE_S47).payload
    assert payload["errors"][0]["extensions"]["code"] == "INVALID_ARGUMENT"
    bad_postcode = api.execute(SEARCH, variables={"family": "Khan", "postcode": "not a postcode"},
                               **POLICE_S47).payload
    assert bad_postcode["errors"][0]["extensions"]["code"] == "INVALID_ARGUMENT"


MARK = """mutation M($source: String!, $id: String!, $mark: RecordMark!) {
  markRecord(source: $source, sourceId: $id, mark: $mark, contact: "DS Example, 0113 000 0000") { recordId mark } }"""


def test_an_agency_marks_its_own_records_only(api: ApiServer, seeded: Seeded) -> None:
    connor = seeded.person("police:N-CONNOR")
    police = {"agency": "police", "role": "practitioner", "purpose": "s47_enquiry"}
    try:
        marked = api.data(MARK, variables={"source": "police", "id": "N-CONNOR", "mark": "HELD_NOT_DISCLOSED"},
                          **police)["markRecord"]
        assert marked["mark"] == "HELD_NOT_DISCLOSED"
        notice = api.data(SHORT, variables={"id": connor}, **SOCIAL_CARE_S47)["person"]
        assert notice == {"id": connor, "givenName": None, "recordCount": 0,
                          "heldElsewhere": [{"agency": {"code": "police"}, "contact": "DS Example, 0113 000 0000"}]}
        # Callers who could never see police records see nothing at all.
        assert api.data(SHORT, variables={"id": connor}, **EDUCATION_EARLY_HELP) == {"person": None}
    finally:
        api.data(MARK, variables={"source": "police", "id": "N-CONNOR", "mark": "NONE"}, **police)
    assert api.data(SHORT, variables={"id": connor}, **SOCIAL_CARE_S47)["person"]["recordCount"] == 1
    other = api.execute(MARK, variables={"source": "police", "id": "N-CONNOR", "mark": "HELD_NOT_DISCLOSED"},
                        **EDUCATION_EARLY_HELP).payload
    assert other["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    missing = api.execute(MARK, variables={"source": "police", "id": "N-NOBODY", "mark": "OWNER_RESTRICTED"},
                          **police).payload
    assert missing["errors"][0]["extensions"]["code"] == "NOT_FOUND"
