// Purpose: how many break-glass grants there are for review (only unreviewed ones if asked)
// Parameters: $pending_only
MATCH (g:BreakGlass)
WHERE NOT $pending_only OR NOT g.reviewed
RETURN count(g) AS total
