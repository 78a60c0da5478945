// Purpose: people whose records are at the given addresses, with their records (real-time household update)
// Parameters: $keys
MATCH (a:Address)<-[:HAS_ADDRESS]-(:Record)-[:RESOLVES_TO]->(p:Person)<-[:RESOLVES_TO]-(r:Record)
WHERE a.key IN $keys AND p.status = 'active'
RETURN DISTINCT r.uid AS uid, p.id AS person_id
