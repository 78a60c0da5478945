// Purpose: a person id with every id it merged from, split from or was succeeded by (one identity's history),
//          so that the audit of a person includes accesses made under their former ids
// Parameters: $id
OPTIONAL MATCH (p:Person {id: $id})
OPTIONAL MATCH (p)-[:SUCCEEDED_BY*1..10]-(other:Person)
RETURN [$id] + [x IN collect(DISTINCT other.id) WHERE x <> $id] AS ids
