// Purpose: revoke a steward action: every constraint it stored (kept for the record, no longer obeyed)
// Parameters: $id (the action's id, or one constraint's id), $reason, $user
MATCH (d:StewardDecision)
WHERE (d.decision = $id OR d.id = $id) AND d.active
SET d.active = false, d.revoked_at = datetime(), d.revoked_by = $user, d.revoke_reason = $reason
RETURN d.id AS id
