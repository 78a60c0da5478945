// Purpose: a real-time push's first statement: take the incremental resolve lock (serialises real-time
//          resolutions, as resolve/lock_for_incremental) and, in the same round trip, say whether the record is
//          stored already (stub or not), its content hash, and the person and household it resolves to now
// Parameters: $uid
MERGE (lock:ResolveLock {name: 'incremental'})
SET lock.at = datetime()
WITH lock
OPTIONAL MATCH (r:Record {uid: $uid})
OPTIONAL MATCH (r)-[:RESOLVES_TO]->(p:Person)
RETURN r IS NOT NULL AS found, r.content_hash AS content_hash, r.stub IS NOT NULL AS stub, p.id AS person_id,
       CASE WHEN p IS NULL THEN null ELSE [(p)-[:MEMBER_OF]->(h:Household) | h.id][0] END AS household_id
LIMIT 1
