// Purpose: households, asked for by id or as the households of given people, with their current address and
//          each member as a person bundle (evidence for membership, restriction flags and every record, projected
//          exactly as api/person_bundles projects them: the test suite checks the two stay identical), in one pass;
//          asking for a person's household this way loads the person too, so a single view needs one query
// Parameters: $ids (household ids), $person_ids (people whose household is wanted), $restricted_marker (text that
//             marks a restricted record's extra JSON)
CALL () {
  UNWIND $ids AS requested
  MATCH (h:Household {id: requested})
  RETURN h
  UNION
  UNWIND $person_ids AS person_id
  MATCH (:Person {id: person_id})-[:MEMBER_OF]->(h:Household)
  RETURN h
}
CALL (h) {
  OPTIONAL MATCH (p:Person)-[membership:MEMBER_OF]->(h)
  WITH p, membership WHERE p IS NOT NULL
  RETURN collect({
    id: p.id, household_id: h.id, household_evidence: membership.evidence,
    restricted: EXISTS {
      MATCH (p)<-[:RESOLVES_TO]-(own:Record) WHERE own.extra CONTAINS $restricted_marker
    },
    household_restricted: EXISTS {
      MATCH (h)<-[:MEMBER_OF]-(:Person)<-[:RESOLVES_TO]-(member:Record) WHERE member.extra CONTAINS $restricted_marker
    },
    records:
    // record projection: begin
    [(p)<-[:RESOLVES_TO]-(r:Record) | r {
       .uid, .source, .source_id, .given_name, .middle_names, .family_name, .dob, .sex, .recorded_at,
       .extra, .flags,
       mark: [(r)<-[:MARKS]-(m:SharingMark) | m {.kind, .contact, .agency, .at}][0],
       addresses: [(r)-[link:HAS_ADDRESS]->(a:Address) | a {
          .key, .display, .flat, .number, .building, .street, .town, .postcode, .uprn, .placeholder,
          from: link.from, to: link.to, current: link.current}],
       phones: [(r)-[:HAS_PHONE]->(phone:Phone) | phone {.e164, .kind}],
       emails: [(r)-[:HAS_EMAIL]->(email:Email) | email.address],
       identifiers: [(r)-[:HAS_IDENTIFIER]->(i:Identifier) | i {.scheme, .value, .valid}],
       schools: [(r)-[:ATTENDS]->(s:School) | s {.urn, .name}],
       related: [(r)-[rel:RELATED]-(other:Record) WHERE other.stub IS NULL | {
          uid: other.uid, source: other.source, type: rel.type, outgoing: startNode(rel) = r,
          person_id: [(other)-[:RESOLVES_TO]->(op:Person) | op.id][0]}]
    }]
    // record projection: end
  }) AS members
}
RETURN h.id AS id,
       [(h)-[:AT]->(a:Address) | a {.key, .display, .flat, .number, .building, .street, .town, .postcode, .uprn,
                                    .placeholder}][0] AS address,
       members
