// Purpose: how many steward actions there are (all, or only those still obeyed)
// Parameters: $active_only
MATCH (d:StewardDecision)
WHERE NOT $active_only OR d.active
RETURN count(DISTINCT coalesce(d.decision, d.id)) AS total
