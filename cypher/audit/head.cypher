// Purpose: the audit chain's head: the last sequence number and hash (none before the first entry)
// Parameters: none
MATCH (h:AuditHead {id: 'audit'})
RETURN h.seq AS seq, h.hash AS hash
