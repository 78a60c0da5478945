// Purpose: break-glass grants for review, newest first, a page at a time (only unreviewed ones if asked)
// Parameters: $pending_only, $skip, $limit
MATCH (g:BreakGlass)
WHERE NOT $pending_only OR NOT g.reviewed
RETURN g {.id, .user, .agency, .role, .purpose, .person_id, .justification, .reviewed, .reviewed_by, .outcome,
          .review_note, created_at: toString(g.created_at), expires_at: toString(g.expires_at),
          reviewed_at: toString(g.reviewed_at)} AS grant
ORDER BY g.created_at DESC, g.id
SKIP $skip
LIMIT $limit
