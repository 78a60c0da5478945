// Purpose: retired people (merged, split or erased) keep only their id, status and succession: strip any
//          golden values left from before they were retired (stale copies of record values)
// Parameters: $golden (names of the golden-value properties)
MATCH (p:Person) WHERE p.status IS NOT NULL AND p.status <> 'active' AND any(k IN keys(p) WHERE k IN $golden)
SET p = p {.id, .status, .created_at, .updated_at, .retired_at, .erased_at}
RETURN count(p) AS scrubbed
