// Purpose: everything a network around a person needs first, in one round trip (the explorer's first two layers),
//          for each person asked for (one row each, concurrent requests' networks read together):
//          the person's household with its members (as api/household_bundles gives it), the people attached to
//          every address, phone, email and school on the person's records (as api/expand_hubs gives them, hubs over
//          $max_degree reported and not expanded), and, as person bundles, the active people so reached outside the
//          household (projected as api/person_bundles projects records). Raw values for the policy to judge: which
//          of these the caller may see is decided afterwards, exactly as when each is loaded on its own
// Parameters: $person_ids (person ids), $max_degree, $restricted_marker (text that marks a restricted record's
//             extra JSON)
UNWIND $person_ids AS person_id
OPTIONAL MATCH (start:Person {id: person_id})
CALL (start) {
  OPTIONAL MATCH (start)-[:MEMBER_OF]->(h:Household)
  WITH h WHERE h IS NOT NULL
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
  RETURN collect({id: h.id,
                  address: [(h)-[:AT]->(a:Address) | a {.key, .display, .flat, .number, .building, .street, .town,
                                                        .postcode, .uprn, .placeholder}][0],
                  members: members}) AS households
}
CALL (start) {
  OPTIONAL MATCH (start)<-[:RESOLVES_TO]-(own:Record)
  WITH collect(own) AS own
  CALL (own) {
    UNWIND own AS r
    MATCH (r)-[:HAS_ADDRESS]->(n:Address)
    WITH DISTINCT n
    WITH n, COUNT { (n)<-[:HAS_ADDRESS]-() } AS degree
    OPTIONAL MATCH (n)<-[:HAS_ADDRESS]-(r:Record)-[:RESOLVES_TO]->(p:Person)
      WHERE degree <= $max_degree AND (n.placeholder IS NULL OR NOT n.placeholder)
    RETURN 'ADDRESS' AS kind, n.key AS key, degree, p AS person, r.uid AS uid
    UNION ALL
    UNWIND own AS r
    MATCH (r)-[:HAS_PHONE]->(n:Phone)
    WITH DISTINCT n
    WITH n, COUNT { (n)<-[:HAS_PHONE]-() } AS degree
    OPTIONAL MATCH (n)<-[:HAS_PHONE]-(r:Record)-[:RESOLVES_TO]->(p:Person) WHERE degree <= $max_degree
    RETURN 'PHONE' AS kind, n.e164 AS key, degree, p AS person, r.uid AS uid
    UNION ALL
    UNWIND own AS r
    MATCH (r)-[:HAS_EMAIL]->(n:Email)
    WITH DISTINCT n
    WITH n, COUNT { (n)<-[:HAS_EMAIL]-() } AS degree
    OPTIONAL MATCH (n)<-[:HAS_EMAIL]-(r:Record)-[:RESOLVES_TO]->(p:Person) WHERE degree <= $max_degree
    RETURN 'EMAIL' AS kind, n.address AS key, degree, p AS person, r.uid AS uid
    UNION ALL
    UNWIND own AS r
    MATCH (r)-[:ATTENDS]->(n:School)
    WITH DISTINCT n
    WITH n, COUNT { (n)<-[:ATTENDS]-() } AS degree
    OPTIONAL MATCH (n)<-[:ATTENDS]-(r:Record)-[:RESOLVES_TO]->(p:Person) WHERE degree <= $max_degree
    RETURN 'SCHOOL' AS kind, n.urn AS key, degree, p AS person, r.uid AS uid
  }
  RETURN collect({kind: kind, key: key, degree: degree, person_id: person.id, uid: uid}) AS hubs,
         collect(DISTINCT person) AS reached
}
CALL (start, reached) {
  UNWIND reached AS p
  WITH p
  WHERE (p.status IS NULL OR p.status = 'active')
    AND NOT EXISTS { (start)-[:MEMBER_OF]->(:Household)<-[:MEMBER_OF]-(p) }
  OPTIONAL MATCH (p)-[membership:MEMBER_OF]->(h:Household)
  RETURN collect({
    id: p.id, household_id: h.id, household_evidence: membership.evidence,
    restricted: EXISTS {
      MATCH (p)<-[:RESOLVES_TO]-(own:Record) WHERE own.extra CONTAINS $restricted_marker
    },
    household_restricted: EXISTS {
      MATCH (p)-[:MEMBER_OF]->(:Household)<-[:MEMBER_OF]-(:Person)<-[:RESOLVES_TO]-(member:Record)
      WHERE member.extra CONTAINS $restricted_marker
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
  }) AS people
}
RETURN person_id, households, hubs, people
