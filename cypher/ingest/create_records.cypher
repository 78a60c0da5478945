// Purpose: create records not seen before (the common case of a first load: no lookup, no old links)
// Parameters: $rows (list of {uid, props})
UNWIND $rows AS row
CREATE (r:Record)
SET r = row.props, r.ingested_at = datetime()
RETURN count(r) AS records
