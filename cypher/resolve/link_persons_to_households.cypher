// Purpose: (:Person)-[:MEMBER_OF {evidence}]->(:Household) for the members of households a run keeps: created where
//          missing (the person joined, or moved here: its old link was dropped first), the evidence set only where it
//          changed (a member who stays keeps its link)
// Parameters: $links (list of {person_id, household_id, evidence})
UNWIND $links AS link
MATCH (p:Person {id: link.person_id}), (h:Household {id: link.household_id})
MERGE (p)-[m:MEMBER_OF]->(h)
  ON CREATE SET m.evidence = link.evidence
FOREACH (_ IN CASE WHEN m.evidence = link.evidence THEN [] ELSE [1] END | SET m.evidence = link.evidence)
RETURN count(*) AS links
