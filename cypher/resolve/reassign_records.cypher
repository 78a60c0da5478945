// Purpose: real-time resolution's new assignment of a component's records, in one round trip: drop their
//          person links, create or update the people (golden record summary + provenance), link each record
// Parameters: $uids (the component's records), $persons (list of {id, props}), $links (list of {uid, person_id})
CALL () {
  MATCH (r:Record)-[x:RESOLVES_TO]->()
  WHERE r.uid IN $uids
  DELETE x
}
CALL () {
  UNWIND $persons AS person
  MERGE (p:Person {id: person.id})
    ON CREATE SET p.created_at = datetime()
  SET p += person.props, p.status = 'active', p.updated_at = datetime()
}
UNWIND $links AS link
MATCH (r:Record {uid: link.uid}), (p:Person {id: link.person_id})
CREATE (r)-[:RESOLVES_TO]->(p)
RETURN count(*) AS links
