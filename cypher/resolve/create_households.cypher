// Purpose: create households whose ids a full resolve has just minted (CREATE without a lookup), each
//          linked to its current address and to its members, in one statement
// Parameters: $households (list of {id, address_key, size, members: list of {person_id, evidence}})
UNWIND $households AS household
CREATE (h:Household {id: household.id, size: household.size, address_key: household.address_key,
                     created_at: datetime(), updated_at: datetime()})
WITH h, household
CALL (h, household) {
  MATCH (a:Address {key: household.address_key})
  CREATE (h)-[:AT]->(a)
}
WITH h, household
UNWIND household.members AS member
MATCH (p:Person {id: member.person_id})
CREATE (p)-[:MEMBER_OF {evidence: member.evidence}]->(h)
RETURN count(*) AS links
