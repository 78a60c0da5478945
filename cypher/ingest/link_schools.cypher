// Purpose: link pupil records to shared (:School) nodes keyed by URN
// Parameters: $links (list of {uid, urn, name})
UNWIND $links AS link
MATCH (r:Record {uid: link.uid})
MERGE (s:School {urn: link.urn})
  ON CREATE SET s.name = link.name
  ON MATCH SET s.name = coalesce(s.name, link.name)
CREATE (r)-[:ATTENDS]->(s)
RETURN count(*) AS links
