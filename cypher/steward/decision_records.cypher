// Purpose: the records a steward decision is about
// Parameters: $id
MATCH (d:StewardDecision {id: $id})-[:ABOUT]->(r:Record)
RETURN r.uid AS uid
ORDER BY uid
