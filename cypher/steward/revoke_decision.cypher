// Purpose: revoke a steward decision (kept for the record, no longer obeyed)
// Parameters: $id, $reason, $user
MATCH (d:StewardDecision {id: $id})
WHERE d.active
SET d.active = false, d.revoked_at = datetime(), d.revoked_by = $user, d.revoke_reason = $reason
RETURN d.id AS id
