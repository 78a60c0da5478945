// Purpose: the person each named record resolves to (records not resolved yet give a null person)
// Parameters: $uids (record uids)
UNWIND $uids AS uid
MATCH (r:Record {uid: uid})
WHERE r.stub IS NULL
RETURN r.uid AS uid, [(r)-[:RESOLVES_TO]->(p:Person) | p.id][0] AS person_id
