// Purpose: take the audit chain's head (created on first use) under a write lock, serialising appends
//          from every API process, and return the last sequence number and hash to chain onto
// Parameters: $genesis (hash that the first entry follows)
MERGE (h:AuditHead {id: 'audit'})
  ON CREATE SET h.seq = 0, h.hash = $genesis
SET h.locked_at = datetime()
RETURN h.seq AS seq, h.hash AS hash
