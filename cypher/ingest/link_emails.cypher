// Purpose: link records to shared (:Email) nodes keyed by lower-cased address
// Parameters: $links (list of {uid, address})
UNWIND $links AS link
MATCH (r:Record {uid: link.uid})
MERGE (e:Email {address: link.address})
CREATE (r)-[:HAS_EMAIL]->(e)
RETURN count(*) AS links
