// Purpose: the next sequence number of the identity journal
// Parameters: none
OPTIONAL MATCH (e:IdentityEvent)
RETURN coalesce(max(e.seq), 0) + 1 AS next
