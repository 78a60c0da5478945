// Purpose: drop the household links of the given people before a real-time resolve re-forms them
// Parameters: $person_ids
MATCH (p:Person)-[m:MEMBER_OF]->()
WHERE p.id IN $person_ids
DELETE m
