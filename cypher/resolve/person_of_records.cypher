// Purpose: the person each of the named records resolves to
// Parameters: $uids (list of record uids)
UNWIND $uids AS uid
MATCH (r:Record {uid: uid})-[:RESOLVES_TO]->(p:Person)
RETURN r.uid AS uid, p.id AS person_id
