// Purpose: link records to shared (:Address) nodes, created on first sight; a UPRN seen later is kept
// Parameters: $links (list of {uid, key, node, from, to, current})
UNWIND $links AS link
MATCH (r:Record {uid: link.uid})
MERGE (a:Address {key: link.key})
  ON CREATE SET a += link.node
  ON MATCH SET a.uprn = coalesce(a.uprn, link.node.uprn)
CREATE (r)-[:HAS_ADDRESS {from: link.from, to: link.to, current: link.current}]->(a)
RETURN count(*) AS links
