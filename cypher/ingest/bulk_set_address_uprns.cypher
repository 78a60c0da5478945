// Purpose: after a bulk import, give addresses the UPRN that a later record than their first sighting
//          carried (the transactional path's coalesce on MERGE)
// Parameters: $rows (list of {key, uprn})
UNWIND $rows AS row
MATCH (a:Address {key: row.key})
SET a.uprn = coalesce(a.uprn, row.uprn)
RETURN count(a) AS addresses
