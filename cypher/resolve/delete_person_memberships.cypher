// Purpose: drop the household links of the given people before a real-time resolve re-forms them; returns the
//          households they left (some may be left empty)
// Parameters: $person_ids
MATCH (p:Person)-[m:MEMBER_OF]->(h:Household)
WHERE p.id IN $person_ids
DELETE m
RETURN DISTINCT h.id AS household_id
