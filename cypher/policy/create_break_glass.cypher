// Purpose: record a break-glass grant: one user's temporary wider access to one person, queued for review
// Parameters: $id, $user, $agency, $role, $purpose, $person_id, $justification, $expires_at
CREATE (g:BreakGlass {id: $id, user: $user, agency: $agency, role: $role, purpose: $purpose,
                      person_id: $person_id, justification: $justification, created_at: datetime(),
                      expires_at: datetime($expires_at), reviewed: false})
RETURN g.id AS id, toString(g.created_at) AS created_at, toString(g.expires_at) AS expires_at
