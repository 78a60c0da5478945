// Purpose: for each (user, purpose) asked, the person ids the user holds an unexpired break-glass grant for, for
//          that purpose (concurrent requests' asks read together: api/service/coalesce.py)
// Parameters: $askers (list of {user, purpose})
UNWIND $askers AS asker
MATCH (g:BreakGlass {user: asker.user})
WHERE g.purpose = asker.purpose AND g.expires_at > datetime()
RETURN asker.user AS user, asker.purpose AS purpose, g.id AS id, g.person_id AS person_id
