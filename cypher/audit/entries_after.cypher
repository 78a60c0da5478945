// Purpose: audit entries in chain order after a sequence number, a page at a time (for verification)
// Parameters: $after (sequence number), $limit
MATCH (e:AuditEntry)
WHERE e.seq > $after
RETURN properties(e) AS entry
ORDER BY e.seq
LIMIT $limit
