// Purpose: drop the SIMILAR_TO edges of the given records before their pairs are scored again
// Parameters: $uids
MATCH (r:Record)-[s:SIMILAR_TO]-()
WHERE r.uid IN $uids
DELETE s
