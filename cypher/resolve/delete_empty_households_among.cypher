// Purpose: remove the given households if a real-time re-resolve left them without members
// Parameters: $household_ids
MATCH (h:Household) WHERE h.id IN $household_ids AND NOT (h)<-[:MEMBER_OF]-()
DETACH DELETE h
RETURN count(*) AS deleted
