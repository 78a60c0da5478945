// Purpose: identity journal entries (merges, splits, new people) are ordered by a unique sequence number
// Parameters: none
CREATE CONSTRAINT identity_event_seq_unique IF NOT EXISTS FOR (e:IdentityEvent) REQUIRE e.seq IS UNIQUE
