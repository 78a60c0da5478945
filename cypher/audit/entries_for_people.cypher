// Purpose: audit entries that disclosed or asked for any of the given person ids, newest first, a page at a time
// Parameters: $ids (person ids), $skip, $limit
MATCH (e:AuditEntry)
WHERE any(id IN $ids WHERE id IN e.subjects OR id IN e.requested)
RETURN properties(e) AS entry
ORDER BY e.seq DESC
SKIP $skip
LIMIT $limit
