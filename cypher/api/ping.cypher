// Purpose: check that the database answers (health endpoint)
// Parameters: none
RETURN 1 AS ok
