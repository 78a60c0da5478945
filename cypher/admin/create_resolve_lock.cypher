// Purpose: create the lock node of real-time resolution before any concurrent use
// Parameters: none
MERGE (lock:ResolveLock {name: 'incremental'})
RETURN lock.name AS name
