// Purpose: strip people's golden values (copies of their records' values) down to id, status, flags and
//          timestamps, before they are re-resolved from the records that remain (which writes them afresh)
// Parameters: $ids (person ids)
UNWIND $ids AS id
MATCH (p:Person {id: id})
SET p = p {.id, .status, .flags, .created_at, .updated_at, .retired_at}
RETURN count(p) AS scrubbed
