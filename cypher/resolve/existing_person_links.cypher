// Purpose: the current record -> person assignment, so re-runs keep person ids stable
// Parameters: none
MATCH (r:Record)-[:RESOLVES_TO]->(p:Person)
RETURN r.uid AS uid, p.id AS person_id
