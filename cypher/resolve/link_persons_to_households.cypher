// Purpose: (:Person)-[:MEMBER_OF {evidence}]->(:Household)
// Parameters: $links (list of {person_id, household_id, evidence})
UNWIND $links AS link
MATCH (p:Person {id: link.person_id}), (h:Household {id: link.household_id})
CREATE (p)-[:MEMBER_OF {evidence: link.evidence}]->(h)
RETURN count(*) AS links
