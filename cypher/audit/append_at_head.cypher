// Purpose: append hash-chained audit entries in one statement (one round trip), if the chain's head is where
//          the writer expects it: the head (created on first use) is write-locked, which serialises appends
//          from every API process; when another process appended meanwhile, nothing is written and the head
//          comes back for the writer to chain onto and try again
// Parameters: $genesis (hash that the first entry follows), $expected_seq, $expected_hash (the head the entries
//             were chained onto), $entries (list of property maps), $seq, $hash (the last entry's)
MERGE (h:AuditHead {id: 'audit'})
  ON CREATE SET h.seq = 0, h.hash = $genesis
SET h.locked_at = datetime()
WITH h, h.seq = $expected_seq AND h.hash = $expected_hash AS fresh
CALL (h, fresh) {
  WITH h, fresh WHERE fresh
  UNWIND $entries AS entry
  CREATE (e:AuditEntry)
  SET e = entry
  WITH h, count(e) AS written
  SET h.seq = $seq, h.hash = $hash
}
RETURN fresh AS appended, h.seq AS seq, h.hash AS hash
