// Purpose: keep households whose ids a run keeps up to date: size and address key set only where they changed, and
//          the AT link moved only when the current address changed (a re-run where nothing changed writes nothing)
// Parameters: $households (list of {id, address_key, size})
UNWIND $households AS household
MERGE (h:Household {id: household.id})
  ON CREATE SET h.created_at = datetime()
WITH h, household
CALL (h, household) {
  WITH h, household
  WHERE h.size IS NULL OR h.size <> household.size
     OR coalesce(h.address_key, '') <> coalesce(household.address_key, '')
  SET h.size = household.size, h.address_key = household.address_key, h.updated_at = datetime()
}
CALL (h, household) {
  OPTIONAL MATCH (h)-[at:AT]->(old:Address)
  WITH h, household, collect(at) AS links, collect(old.key) AS keys
  WHERE keys <> CASE WHEN household.address_key IS NULL THEN [] ELSE [household.address_key] END
  FOREACH (link IN links | DELETE link)
  WITH h, household
  OPTIONAL MATCH (a:Address {key: household.address_key})
  FOREACH (_ IN CASE WHEN a IS NULL THEN [] ELSE [1] END | CREATE (h)-[:AT]->(a))
}
RETURN count(h) AS households
