// Purpose: after a bulk import, give schools the name that a later record than their first sighting
//          carried (the transactional path's coalesce on MERGE)
// Parameters: $rows (list of {urn, name})
UNWIND $rows AS row
MATCH (s:School {urn: row.urn})
SET s.name = coalesce(s.name, row.name)
RETURN count(s) AS schools
