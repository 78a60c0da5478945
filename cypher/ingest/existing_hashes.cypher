// Purpose: which of the given records already exist (stubs included), with their content hashes, to
//          tell new, updated and unchanged records apart
// Parameters: $uids (list of record uids)
UNWIND $uids AS uid
MATCH (r:Record {uid: uid})
RETURN r.uid AS uid, r.content_hash AS content_hash, r.stub IS NOT NULL AS stub
