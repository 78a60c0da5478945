// Purpose: append hash-chained audit entries (all properties as given) and move the head to the last one,
//          in the transaction that locked the head
// Parameters: $entries (list of property maps), $seq (last sequence number), $hash (last hash)
UNWIND $entries AS entry
CREATE (e:AuditEntry)
SET e = entry
WITH count(e) AS written
MATCH (h:AuditHead {id: 'audit'})
SET h.seq = $seq, h.hash = $hash
RETURN written
