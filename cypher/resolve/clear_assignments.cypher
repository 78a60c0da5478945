// Purpose: drop record->person, person->household and household->address links before writing new ones
// Parameters: $batch_size
MATCH ()-[x:RESOLVES_TO|MEMBER_OF|AT]->()
CALL (x) { DELETE x } IN TRANSACTIONS OF $batch_size ROWS
