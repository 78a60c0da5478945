// Purpose: remove every SIMILAR_TO edge before a full re-resolve writes the new ones
// Parameters: $batch_size
MATCH (:Record)-[s:SIMILAR_TO]->(:Record)
CALL (s) { DELETE s } IN TRANSACTIONS OF $batch_size ROWS
