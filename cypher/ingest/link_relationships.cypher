// Purpose: recorded relationships between records of one source; a target not loaded yet becomes a
//          stub record (stub=true) that its own upsert later fills in
// Parameters: $links (list of {uid, type, target_uid, source, target_source_id})
UNWIND $links AS link
MATCH (r:Record {uid: link.uid})
MERGE (t:Record {uid: link.target_uid})
  ON CREATE SET t.stub = true, t.source = link.source, t.source_id = link.target_source_id
CREATE (r)-[:RELATED {type: link.type}]->(t)
RETURN count(*) AS links
