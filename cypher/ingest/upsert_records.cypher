// Purpose: create or replace records (all properties), dropping their old outgoing identifier and
//          relationship links so the batch's link statements can recreate exactly the current ones
// Parameters: $rows (list of {uid, props})
UNWIND $rows AS row
MERGE (r:Record {uid: row.uid})
SET r = row.props, r.ingested_at = datetime()
WITH r
OPTIONAL MATCH (r)-[old:HAS_ADDRESS|HAS_PHONE|HAS_EMAIL|HAS_IDENTIFIER|ATTENDS|RELATED]->()
DELETE old
RETURN count(DISTINCT r) AS records
