// Purpose: serialise real-time resolutions: every incremental resolve writes this node first, so two
//          concurrent pushes touching the same people cannot interleave their reads and writes
// Parameters: none
MERGE (lock:ResolveLock {name: 'incremental'})
SET lock.at = datetime()
RETURN lock.name AS name
