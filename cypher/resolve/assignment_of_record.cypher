// Purpose: the person and household a record resolves to now (an unchanged pushed record)
// Parameters: $uid
MATCH (r:Record {uid: $uid})-[:RESOLVES_TO]->(p:Person)
RETURN p.id AS person_id, [(p)-[:MEMBER_OF]->(h:Household) | h.id][0] AS household_id
