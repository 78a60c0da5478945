// Purpose: whether the database holds anything besides the lock node the schema step creates (the
//          bulk import loads only an empty database)
// Parameters: none
MATCH (n) WHERE NOT n:ResolveLock
RETURN elementId(n) AS node
LIMIT 1
