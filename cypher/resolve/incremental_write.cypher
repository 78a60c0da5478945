// Purpose: everything a real-time resolve writes, in one round trip: the record's SIMILAR_TO edges replaced
//          (weight bits, probability, explanation as resolvers/link_evidence.py stores it, blocking rules, cannot-link reason); the component's
//          records re-assigned (their person links dropped, the people created or updated with their summary,
//          copies of record values earlier versions stored on them removed, each record linked); people whose id
//          did not survive retired with their successors;
//          identity journal entries appended after the last one (the caller holds the resolve lock, so the
//          numbers cannot collide); the households of household_persons re-formed (their memberships and the
//          households' address links dropped, households written and linked to their address, members linked,
//          households left without members removed)
// Parameters: $input, one map of: uid, edges (list of {a, b, weight, probability, explanation, rules,
//             cannot_link}), uids (the
//             component's records), persons (list of {id, props}), links (list of {uid, person_id}), retired
//             (list of {id, status, successors}), events (list of {kind, from_ids, to_ids, records,
//             decision_id}), household_persons, households (list of {id, address_key, size}), memberships
//             (list of {person_id, household_id, evidence})
//             (one map: Neo4j plans a statement again for every size class of a list parameter, half a
//             second each, and a push's lists vary in size; lists inside a map do not count)
CALL () {
  MATCH (:Record {uid: $input.uid})-[s:SIMILAR_TO]-()
  DELETE s
}
CALL () {
  UNWIND $input.edges AS edge
  MATCH (a:Record {uid: edge.a}), (b:Record {uid: edge.b})
  CREATE (a)-[:SIMILAR_TO {weight: edge.weight, probability: edge.probability, explanation: edge.explanation,
                           rules: edge.rules, cannot_link: edge.cannot_link}]->(b)
}
CALL () {
  MATCH (r:Record)-[x:RESOLVES_TO]->()
  WHERE r.uid IN $input.uids
  DELETE x
}
CALL () {
  UNWIND $input.persons AS person
  MERGE (p:Person {id: person.id})
    ON CREATE SET p.created_at = datetime()
  SET p += person.props, p.status = 'active', p.updated_at = datetime()
  REMOVE p.given_name, p.family_name, p.middle_names, p.dob, p.sex, p.current_address, p.aliases, p.provenance
}
CALL () {
  UNWIND $input.links AS link
  MATCH (r:Record {uid: link.uid}), (p:Person {id: link.person_id})
  CREATE (r)-[:RESOLVES_TO]->(p)
}
CALL () {
  UNWIND $input.retired AS old
  MATCH (p:Person {id: old.id})
  SET p.status = old.status, p.retired_at = datetime()
  WITH p, old
  UNWIND old.successors AS successor_id
  MATCH (s:Person {id: successor_id})
  MERGE (p)-[:SUCCEEDED_BY]->(s)
}
CALL () {
  // The last journal position through the seq index (newest first), not a scan of every entry.
  OPTIONAL MATCH (e:IdentityEvent)
  WHERE e.seq IS NOT NULL AND size($input.events) > 0
  WITH e.seq AS seq
  ORDER BY seq DESC
  LIMIT 1
  UNWIND range(0, size($input.events) - 1) AS offset
  WITH coalesce(seq, 0) AS last, offset, $input.events[offset] AS event
  CREATE (:IdentityEvent {seq: last + 1 + offset, kind: event.kind, from_ids: event.from_ids, to_ids: event.to_ids,
                          records: event.records, decision_id: event.decision_id, at: datetime()})
}
CALL () {
  OPTIONAL MATCH (p:Person)-[m:MEMBER_OF]->(h:Household)
  WHERE p.id IN $input.household_persons
  DELETE m
  RETURN collect(DISTINCT h.id) AS left
}
CALL () {
  MATCH (h:Household)-[x:AT]->()
  WHERE h.id IN [household IN $input.households | household.id]
  DELETE x
}
CALL () {
  UNWIND $input.households AS household
  MERGE (h:Household {id: household.id})
    ON CREATE SET h.created_at = datetime()
  SET h.size = household.size, h.address_key = household.address_key, h.updated_at = datetime()
  WITH h, household
  OPTIONAL MATCH (a:Address {key: household.address_key})
  FOREACH (_ IN CASE WHEN a IS NULL THEN [] ELSE [1] END | CREATE (h)-[:AT]->(a))
}
CALL () {
  UNWIND $input.memberships AS membership
  MATCH (p:Person {id: membership.person_id}), (h:Household {id: membership.household_id})
  CREATE (p)-[:MEMBER_OF {evidence: membership.evidence}]->(h)
}
CALL (left) {
  MATCH (h:Household)
  WHERE h.id IN left + [household IN $input.households | household.id] AND NOT (h)<-[:MEMBER_OF]-()
  DETACH DELETE h
}
RETURN size($input.links) AS links
