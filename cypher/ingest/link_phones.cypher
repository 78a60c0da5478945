// Purpose: link records to shared (:Phone) nodes keyed by E.164
// Parameters: $links (list of {uid, e164, kind})
UNWIND $links AS link
MATCH (r:Record {uid: link.uid})
MERGE (p:Phone {e164: link.e164})
  ON CREATE SET p.kind = link.kind
CREATE (r)-[:HAS_PHONE]->(p)
RETURN count(*) AS links
