// Purpose: remove households left without members after a re-resolve
// Parameters: none
MATCH (h:Household) WHERE NOT (h)<-[:MEMBER_OF]-()
DETACH DELETE h
RETURN count(*) AS deleted
