// Purpose: how many audit entries disclosed or asked for any of the given person ids
// Parameters: $ids (person ids)
MATCH (e:AuditEntry)
WHERE any(id IN $ids WHERE id IN e.subjects OR id IN e.requested)
RETURN count(e) AS total
