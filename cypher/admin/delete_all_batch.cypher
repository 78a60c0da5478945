// Purpose: remove all nodes and relationships in batches (used by `db reset`; keeps schema and server)
// Parameters: $batch_size
MATCH (n)
CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF $batch_size ROWS
