// Purpose: the households of the given people, with all their members' records (real-time household update)
// Parameters: $person_ids
MATCH (p:Person)-[:MEMBER_OF]->(h:Household)<-[:MEMBER_OF]-(m:Person)<-[:RESOLVES_TO]-(r:Record)
WHERE p.id IN $person_ids
RETURN DISTINCT r.uid AS uid, m.id AS person_id, h.id AS household_id
