// Purpose: the current person -> household assignment, so re-runs keep household ids stable
// Parameters: none
MATCH (p:Person)-[:MEMBER_OF]->(h:Household)
RETURN p.id AS person_id, h.id AS household_id
