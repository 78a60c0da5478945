// Purpose: link records to shared (:Identifier {scheme, value}) nodes; valid=false marks a value that
//          failed its check (kept for stewards, never strong evidence)
// Parameters: $links (list of {uid, key, scheme, value, valid})
UNWIND $links AS link
MATCH (r:Record {uid: link.uid})
MERGE (i:Identifier {key: link.key})
  ON CREATE SET i.scheme = link.scheme, i.value = link.value, i.valid = link.valid
CREATE (r)-[:HAS_IDENTIFIER]->(i)
RETURN count(*) AS links
