// Purpose: what a real-time resolve reads once it knows the people a record links to, in one round trip: every
//          record of those people (the component re-clustered) with the person of each; the households of those
//          people with all their members' records, and the active people whose records are at the record's
//          addresses with all their records (households re-formed); the feature rows (columns of
//          resolve/fetch_records_by_uid) of those records not in known; the steward decisions about the
//          component's records; term-frequency counts of the component's given names and surnames not in
//          counted_givens / counted_families
// Parameters: $input, one map of: person_ids, address_keys, known, counted_givens, counted_families
//             (one map: Neo4j plans a statement again for every size class of a list parameter, half a
//             second each, and a push's lists vary in size; lists inside a map do not count)
CALL () {
  MATCH (r:Record)-[:RESOLVES_TO]->(p:Person)
  WHERE p.id IN $input.person_ids
  RETURN collect([r.uid, p.id]) AS members, collect(r) AS member_records
}
CALL () {
  MATCH (p:Person)-[:MEMBER_OF]->(h:Household)<-[:MEMBER_OF]-(m:Person)<-[:RESOLVES_TO]-(r:Record)
  WHERE p.id IN $input.person_ids
  WITH DISTINCT r, m, h
  RETURN collect([r.uid, m.id, h.id]) AS household_members, collect(r) AS household_records
}
CALL () {
  MATCH (a:Address)<-[:HAS_ADDRESS]-(:Record)-[:RESOLVES_TO]->(p:Person)<-[:RESOLVES_TO]-(r:Record)
  WHERE a.key IN $input.address_keys AND p.status = 'active'
  WITH DISTINCT r, p
  RETURN collect([r.uid, p.id]) AS neighbours, collect(r) AS neighbour_records
}
CALL (member_records, household_records, neighbour_records) {
  UNWIND member_records + household_records + neighbour_records AS x
  WITH DISTINCT x
  WHERE x.stub IS NULL AND NOT x.uid IN $input.known
  RETURN collect(x) AS unread
}
WITH members, household_members, neighbours, unread,
     reduce(names = [], x IN member_records | CASE WHEN x.given_norm IS NULL OR x.given_norm IN names
                                                   OR x.given_norm IN $input.counted_givens THEN names
                                                   ELSE names + x.given_norm END) AS givens,
     reduce(names = [], x IN member_records | CASE WHEN x.family_norm IS NULL OR x.family_norm IN names
                                                   OR x.family_norm IN $input.counted_families THEN names
                                                   ELSE names + x.family_norm END) AS families,
     reduce(found = [], x IN member_records | found + [(x)<-[:ABOUT]-(d:StewardDecision {active: true})
                                                        | {id: d.id, kind: d.kind,
                                                           uids: [(d)-[:ABOUT]->(y:Record) | y.uid]}]) AS decisions
RETURN members, household_members, neighbours, decisions,
  [x IN unread | {
     uid: x.uid, source: x.source, given: x.given_norm,
     given_canon: x.given_canon, given_groups: x.given_groups, middle: x.middle_norm, family: x.family_norm,
     family_parts: x.family_parts, family_phonetic: x.family_phonetic, dob: x.dob, sex: x.sex,
     recorded_at: x.recorded_at,
     addresses: [(x)-[h:HAS_ADDRESS]->(a:Address) WHERE a.placeholder IS NULL OR NOT a.placeholder
                 | [a.key, a.postcode, a.other_postcode, h.from, h.to, h.current]],
     street_address: x.street_address, unkeyed_postcodes: x.unkeyed_postcodes,
     phones: [(x)-[:HAS_PHONE]->(p:Phone) | [p.e164, p.kind]],
     emails: [(x)-[:HAS_EMAIL]->(e:Email) | e.address],
     identifiers: [(x)-[:HAS_IDENTIFIER]->(i:Identifier) WHERE i.valid | [i.scheme, i.value]],
     schools: [(x)-[:ATTENDS]->(s:School) | s.urn],
     related: [(x)-[rel:RELATED]-(o:Record) | [o.uid, rel.type, startNode(rel) = x]],
     person_id: [(x)-[:RESOLVES_TO]->(p:Person) | p.id][0]}] AS rows,
  [name IN givens | [name, COUNT { MATCH (g:Record {given_norm: name}) }]] AS given_counts,
  [name IN families | [name, COUNT { MATCH (f:Record {family_norm: name}) }]] AS family_counts
