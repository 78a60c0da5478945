// Purpose: mark people whose id did not survive a merge or split, pointing to their successor(s)
// Parameters: $retired (list of {id, status, successors})
UNWIND $retired AS old
MATCH (p:Person {id: old.id})
SET p.status = old.status, p.retired_at = datetime()
WITH p, old
UNWIND old.successors AS successor_id
MATCH (s:Person {id: successor_id})
MERGE (p)-[:SUCCEEDED_BY]->(s)
RETURN count(*) AS successions
