// Purpose: wait until every index is online before loading (constraints are created asynchronously)
// Parameters: none
CALL db.awaitIndexes(300)
