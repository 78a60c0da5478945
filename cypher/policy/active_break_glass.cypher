// Purpose: the person ids a user holds an unexpired break-glass grant for, for the purpose it was granted for
// Parameters: $user, $purpose
MATCH (g:BreakGlass {user: $user})
WHERE g.purpose = $purpose AND g.expires_at > datetime()
RETURN g.id AS id, g.person_id AS person_id
