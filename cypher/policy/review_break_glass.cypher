// Purpose: record the information governance review of a break-glass grant
// Parameters: $id, $reviewer, $outcome, $note
MATCH (g:BreakGlass {id: $id})
SET g.reviewed = true, g.reviewed_by = $reviewer, g.outcome = $outcome, g.review_note = $note,
    g.reviewed_at = datetime()
RETURN g {.id, .user, .agency, .role, .purpose, .person_id, .justification, .reviewed, .reviewed_by, .outcome,
          .review_note, created_at: toString(g.created_at), expires_at: toString(g.expires_at),
          reviewed_at: toString(g.reviewed_at)} AS grant
