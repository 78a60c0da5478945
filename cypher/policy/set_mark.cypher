// Purpose: mark a record held-not-disclosed or owner-restricted (replacing any earlier mark), by its owning
//          agency; the mark survives re-ingest of the record (it is a node of its own, keyed by the uid)
// Parameters: $uid, $kind, $contact, $agency, $user
MATCH (r:Record {uid: $uid})
WHERE r.stub IS NULL
MERGE (m:SharingMark {uid: $uid})
SET m.kind = $kind, m.contact = $contact, m.agency = $agency, m.marked_by = $user, m.at = datetime()
MERGE (m)-[:MARKS]->(r)
RETURN r.uid AS uid, m.kind AS kind
