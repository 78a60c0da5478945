// Purpose: create or update households and link each to its current address
// Parameters: $households (list of {id, address_key, size})
UNWIND $households AS household
MERGE (h:Household {id: household.id})
  ON CREATE SET h.created_at = datetime()
SET h.size = household.size, h.address_key = household.address_key, h.updated_at = datetime()
WITH h, household
OPTIONAL MATCH (a:Address {key: household.address_key})
FOREACH (_ IN CASE WHEN a IS NULL THEN [] ELSE [1] END | CREATE (h)-[:AT]->(a))
RETURN count(h) AS households
