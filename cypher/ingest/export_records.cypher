// Purpose: one row per stored record with its person and household (empty until resolved), for export
// Parameters: none
MATCH (r:Record) WHERE r.stub IS NULL
OPTIONAL MATCH (r)-[:RESOLVES_TO]->(p:Person)
OPTIONAL MATCH (p)-[:MEMBER_OF]->(h:Household)
RETURN r.source AS source, r.source_id AS source_id, p.id AS person_id, h.id AS household_id
ORDER BY source, source_id
