// Purpose: the records a steward action is about (every constraint it stored)
// Parameters: $id (the action's id, or one constraint's id)
MATCH (d:StewardDecision)-[:ABOUT]->(r:Record)
WHERE d.decision = $id OR d.id = $id
RETURN DISTINCT r.uid AS uid
ORDER BY uid
