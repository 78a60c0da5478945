// Purpose: every record resolved to the given people (the component a real-time resolve re-clusters)
// Parameters: $person_ids
MATCH (r:Record)-[:RESOLVES_TO]->(p:Person)
WHERE p.id IN $person_ids
RETURN r.uid AS uid, p.id AS person_id
