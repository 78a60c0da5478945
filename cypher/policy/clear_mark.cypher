// Purpose: remove a record's sharing mark
// Parameters: $uid
MATCH (r:Record {uid: $uid})
WHERE r.stub IS NULL
OPTIONAL MATCH (m:SharingMark {uid: $uid})
DETACH DELETE m
RETURN r.uid AS uid
