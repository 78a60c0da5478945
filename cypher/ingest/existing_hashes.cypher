// Purpose: content hashes of records already stored, to tell new, updated and unchanged records apart
// Parameters: $uids (list of record uids)
UNWIND $uids AS uid
MATCH (r:Record {uid: uid})
WHERE r.stub IS NULL
RETURN r.uid AS uid, r.content_hash AS content_hash
